// Time. Every timeout in brook (linger.ms, max.block.ms, delivery.timeout.ms,
// auto commit, Poll deadlines, later session timeouts and retention) reads an
// injectable Clock, so tests can drive time by hand with ManualClock.
#ifndef BROOK_CLOCK_H_
#define BROOK_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace brook {

// A source of time that can also block until a deadline on that time.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  virtual absl::Time Now() = 0;

  // Waits until `cond` is true or Now() reaches `deadline`; returns the final
  // value of `cond`. REQUIRES: `mu` is held; it is held again on return.
  virtual bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                                 absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
};

// The real clock. Thread-safe; a process-wide instance that is never destroyed.
Clock* SystemClock();

// A clock that only moves when a test calls Advance() or SetTime(). Waiters
// whose deadline has passed wake at once, with no real sleeping.
// Thread-safe. It must outlive every engine that uses it.
class ManualClock : public Clock {
 public:
  // Starts at `start` (by default 2026-01-01T00:00:00Z, a fixed instant so
  // tests are reproducible).
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1767225600));
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;

  absl::Time Now() override;
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                         absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Moves time forward by `d` (negative durations are ignored) and wakes
  // every waiter whose deadline passed.
  void Advance(absl::Duration d);
  // Sets the time; moving it backwards is allowed but wakes nobody.
  void SetTime(absl::Time t);

 private:
  void WakeWaiters() ABSL_LOCKS_EXCLUDED(waiters_mu_);

  std::atomic<int64_t> now_ns_;
  absl::Mutex waiters_mu_;
  std::vector<absl::Mutex*> waiters_ ABSL_GUARDED_BY(waiters_mu_);
};

}  // namespace brook

#endif  // BROOK_CLOCK_H_
