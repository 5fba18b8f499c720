// ConsumerRecords: what Consumer::PollRecords returns. The records borrow
// their bytes (topic name, key, value, headers) from the fetched data, which
// the ConsumerRecords keeps alive, so a poll copies and allocates nothing
// per record. Move-only; thread-compatible.
#ifndef BROOK_CONSUMER_RECORDS_H_
#define BROOK_CONSUMER_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "brook/record.h"

namespace brook {

// A header of a RecordView; value is nullopt for a null value.
struct HeaderView {
  absl::string_view key;
  std::optional<absl::string_view> value;
};

// ConsumerRecord's fields as views. Valid while the ConsumerRecords that
// holds it lives (moving that keeps them valid); ToRecord() copies.
struct RecordView {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::Time timestamp;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  std::optional<absl::string_view> key;    // nullopt: null key.
  std::optional<absl::string_view> value;  // nullopt: null value.
  absl::Span<const HeaderView> headers;

  // Sizes as Kafka reports them: -1 for null.
  int32_t serialized_key_size() const {
    return key ? static_cast<int32_t>(key->size()) : -1;
  }
  int32_t serialized_value_size() const {
    return value ? static_cast<int32_t>(value->size()) : -1;
  }

  // An owning copy.
  ConsumerRecord ToRecord() const;
};

// The records of one poll, in the order Poll would return them.
class ConsumerRecords {
 public:
  ConsumerRecords() = default;
  // For backends: `records`' views point into `keep_alive` (whatever owns
  // the bytes) and their header spans into `headers`; both vectors are
  // moved in, which keeps those pointers valid.
  ConsumerRecords(std::vector<RecordView> records,
                  std::vector<HeaderView> headers,
                  std::vector<std::shared_ptr<const void>> keep_alive)
      : records_(std::move(records)),
        headers_(std::move(headers)),
        keep_alive_(std::move(keep_alive)) {}

  ConsumerRecords(ConsumerRecords&&) = default;
  ConsumerRecords& operator=(ConsumerRecords&&) = default;
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const RecordView& operator[](size_t i) const { return records_[i]; }
  std::vector<RecordView>::const_iterator begin() const {
    return records_.begin();
  }
  std::vector<RecordView>::const_iterator end() const { return records_.end(); }

  // Owning copies of every record.
  std::vector<ConsumerRecord> ToRecords() const;

 private:
  std::vector<RecordView> records_;
  std::vector<HeaderView> headers_;
  // Holds the fetched bytes (and topic names) the views point into.
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

}  // namespace brook

#endif  // BROOK_CONSUMER_RECORDS_H_
