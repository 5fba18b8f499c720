#include <algorithm>

#include "brook/clock.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "log/appender.h"
#include "log/batch_result.h"

namespace brook {

SendFuture::SendFuture(std::shared_ptr<internal::BatchResult> batch,
                       int32_t index, int64_t timestamp_ms, int32_t key_size,
                       int32_t value_size)
    : batch_(std::move(batch)),
      index_(index),
      key_size_(key_size),
      value_size_(value_size),
      timestamp_ms_(timestamp_ms) {}

SendFuture::SendFuture(absl::StatusOr<RecordMetadata> immediate)
    : immediate_(std::move(immediate)) {}

bool SendFuture::ready() const {
  return immediate_.has_value() || (batch_ != nullptr && batch_->done());
}

absl::StatusOr<RecordMetadata> SendFuture::Get() const {
  return Get(absl::InfiniteDuration());
}

namespace {

// How long (real time) a record may wait for a linger on a ManualClock that
// does not move before Get() calls it a hang.
constexpr absl::Duration kManualLingerStall = absl::Seconds(1);

// Waits (real time) up to `timeout` for `batch`; true when it completed or
// when it cannot: it still lingers in its producer on a ManualClock that
// did not move for kManualLingerStall (another thread may be advancing it,
// so waiting a while is not an error yet).
bool WaitForBatch(const internal::BatchResult& batch, absl::Duration timeout) {
  ManualClock* clock = batch.manual_clock();
  if (clock == nullptr || timeout <= kManualLingerStall) {
    return batch.Wait(timeout);
  }
  const absl::Time real_deadline = absl::Now() + timeout;
  absl::Time clock_seen = clock->Now();
  absl::Time still_since = absl::Now();
  for (;;) {
    const absl::Duration slice =
        std::min(absl::Milliseconds(100), real_deadline - absl::Now());
    if (batch.Wait(slice)) return true;
    const absl::Time now = absl::Now();
    if (now >= real_deadline) return false;
    if (batch.sealed() || clock->Now() != clock_seen) {
      clock_seen = clock->Now();
      still_since = now;
    } else if (now - still_since >= kManualLingerStall) {
      return true;  // Not done: the caller says why.
    }
  }
}

}  // namespace

absl::StatusOr<RecordMetadata> SendFuture::Get(absl::Duration timeout) const {
  if (immediate_) return *immediate_;
  if (batch_ == nullptr) {
    return Error(ErrorCode::kIllegalState, "Get() on an invalid SendFuture");
  }
  if (!batch_->done() && OnAppenderThread()) {
    // Send callbacks run on the appender thread, which completes this send.
    return Error(ErrorCode::kIllegalState,
                 "Get() on an unfinished send from a send callback would "
                 "deadlock");
  }
  if (!WaitForBatch(*batch_, timeout)) {
    return Error(ErrorCode::kTimeout,
                 "the send did not complete within the wait timeout");
  }
  if (!batch_->done()) {
    return Error(
        ErrorCode::kIllegalState,
        "Get() would wait forever: the record waits for linger.ms on a "
        "ManualClock that nothing advances. Advance the clock past "
        "linger.ms, call the producer's Flush(), or create the producer "
        "with linger.ms=0 (brook::testing::ProducerOptionsForTests())");
  }
  return batch_->Result(
      internal::RecordInfo{index_, timestamp_ms_, key_size_, value_size_});
}

}  // namespace brook
