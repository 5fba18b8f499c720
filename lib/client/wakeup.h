// Consumer::Wakeup's flag, as Kafka's WakeupTrigger: set from any thread,
// taken once by the consumer's next blocking call, which then fails with
// Wakeup. Backends call Take() where Kafka's consumer may block, and point
// their wait at flag() so that Set() interrupts it (after a poke).
#ifndef BROOK_LIB_CLIENT_WAKEUP_H_
#define BROOK_LIB_CLIENT_WAKEUP_H_

#include <atomic>

#include "absl/status/status.h"

namespace brook {

// Thread-safe.
class WakeupFlag {
 public:
  void Set() { pending_.store(true, std::memory_order_release); }
  // Wakeup when one is pending (and clears it); OK otherwise.
  absl::Status Take();
  // What a blocking wait watches.
  const std::atomic<bool>* flag() const { return &pending_; }

 private:
  std::atomic<bool> pending_{false};
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_WAKEUP_H_
