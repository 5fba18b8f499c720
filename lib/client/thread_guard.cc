#include "client/thread_guard.h"

#include "brook/error.h"

namespace brook {

absl::Status ThreadGuard::Acquire() {
  const std::thread::id me = std::this_thread::get_id();
  std::thread::id expected{};
  if (owner_.load(std::memory_order_acquire) == me) {
    ++depth_;
    return absl::OkStatus();
  }
  if (!owner_.compare_exchange_strong(expected, me,
                                      std::memory_order_acq_rel)) {
    return Error(ErrorCode::kConcurrentModification,
                 "the consumer is not safe for multi-threaded access: another "
                 "thread is using it");
  }
  depth_ = 1;
  return absl::OkStatus();
}

void ThreadGuard::Release() {
  if (--depth_ == 0) owner_.store(std::thread::id{}, std::memory_order_release);
}

}  // namespace brook
