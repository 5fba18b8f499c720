// The shared outcome of one record batch: every SendFuture of the batch
// points here, and the appender completes it once (Kafka's
// ProduceRequestResult). Per-record callbacks wait here until completion.
#ifndef BROOK_LIB_LOG_BATCH_RESULT_H_
#define BROOK_LIB_LOG_BATCH_RESULT_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/producer.h"
#include "brook/record.h"

namespace brook {
namespace internal {

// Thread-safe. Callbacks are added before completion by the thread that owns
// the open batch and run once, after completion, by the completing thread.
class BatchResult final : public SendState {
 public:
  BatchResult(std::string topic, int32_t partition);
  BatchResult(const BatchResult&) = delete;
  BatchResult& operator=(const BatchResult&) = delete;

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

  // REQUIRES: not yet completed; called under the owner's lock.
  void AddCallback(const RecordSlot& slot, SendCallback callback);

  // Records the outcome: records got offsets base_offset + index. With
  // LogAppendTime, `log_append_time_ms` replaces every timestamp (-1: keep).
  // `offsets_known` is false for acks=0 (offset -1 is reported). Futures see
  // it only after Finish().
  void SetOffsets(int64_t base_offset, int64_t log_append_time_ms,
                  bool offsets_known);
  void SetError(absl::Status status);
  // Runs the callbacks, then marks the batch done and wakes waiters, so that
  // as in Kafka a future's Get() (and Flush) returns after the callbacks ran.
  // Call once, after SetOffsets or SetError, holding no lock.
  void Finish() ABSL_LOCKS_EXCLUDED(mu_);

  bool done() const override {
    return done_flag_.load(std::memory_order_acquire);
  }

  // The producer closed the batch (linger passed, it filled, or a flush):
  // it waits for the appender only, not for the clock.
  void MarkSealed() { sealed_.store(true, std::memory_order_release); }
  bool sealed() const { return sealed_.load(std::memory_order_acquire); }
  // The producer's clock when it is a ManualClock (nullptr otherwise), so
  // that a Get() can tell a record that waits for a linger the test never
  // lets pass. Set once, before any future sees the batch.
  void set_manual_clock(ManualClock* clock) { manual_clock_ = clock; }
  ManualClock* manual_clock() const { return manual_clock_; }
  // SendState::Wait for a future: also IllegalState when waiting would
  // never end (called from a send callback on the appender thread, which
  // completes the batch; or the batch lingers on a ManualClock that stayed
  // still for a second of real time).
  absl::Status Wait(absl::Duration timeout) const override;
  // Waits (real time) up to `timeout` for completion; true when done.
  bool WaitDone(absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_);
  // REQUIRES: done().
  absl::StatusOr<RecordMetadata> Result(const RecordSlot& slot) const override;
  // REQUIRES: SetError or SetOffsets was called. OK or the failure.
  const absl::Status& status() const { return status_; }
  bool resolved() const { return resolved_; }

 private:
  const std::string topic_;
  const int32_t partition_;
  std::vector<std::pair<RecordSlot, SendCallback>> callbacks_;

  // Written once before done_flag_ is set (release), read after (acquire).
  bool resolved_ = false;
  absl::Status status_;
  int64_t base_offset_ = -1;
  int64_t log_append_time_ms_ = -1;
  bool offsets_known_ = true;
  std::atomic<bool> done_flag_{false};
  std::atomic<bool> sealed_{false};
  ManualClock* manual_clock_ = nullptr;

  mutable absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace internal
}  // namespace brook

#endif  // BROOK_LIB_LOG_BATCH_RESULT_H_
