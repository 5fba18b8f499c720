#include "log/batch_result.h"

#include <algorithm>
#include <utility>

#include "brook/error.h"
#include "log/appender.h"

namespace brook {
namespace internal {

BatchResult::BatchResult(std::string topic, int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

void BatchResult::AddCallback(const RecordSlot& slot, SendCallback callback) {
  callbacks_.emplace_back(slot, std::move(callback));
}

void BatchResult::SetOffsets(int64_t base_offset, int64_t log_append_time_ms,
                             bool offsets_known) {
  base_offset_ = base_offset;
  log_append_time_ms_ = log_append_time_ms;
  offsets_known_ = offsets_known;
  resolved_ = true;
}

void BatchResult::SetError(absl::Status status) {
  status_ = std::move(status);
  resolved_ = true;
}

void BatchResult::Finish() {
  for (auto& [info, callback] : callbacks_) {
    callback(Result(info));
  }
  callbacks_.clear();
  done_flag_.store(true, std::memory_order_release);
  absl::MutexLock lock(&mu_);
  done_ = true;
}

bool BatchResult::WaitDone(absl::Duration timeout) const {
  if (done()) return true;
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
}

namespace {

// How long (real time) a record may wait for a linger on a ManualClock that
// does not move before Wait() calls it a hang.
constexpr absl::Duration kManualLingerStall = absl::Seconds(1);

}  // namespace

absl::Status BatchResult::Wait(absl::Duration timeout) const {
  if (done()) return absl::OkStatus();
  if (OnAppenderThread()) {
    // Send callbacks run on the appender thread, which completes this send.
    return Error(ErrorCode::kIllegalState,
                 "Get() on an unfinished send from a send callback would "
                 "deadlock");
  }
  bool finished = false;
  if (manual_clock_ == nullptr || timeout <= kManualLingerStall) {
    finished = WaitDone(timeout);
  } else {
    // Still lingering on a ManualClock that did not move for
    // kManualLingerStall is a hang (another thread may be advancing the
    // clock, so waiting a while is not an error yet).
    const absl::Time real_deadline = absl::Now() + timeout;
    absl::Time clock_seen = manual_clock_->Now();
    absl::Time still_since = absl::Now();
    for (;;) {
      const absl::Duration slice =
          std::min(absl::Milliseconds(100), real_deadline - absl::Now());
      if (WaitDone(slice)) {
        finished = true;
        break;
      }
      const absl::Time now = absl::Now();
      if (now >= real_deadline) break;
      if (sealed() || manual_clock_->Now() != clock_seen) {
        clock_seen = manual_clock_->Now();
        still_since = now;
      } else if (now - still_since >= kManualLingerStall) {
        return Error(
            ErrorCode::kIllegalState,
            "Get() would wait forever: the record waits for linger.ms on a "
            "ManualClock that nothing advances. Advance the clock past "
            "linger.ms, call the producer's Flush(), or create the producer "
            "with linger.ms=0 (brook::testing::ProducerOptionsForTests())");
      }
    }
  }
  if (!finished) {
    return Error(ErrorCode::kTimeout,
                 "the send did not complete within the wait timeout");
  }
  return absl::OkStatus();
}

absl::StatusOr<RecordMetadata> BatchResult::Result(
    const RecordSlot& info) const {
  if (!status_.ok()) return status_;
  RecordMetadata m;
  m.topic = topic_;
  m.partition = partition_;
  m.offset = offsets_known_ ? base_offset_ + info.index : -1;
  m.timestamp = absl::FromUnixMillis(
      log_append_time_ms_ >= 0 ? log_append_time_ms_ : info.timestamp_ms);
  m.serialized_key_size = info.key_size;
  m.serialized_value_size = info.value_size;
  return m;
}

}  // namespace internal
}  // namespace brook
