#include "client/wakeup.h"

#include "brook/error.h"

namespace brook {

absl::Status WakeupFlag::Take() {
  if (pending_.exchange(false, std::memory_order_acq_rel)) {
    return Error(ErrorCode::kWakeup, "the consumer was woken up");
  }
  return absl::OkStatus();
}

}  // namespace brook
