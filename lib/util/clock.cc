#include "brook/clock.h"

#include <algorithm>

namespace brook {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  bool AwaitWithDeadline(absl::Mutex* mu, const absl::Condition& cond,
                         absl::Time deadline) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return mu->AwaitWithDeadline(cond, deadline);
  }
};

struct ManualWait {
  const absl::Condition* cond;
  const std::atomic<int64_t>* now_ns;
  int64_t deadline_ns;
};

bool ManualWaitDone(ManualWait* w) {
  return w->now_ns->load(std::memory_order_acquire) >= w->deadline_ns ||
         w->cond->Eval();
}

int64_t ToNs(absl::Time t) {
  if (t == absl::InfiniteFuture()) return INT64_MAX;
  if (t == absl::InfinitePast()) return INT64_MIN;
  return absl::ToUnixNanos(t);
}

}  // namespace

Clock* SystemClock() {
  static RealClock* clock = new RealClock();
  return clock;
}

ManualClock::ManualClock(absl::Time start) : now_ns_(ToNs(start)) {}

absl::Time ManualClock::Now() {
  return absl::FromUnixNanos(now_ns_.load(std::memory_order_acquire));
}

bool ManualClock::AwaitWithDeadline(absl::Mutex* mu,
                                    const absl::Condition& cond,
                                    absl::Time deadline) {
  ManualWait wait{&cond, &now_ns_, ToNs(deadline)};
  if (ManualWaitDone(&wait)) return cond.Eval();
  {
    absl::MutexLock l(&waiters_mu_);
    waiters_.push_back(mu);
  }
  // Advance() re-evaluates this condition by touching `mu` (see
  // WakeWaiters). That can miss a waiter in the instant between its last
  // check and its sleep (TryLock fails on the mutex it still holds), so the
  // wait also re-checks every few milliseconds of real time; the manual
  // clock still decides every deadline.
  while (!mu->AwaitWithTimeout(absl::Condition(&ManualWaitDone, &wait),
                               absl::Milliseconds(5))) {
  }
  {
    absl::MutexLock l(&waiters_mu_);
    auto it = std::find(waiters_.begin(), waiters_.end(), mu);
    if (it != waiters_.end()) waiters_.erase(it);
  }
  return cond.Eval();
}

void ManualClock::Advance(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return;
  now_ns_.fetch_add(absl::ToInt64Nanoseconds(d), std::memory_order_acq_rel);
  WakeWaiters();
}

void ManualClock::SetTime(absl::Time t) {
  now_ns_.store(ToNs(t), std::memory_order_release);
  WakeWaiters();
}

void ManualClock::WakeWaiters() {
  // absl re-evaluates a waiter's condition whenever its mutex is released,
  // so a successful TryLock/Unlock wakes it. A failed TryLock means another
  // thread holds the mutex and will re-evaluate on release -- unless that
  // thread is the waiter itself on its way to sleep, which the waiter's
  // periodic re-check covers. Never blocking here avoids any lock-order
  // cycle with the waiters' mutexes.
  absl::MutexLock l(&waiters_mu_);
  for (absl::Mutex* mu : waiters_) {
    if (mu->TryLock()) mu->Unlock();
  }
}

}  // namespace brook
