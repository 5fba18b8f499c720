// Tests of the clocks: ManualClock moves only when told, and Advance/SetTime
// wake AwaitWithDeadline waiters on other threads whose deadline passed;
// SystemClock follows real time.
#include "brook/clock.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

// A waiter on its own thread: AwaitWithDeadline(mu, flag, deadline).
class Waiter {
 public:
  Waiter(Clock* clock, absl::Time deadline)
      : clock_(clock), deadline_(deadline) {
    thread_ = std::thread([this] {
      absl::MutexLock lock(&mu_);
      auto flag_set = [this]()
                          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return flag_; };
      result_ = clock_->AwaitWithDeadline(&mu_, absl::Condition(&flag_set),
                                          deadline_);
      mu_.AssertHeld();
      done_.Notify();
    });
  }
  ~Waiter() { Join(); }

  void SetFlag() {
    absl::MutexLock lock(&mu_);
    flag_ = true;
  }
  // Waits (real time) up to `timeout` for the waiter to return.
  bool WaitDone(absl::Duration timeout) {
    return done_.WaitForNotificationWithTimeout(timeout);
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  bool result() const { return result_; }

 private:
  Clock* const clock_;
  const absl::Time deadline_;
  absl::Mutex mu_;
  bool flag_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> result_{false};
  absl::Notification done_;
  std::thread thread_;
};

TEST(ManualClockTest, StartsAtAFixedInstant) {
  ManualClock clock;
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1767225600));
  ManualClock custom(absl::FromUnixMillis(42));
  EXPECT_EQ(custom.Now(), absl::FromUnixMillis(42));
}

TEST(ManualClockTest, OnlyMovesWhenTold) {
  ManualClock clock;
  const absl::Time t0 = clock.Now();
  absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(absl::Milliseconds(1500));
  EXPECT_EQ(clock.Now(), t0 + absl::Milliseconds(1500));
  clock.Advance(absl::Nanoseconds(1));
  EXPECT_EQ(clock.Now(), t0 + absl::Milliseconds(1500) + absl::Nanoseconds(1));
  // Zero and negative durations are ignored.
  clock.Advance(absl::ZeroDuration());
  clock.Advance(absl::Seconds(-10));
  EXPECT_EQ(clock.Now(), t0 + absl::Milliseconds(1500) + absl::Nanoseconds(1));
}

TEST(ManualClockTest, SetTimeForwardAndBack) {
  ManualClock clock;
  const absl::Time later = absl::FromUnixSeconds(2000000000);
  clock.SetTime(later);
  EXPECT_EQ(clock.Now(), later);
  const absl::Time earlier = absl::FromUnixSeconds(1000);
  clock.SetTime(earlier);
  EXPECT_EQ(clock.Now(), earlier);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(clock.Now(), earlier + absl::Seconds(1));
}

TEST(ManualClockTest, AwaitReturnsAtOnceWhenConditionHolds) {
  ManualClock clock;
  absl::Mutex mu;
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(clock.AwaitWithDeadline(&mu, absl::Condition::kTrue,
                                      clock.Now() + absl::Hours(1)));
  EXPECT_TRUE(clock.AwaitWithDeadline(&mu, absl::Condition::kTrue,
                                      absl::InfiniteFuture()));
}

TEST(ManualClockTest, AwaitReturnsAtOnceWhenDeadlinePassed) {
  ManualClock clock;
  absl::Mutex mu;
  bool never = false;
  absl::MutexLock lock(&mu);
  EXPECT_FALSE(
      clock.AwaitWithDeadline(&mu, absl::Condition(&never), clock.Now()));
  EXPECT_FALSE(clock.AwaitWithDeadline(&mu, absl::Condition(&never),
                                       clock.Now() - absl::Seconds(1)));
  EXPECT_FALSE(clock.AwaitWithDeadline(&mu, absl::Condition(&never),
                                       absl::InfinitePast()));
}

TEST(ManualClockTest, AdvanceWakesWaiterOnAnotherThread) {
  ManualClock clock;
  const absl::Time deadline = clock.Now() + absl::Seconds(10);
  Waiter waiter(&clock, deadline);
  // Real time passes, manual time does not: still waiting.
  EXPECT_FALSE(waiter.WaitDone(absl::Milliseconds(50)));
  clock.Advance(absl::Seconds(9));
  EXPECT_FALSE(waiter.WaitDone(absl::Milliseconds(50)));
  clock.Advance(absl::Seconds(1));  // Exactly at the deadline.
  ASSERT_TRUE(waiter.WaitDone(absl::Seconds(30)));
  waiter.Join();
  EXPECT_FALSE(waiter.result());  // Timed out: the condition is still false.
}

TEST(ManualClockTest, SetTimeWakesWaiter) {
  ManualClock clock;
  const absl::Time deadline = clock.Now() + absl::Minutes(5);
  Waiter waiter(&clock, deadline);
  EXPECT_FALSE(waiter.WaitDone(absl::Milliseconds(20)));
  clock.SetTime(deadline + absl::Seconds(1));
  ASSERT_TRUE(waiter.WaitDone(absl::Seconds(30)));
  waiter.Join();
  EXPECT_FALSE(waiter.result());
}

TEST(ManualClockTest, ConditionWakesWaiterBeforeDeadline) {
  ManualClock clock;
  Waiter waiter(&clock, clock.Now() + absl::Hours(1));
  EXPECT_FALSE(waiter.WaitDone(absl::Milliseconds(20)));
  waiter.SetFlag();
  ASSERT_TRUE(waiter.WaitDone(absl::Seconds(30)));
  waiter.Join();
  EXPECT_TRUE(waiter.result());
}

TEST(ManualClockTest, InfiniteDeadlineWaitsForCondition) {
  ManualClock clock;
  Waiter waiter(&clock, absl::InfiniteFuture());
  clock.Advance(absl::Hours(24 * 365 * 100));
  EXPECT_FALSE(waiter.WaitDone(absl::Milliseconds(50)));
  waiter.SetFlag();
  ASSERT_TRUE(waiter.WaitDone(absl::Seconds(30)));
  waiter.Join();
  EXPECT_TRUE(waiter.result());
}

TEST(ManualClockTest, AdvanceWakesOnlyWaitersWhoseDeadlinePassed) {
  ManualClock clock;
  const absl::Time t0 = clock.Now();
  Waiter early(&clock, t0 + absl::Seconds(1));
  Waiter late(&clock, t0 + absl::Seconds(100));
  clock.Advance(absl::Seconds(2));
  ASSERT_TRUE(early.WaitDone(absl::Seconds(30)));
  EXPECT_FALSE(late.WaitDone(absl::Milliseconds(50)));
  clock.Advance(absl::Seconds(98));
  ASSERT_TRUE(late.WaitDone(absl::Seconds(30)));
  EXPECT_FALSE(early.result());
  EXPECT_FALSE(late.result());
}

TEST(ManualClockTest, ManyWaitersOnOneMutex) {
  ManualClock clock;
  absl::Mutex mu;
  std::atomic<int> returned{0};
  const absl::Time t0 = clock.Now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      bool never = false;
      absl::MutexLock lock(&mu);
      clock.AwaitWithDeadline(&mu, absl::Condition(&never),
                              t0 + absl::Seconds(1 + i));
      returned.fetch_add(1);
    });
  }
  // Each step passes every deadline even if some waiter was not waiting yet.
  for (int steps = 0; returned.load() < 4 && steps < 3000; ++steps) {
    clock.Advance(absl::Seconds(5));
    absl::SleepFor(absl::Milliseconds(1));
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(returned.load(), 4);
}

TEST(SystemClockTest, FollowsRealTime) {
  Clock* clock = SystemClock();
  ASSERT_NE(clock, nullptr);
  EXPECT_EQ(clock, SystemClock());  // One process-wide instance.
  const absl::Time before = absl::Now();
  const absl::Time now = clock->Now();
  const absl::Time after = absl::Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

TEST(SystemClockTest, AwaitWithDeadline) {
  Clock* clock = SystemClock();
  absl::Mutex mu;
  bool never = false;
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(clock->AwaitWithDeadline(&mu, absl::Condition::kTrue,
                                       absl::InfiniteFuture()));
  EXPECT_FALSE(clock->AwaitWithDeadline(&mu, absl::Condition(&never),
                                        absl::InfinitePast()));
  const absl::Time start = absl::Now();
  EXPECT_FALSE(clock->AwaitWithDeadline(&mu, absl::Condition(&never),
                                        start + absl::Milliseconds(20)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(19));
}

TEST(SystemClockTest, ConditionWakesWaiter) {
  Waiter waiter(SystemClock(), absl::Now() + absl::Seconds(60));
  waiter.SetFlag();
  ASSERT_TRUE(waiter.WaitDone(absl::Seconds(30)));
  waiter.Join();
  EXPECT_TRUE(waiter.result());
}

}  // namespace
}  // namespace brook
