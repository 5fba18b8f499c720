#include "log/batch_result.h"

#include <utility>

namespace brook {
namespace internal {

BatchResult::BatchResult(std::string topic, int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

void BatchResult::AddCallback(const RecordInfo& info, SendCallback callback) {
  callbacks_.emplace_back(info, std::move(callback));
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

bool BatchResult::Wait(absl::Duration timeout) const {
  if (done()) return true;
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
}

absl::StatusOr<RecordMetadata> BatchResult::Result(
    const RecordInfo& info) const {
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
