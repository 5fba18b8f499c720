// Collects the records of one poll as views and turns them into a
// ConsumerRecords that keeps their bytes alive.
#ifndef BROOK_LIB_LOG_RECORDS_BUILDER_H_
#define BROOK_LIB_LOG_RECORDS_BUILDER_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "brook/consumer_records.h"

namespace brook {

// Thread-compatible.
class RecordsBuilder {
 public:
  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const RecordView& back() const { return records_.back(); }

  void Reserve(size_t n) { records_.reserve(n); }

  // Keeps `owner`, which the next records point into, alive with them.
  // Called per record: takes a reference only when the owner changes (a
  // conversion to shared_ptr<const void> would cost two atomic operations).
  template <typename T>
  void KeepAlive(const std::shared_ptr<T>& owner) {
    if (keep_alive_.empty() ||
        keep_alive_.back().get() != static_cast<const void*>(owner.get())) {
      keep_alive_.push_back(owner);
    }
  }

  // Appends the record `decode(RecordView*, std::vector<HeaderView>*)`
  // fills in; its headers go to the vector, its span is set by Finish.
  // Nothing is appended when `decode` fails.
  template <typename Decode>
  absl::Status Append(Decode&& decode) {
    records_.emplace_back();
    const size_t headers_before = headers_.size();
    absl::Status s = decode(&records_.back(), &headers_);
    if (!s.ok()) {
      records_.pop_back();
      headers_.resize(headers_before);
      return s;
    }
    if (headers_.size() != headers_before) {
      header_ranges_.push_back(
          {records_.size() - 1, headers_before, headers_.size()});
    }
    return absl::OkStatus();
  }

  // The records so far; the builder is then empty.
  ConsumerRecords Finish();

 private:
  struct HeaderRange {
    size_t record;
    size_t begin;
    size_t end;
  };

  std::vector<RecordView> records_;
  std::vector<HeaderView> headers_;
  std::vector<HeaderRange> header_ranges_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_RECORDS_BUILDER_H_
