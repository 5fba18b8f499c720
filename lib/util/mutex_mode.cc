#include "util/mutex_mode.h"

#include "absl/synchronization/mutex.h"

namespace brook {

void SetMutexModeForBuild() {
#ifdef NDEBUG
  static const bool detector_off = [] {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    return true;
  }();
  (void)detector_off;
#endif
}

}  // namespace brook
