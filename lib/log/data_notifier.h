// Wakes consumers blocked in Poll when the appender makes new records
// visible (a version counter behind a mutex; waiters use the engine Clock).
#ifndef BROOK_LIB_LOG_DATA_NOTIFIER_H_
#define BROOK_LIB_LOG_DATA_NOTIFIER_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/clock.h"

namespace brook {

// Thread-safe.
class DataNotifier {
 public:
  explicit DataNotifier(Clock* clock) : clock_(clock) {}

  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Called after high watermarks advance.
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);
  // Re-evaluates every waiter (after setting a flag a waiter watches).
  void Poke() ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until version() != seen, *interrupt is true, or the deadline.
  void Wait(uint64_t seen, const std::atomic<bool>* interrupt,
            absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Clock* const clock_;
  std::atomic<uint64_t> version_{0};
  absl::Mutex mu_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_DATA_NOTIFIER_H_
