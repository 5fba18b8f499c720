// Wakes consumers blocked in Poll when the appender makes new records
// visible, or the group coordinator changes a group (a version counter;
// waiters use the engine Clock).
#ifndef BROOK_LIB_LOG_DATA_NOTIFIER_H_
#define BROOK_LIB_LOG_DATA_NOTIFIER_H_

#include <array>
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
  void Notify();
  // Re-evaluates every waiter (after setting a flag a waiter watches).
  void Poke();
  // Blocks until version() != seen, *interrupt is true, or the deadline.
  void Wait(uint64_t seen, const std::atomic<bool>* interrupt,
            absl::Time deadline);

 private:
  // Waiters are spread over shards, each a mutex they wait on with their
  // condition: a mutex re-evaluates the conditions of all its waiters
  // whenever it is released, so one mutex for a thousand polling consumers
  // made each wait cost the number of consumers. Notify and Poke release
  // every shard that has waiters (Poke every shard).
  struct alignas(64) Shard {
    absl::Mutex mu;
    std::atomic<int64_t> waiters{0};
  };
  static constexpr int kShards = 32;

  // Releases every shard (with waiters, unless `all`), so that their
  // waiters re-evaluate.
  void WakeShards(bool all);

  Clock* const clock_;
  std::atomic<uint64_t> version_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_DATA_NOTIFIER_H_
