// Log compaction (cleanup.policy compact): for each key only its latest
// record stays, with its offset; the others are removed from their batches.
//
// One pass over a partition, as Kafka's cleaner:
//  1. The cleanable range runs from the log start up to the first batch
//     that must stay as it is: the partition's last batch (Kafka's active
//     segment: the head a consumer may be reading, and the batch that
//     gives the log end after a restart), the first batch younger than
//     min.compaction.lag.ms, or the batch at which the key map reached its
//     memory budget (the rest waits for the next pass).
//  2. A map of every key in the range to its latest offset is built.
//  3. Each batch in the range is rewritten keeping the records that are
//     their key's latest (records without a key go, as Kafka's cleaner
//     drops them); a tombstone (null value) that is its key's latest stays
//     until its batch's delete horizon — set to now + delete.retention.ms
//     by the first pass that keeps it — has passed. A batch that keeps
//     nothing is deleted, except the partition's first, which stays empty
//     so that the log start survives a restart.
// Rewrites keep each batch's key (base offset) and header and copy the
// records kept byte for byte (log/batch_format.h); each batch is replaced
// at once, so a reader sees it before or after, and a crash mid-pass
// leaves a log that is compacted up to some batch. Writes are not fsynced:
// losing them loses nothing but their compaction.
#ifndef BROOK_LIB_LOG_LOG_COMPACTOR_H_
#define BROOK_LIB_LOG_LOG_COMPACTOR_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

struct CompactionResult {
  int64_t records_removed = 0;
  int64_t bytes_removed = 0;  // Stored bytes before minus after.
  int64_t batches_rewritten = 0;  // Or deleted.
  // One past the last offset of the range compacted (the log start when
  // nothing could be).
  int64_t cleanable_end = 0;
  // Stored bytes of the compacted range after the pass.
  int64_t clean_bytes = 0;
  // The earliest delete horizon of a tombstone kept; INT64_MAX: none.
  int64_t next_delete_horizon_ms = INT64_MAX;
};

// Thread-compatible: one pass at a time per partition (the log cleaner
// serialises them); appends to the partition may go on meanwhile.
class LogCompactor {
 public:
  // What the key map may take, in bytes (Kafka's
  // log.cleaner.dedupe.buffer.size is 128 MiB, shared by its threads).
  static constexpr size_t kDefaultMapBudget = 64 << 20;

  // `store` must outlive this.
  explicit LogCompactor(Store* store, size_t map_budget = kDefaultMapBudget)
      : store_(store), map_budget_(map_budget) {}

  // Compacts partition `p` of `topic` as of `now_ms` (engine clock).
  // Errors: storage, Corruption (a damaged batch).
  absl::StatusOr<CompactionResult> Compact(const Topic& topic, int32_t p,
                                           int64_t now_ms);

 private:
  Store* const store_;
  const size_t map_budget_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_LOG_COMPACTOR_H_
