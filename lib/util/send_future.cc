#include "brook/error.h"
#include "brook/producer.h"

namespace brook {

bool SendFuture::ready() const {
  return immediate_.has_value() || (state_ != nullptr && state_->done());
}

absl::StatusOr<RecordMetadata> SendFuture::Get() const {
  return Get(absl::InfiniteDuration());
}

absl::StatusOr<RecordMetadata> SendFuture::Get(absl::Duration timeout) const {
  if (immediate_) return *immediate_;
  if (state_ == nullptr) {
    return Error(ErrorCode::kIllegalState, "Get() on an invalid SendFuture");
  }
  absl::Status waited = state_->Wait(timeout);
  if (!waited.ok()) return waited;
  return state_->Result(slot_);
}

}  // namespace brook
