// Cleans the logs: moves partitions' log start offsets forward (retention:
// retention.ms and retention.bytes of topics with cleanup.policy "delete";
// DeleteRecords) and compacts topics with cleanup.policy "compact"
// (log/log_compactor.h). Batches wholly below a new log start are deleted
// with one range
// deletion, written together with the new log start (an fsynced write), and
// their space is returned by compacting that range.
//
// Retention follows Kafka's rules, with the batch as the unit Kafka's are
// segments: from the oldest batch on, a batch goes while its largest
// timestamp is more than retention.ms before now; then, while the
// partition's bytes minus the oldest batch's are still at least
// retention.bytes, the oldest batch goes (so a partition keeps at least
// retention.bytes, as in Kafka). A partition's bytes are the stored sizes of
// its batches, summed from storage once per open and kept up to date after. Retention never moves a log end offset; a partition may end
// up empty and continues from its end.
//
// The check runs every `interval` on the engine's clock, on a thread of its
// own; RunIfDue() runs an overdue one in the caller, so that with a
// ManualClock what a test observes after advancing the clock (describing a
// topic, polling) already reflects it. A check applies retention, then
// compacts each partition of a compacted topic that is due, as Kafka
// schedules it: the bytes written since its last compaction are more than
// min.cleanable.dirty.ratio of its bytes (and min.compaction.lag.ms has
// passed since that compaction), or max.compaction.lag.ms has passed since
// it with bytes written meanwhile, or a tombstone's delete horizon has
// passed, or it has not been compacted since the engine opened.
#ifndef BROOK_LIB_LOG_LOG_CLEANER_H_
#define BROOK_LIB_LOG_LOG_CLEANER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/clock.h"
#include "log/appender.h"
#include "log/data_notifier.h"
#include "log/log_compactor.h"
#include "log/topic.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe.
class LogCleaner {
 public:
  // `clock`, `store`, `topics`, `appender` (fenced while a partition's
  // byte count starts) and `notifier` (told when a log start moved, so
  // that waiting consumers check their positions) must outlive this.
  LogCleaner(Clock* clock, Store* store, TopicRegistry* topics,
             Appender* appender, DataNotifier* notifier,
             absl::Duration interval);
  ~LogCleaner();
  LogCleaner(const LogCleaner&) = delete;
  LogCleaner& operator=(const LogCleaner&) = delete;

  // Starts the periodic check (the first one `interval` from now).
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops it and waits for a check under way. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs the periodic check now when its time has passed on the clock and
  // it has not run yet (waiting for one under way). Cheap otherwise. On
  // SystemClock() it does nothing: the cleaner's thread runs checks on
  // time, and a client call never waits for one (a compaction may take
  // seconds).
  void RunIfDue() ABSL_LOCKS_EXCLUDED(clean_mu_, mu_);

  // Applies retention and compaction to `topics` (every topic when empty)
  // now, whatever their schedule, and returns the space; returns what it
  // removed from each partition it changed, sorted. Errors:
  // UnknownTopicOrPartition, storage.
  absl::StatusOr<std::vector<CleanedPartition>> Clean(
      const std::vector<std::string>& topics) ABSL_LOCKS_EXCLUDED(clean_mu_);

  // Moves partition `p`'s log start to `offset` (-1: its high watermark)
  // unless it is already past it; returns the log start after. Errors:
  // OffsetOutOfRange (offset beyond the high watermark), storage.
  absl::StatusOr<int64_t> DeleteRecords(Topic& topic, int32_t p,
                                        int64_t offset)
      ABSL_LOCKS_EXCLUDED(clean_mu_);
  // DeleteRecords' OffsetOutOfRange check alone.
  static absl::Status CheckDeleteOffset(const Topic& topic, int32_t p,
                                        int64_t offset);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // RunIfDue, on any clock.
  void RunDue() ABSL_LOCKS_EXCLUDED(clean_mu_, mu_);
  // One periodic check: retention of every topic.
  void Check() ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);
  // Retention of one partition; nullopt when it removes nothing.
  absl::StatusOr<std::optional<CleanedPartition>> Retain(Topic& topic,
                                                         int32_t p,
                                                         int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);
  // Compacts partition `p` (when due, unless `force`); nullopt when it
  // removes nothing. Sets `*cleanable_end` to the end of the range it
  // compacted.
  absl::StatusOr<std::optional<CleanedPartition>> Compact(
      Topic& topic, int32_t p, int64_t now_ms, bool force,
      int64_t* cleanable_end) ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);
  absl::StatusOr<bool> CompactionDue(Topic& topic, int32_t p, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);
  // Records that `bytes` went from the front of partition `p`.
  static void Removed(PartitionState& state, int64_t bytes);
  // Partition `p`'s stored bytes (PartitionState::stored_bytes), summed
  // from storage the first time.
  absl::StatusOr<int64_t> StoredBytes(Topic& topic, int32_t p)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);
  // Moves the log start to `start`, deleting the batches below
  // `first_kept` (the base offset of the first batch kept, or the end).
  absl::Status MoveStart(Topic& topic, int32_t p, int64_t start,
                         int64_t first_kept)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(clean_mu_);

  Clock* const clock_;
  Store* const store_;
  TopicRegistry* const topics_;
  Appender* const appender_;
  DataNotifier* const notifier_;
  const absl::Duration interval_;
  LogCompactor compactor_ ABSL_GUARDED_BY(clean_mu_);

  // Held while the log starts move: one check, cleaning or deletion at a
  // time.
  absl::Mutex clean_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // When the next periodic check is due (ns since the epoch, engine clock).
  std::atomic<int64_t> next_check_ns_;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_LOG_CLEANER_H_
