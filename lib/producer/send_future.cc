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
  if (!batch_->Wait(timeout)) {
    return Error(ErrorCode::kTimeout,
                 "the send did not complete within the wait timeout");
  }
  return batch_->Result(
      internal::RecordInfo{index_, timestamp_ms_, key_size_, value_size_});
}

}  // namespace brook
