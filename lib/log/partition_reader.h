// The log's read side: reads one partition for the embedded fetcher. It
// keeps the batches fetched from storage (up to about
// max.partition.fetch.bytes at a time) and decodes records from them up to
// the high watermark. The position is not kept here but in the consumer's
// SubscriptionState; the cache is used only while the position is where the
// last read left it.
#ifndef BROOK_LIB_LOG_PARTITION_READER_H_
#define BROOK_LIB_LOG_PARTITION_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "brook/record.h"
#include "log/records_builder.h"
#include "log/batch_format.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

// Thread-compatible (owned by one consumer).
class PartitionReader {
 public:
  PartitionReader(std::shared_ptr<Topic> topic, int32_t partition);

  const std::shared_ptr<Topic>& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

  int64_t log_start() const;
  int64_t high_watermark() const;
  // Records are waiting at `position`: live topic, position < HW.
  bool HasData(int64_t position) const;

  // Appends up to `max` records from `*position` to `out`, advancing
  // `*position` past them. On an error the position still covers exactly
  // the records appended, so the caller can deliver those and report the
  // error after.
  absl::Status Read(Store* store, int max, int64_t* position,
                    RecordsBuilder* out);

 private:
  absl::Status ReadFrom(Store* store, int max, int64_t* pos,
                        RecordsBuilder* out);
  void ResetCache();

  const std::shared_ptr<Topic> topic_;
  const int32_t partition_;
  // Where the last read stopped: the cache serves a read from there only
  // (any other position is a seek).
  std::optional<int64_t> next_offset_;

  // Fetched batches; `reader_` walks batches_[index_] when reader_valid_.
  std::vector<StoredBatch> batches_;
  size_t index_ = 0;
  BatchReader reader_;
  bool reader_valid_ = false;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_PARTITION_READER_H_
