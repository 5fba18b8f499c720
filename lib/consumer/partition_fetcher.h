// Reads one assigned partition for a consumer: keeps the batches fetched
// from storage (up to about max.partition.fetch.bytes at a time) and decodes
// records from them up to the high watermark.
#ifndef BROOK_LIB_CONSUMER_PARTITION_FETCHER_H_
#define BROOK_LIB_CONSUMER_PARTITION_FETCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "brook/record.h"
#include "consumer/records_builder.h"
#include "log/batch_format.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

// Thread-compatible (owned by one consumer).
class PartitionFetcher {
 public:
  PartitionFetcher(std::shared_ptr<Topic> topic, int32_t partition);

  const std::shared_ptr<Topic>& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

  // The next offset to return; nullopt until resolved (committed offset or
  // auto.offset.reset, or a pending reset).
  const std::optional<int64_t>& position() const { return position_; }
  void set_position(int64_t offset);

  // SeekToBeginning / SeekToEnd, evaluated lazily as Kafka does: the
  // position is unknown until the next Poll or Position resolves it to the
  // log start or end of that moment.
  enum class PendingReset { kNone, kToStart, kToEnd };
  void RequestReset(PendingReset reset);
  PendingReset pending_reset() const { return pending_reset_; }

  bool paused() const { return paused_; }
  void set_paused(bool paused) { paused_ = paused; }

  int64_t log_start() const;
  int64_t high_watermark() const;
  // Records are waiting: resolved, unpaused, live topic, position < HW.
  bool HasData() const;

  // Appends up to `max` records to `out`, advancing the position past
  // them. On an error the position still covers exactly the records
  // appended, so the caller can deliver those and report the error after.
  absl::Status Read(Store* store, int max, RecordsBuilder* out);

 private:
  absl::Status ReadFrom(Store* store, int max, int64_t* pos,
                        RecordsBuilder* out);
  void ResetCache();

  const std::shared_ptr<Topic> topic_;
  const int32_t partition_;
  std::optional<int64_t> position_;
  PendingReset pending_reset_ = PendingReset::kNone;
  bool paused_ = false;

  // Fetched batches; `reader_` walks batches_[index_] when reader_valid_.
  std::vector<StoredBatch> batches_;
  size_t index_ = 0;
  BatchReader reader_;
  bool reader_valid_ = false;
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_PARTITION_FETCHER_H_
