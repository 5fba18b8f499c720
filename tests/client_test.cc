// Unit tests of the backend-neutral consumer parts in lib/client, without an
// engine: SubscriptionState (positions and pause flags across assignment
// changes, consumed offsets, fetch rotation), TopicPattern, AutoCommitTimer,
// CommitCallbackQueue, RebalanceInvoker, WakeupFlag and ThreadGuard.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/error.h"
#include "client/auto_commit.h"
#include "client/commit_callbacks.h"
#include "client/rebalance_invoker.h"
#include "client/subscription_state.h"
#include "client/thread_guard.h"
#include "client/topic_pattern.h"
#include "client/wakeup.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Mode = SubscriptionState::Mode;
using PendingReset = SubscriptionState::PendingReset;

TopicPartition TP(const std::string& topic, int32_t partition) {
  return TopicPartition{topic, partition};
}

TEST(SubscriptionStateTest, PositionsAndPauseFlagsSurviveAssignmentChange) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0), TP("a", 1)});
  s.Find(TP("a", 0))->Seek(42);
  s.Find(TP("a", 1))->Seek(7);
  s.Find(TP("a", 1))->paused = true;

  // a-0 leaves, a-1 stays, b-0 arrives (as a group's rebalance would).
  s.AssignFromSubscribed({TP("b", 0), TP("a", 1)});

  EXPECT_EQ(s.Find(TP("a", 0)), nullptr);
  ASSERT_NE(s.Find(TP("a", 1)), nullptr);
  EXPECT_EQ(s.Find(TP("a", 1))->position, 7);
  EXPECT_TRUE(s.Find(TP("a", 1))->paused);
  ASSERT_NE(s.Find(TP("b", 0)), nullptr);
  EXPECT_EQ(s.Find(TP("b", 0))->position, std::nullopt);
  EXPECT_FALSE(s.Find(TP("b", 0))->paused);
  EXPECT_THAT(s.AssignedPartitions(), ElementsAre(TP("a", 1), TP("b", 0)));
  EXPECT_THAT(s.Paused(), ElementsAre(TP("a", 1)));
}

TEST(SubscriptionStateTest, PartitionThatLeavesAndComesBackStartsOver) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0)});
  s.Find(TP("a", 0))->Seek(42);
  s.Find(TP("a", 0))->paused = true;
  s.AssignFromUser({TP("a", 1)});
  s.AssignFromUser({TP("a", 0)});
  EXPECT_EQ(s.Find(TP("a", 0))->position, std::nullopt);
  EXPECT_FALSE(s.Find(TP("a", 0))->paused);
}

TEST(SubscriptionStateTest, ResetPartitionStateForgetsPositionAndPause) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0), TP("a", 1)});
  s.Find(TP("a", 0))->Seek(3);
  s.Find(TP("a", 0))->paused = true;
  s.Find(TP("a", 1))->Seek(4);
  s.ResetPartitionState(TP("a", 0));
  EXPECT_EQ(s.Find(TP("a", 0))->position, std::nullopt);
  EXPECT_FALSE(s.Find(TP("a", 0))->paused);
  EXPECT_EQ(s.Find(TP("a", 1))->position, 4);
}

TEST(SubscriptionStateTest, ConsumedOffsetsArePositionsOfAssignedPartitions) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0), TP("a", 1), TP("b", 0)});
  s.Find(TP("a", 0))->Seek(10);
  s.Find(TP("b", 0))->Seek(0);
  s.Find(TP("b", 0))->paused = true;  // Paused positions are committed too.
  // a-1 has no position yet: nothing to commit for it.
  OffsetMap consumed = s.ConsumedOffsets();
  ASSERT_EQ(consumed.size(), 2u);
  EXPECT_EQ(consumed.at(TP("a", 0)).offset, 10);
  EXPECT_EQ(consumed.at(TP("b", 0)).offset, 0);
}

TEST(SubscriptionStateTest, SeekAndResetReplaceEachOther) {
  SubscriptionState::PartitionState p;
  p.Seek(5);
  EXPECT_TRUE(p.fetchable());
  p.RequestReset(PendingReset::kToEnd);
  EXPECT_EQ(p.position, std::nullopt);
  EXPECT_EQ(p.pending_reset, PendingReset::kToEnd);
  EXPECT_FALSE(p.fetchable());
  p.Seek(9);
  EXPECT_EQ(p.position, 9);
  EXPECT_EQ(p.pending_reset, PendingReset::kNone);
  p.paused = true;
  EXPECT_FALSE(p.fetchable());
}

TEST(SubscriptionStateTest, AssignFromUserSetsModeEmptyMeansNone) {
  SubscriptionState s;
  EXPECT_EQ(s.mode(), Mode::kNone);
  s.AssignFromUser({TP("a", 0), TP("a", 0)});
  EXPECT_EQ(s.mode(), Mode::kAssigned);
  EXPECT_THAT(s.AssignedPartitions(), ElementsAre(TP("a", 0)));
  s.AssignFromUser({});
  EXPECT_EQ(s.mode(), Mode::kNone);
  EXPECT_TRUE(s.empty());
}

TEST(SubscriptionStateTest, SubscribeSortsAndReportsAChangeOnlyWhenSubscribed) {
  SubscriptionState s;
  EXPECT_FALSE(s.Subscribe({"b", "a", "b"}));  // Not subscribed before.
  EXPECT_TRUE(s.subscribed());
  EXPECT_THAT(s.subscription(), ElementsAre("a", "b"));
  EXPECT_TRUE(s.IsSubscribedTopic("a"));
  EXPECT_FALSE(s.IsSubscribedTopic("c"));
  EXPECT_FALSE(s.Subscribe({"a", "b"}));  // Same topics.
  EXPECT_TRUE(s.Subscribe({"c"}));
  // A group assignment keeps the subscribed mode.
  s.AssignFromSubscribed({TP("c", 0)});
  EXPECT_EQ(s.mode(), Mode::kSubscribed);
  s.Unsubscribe();
  EXPECT_EQ(s.mode(), Mode::kNone);
  EXPECT_THAT(s.subscription(), IsEmpty());
  EXPECT_TRUE(s.empty());
}

TEST(SubscriptionStateTest, PatternSubscriptionKeepsThePattern) {
  SubscriptionState s;
  absl::StatusOr<TopicPattern> p = TopicPattern::Compile("t.*");
  ASSERT_OK(p.status());
  EXPECT_FALSE(s.SubscribePattern(*p, {"t2", "t1"}));
  EXPECT_THAT(s.subscription(), ElementsAre("t1", "t2"));
  ASSERT_TRUE(s.pattern().has_value());
  EXPECT_EQ(s.pattern()->regex(), "t.*");
  s.SetPatternTopics({"t3", "t1"});
  EXPECT_THAT(s.subscription(), ElementsAre("t1", "t3"));
  s.Subscribe({"x"});  // Topics replace the pattern.
  EXPECT_FALSE(s.pattern().has_value());
}

TEST(SubscriptionStateTest, FindAssignedNamesTheOperation) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0)});
  EXPECT_OK(s.FindAssigned(TP("a", 0), "Seek").status());
  absl::StatusOr<SubscriptionState::PartitionState*> missing =
      s.FindAssigned(TP("a", 1), "Seek");
  EXPECT_THAT(missing.status(), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("Seek: no current assignment"));
}

TEST(SubscriptionStateTest, FetchStartRotatesAndRestartsOnNewAssignment) {
  SubscriptionState s;
  s.AssignFromUser({TP("a", 0), TP("a", 1), TP("a", 2)});
  EXPECT_EQ(s.fetch_start(), 0u);
  s.AdvanceFetchStart();
  s.AdvanceFetchStart();
  EXPECT_EQ(s.fetch_start(), 2u);
  s.AdvanceFetchStart();
  EXPECT_EQ(s.fetch_start(), 0u);  // Wraps around.
  s.AdvanceFetchStart();
  s.AssignFromUser({TP("a", 0), TP("a", 1)});
  EXPECT_EQ(s.fetch_start(), 0u);
  SubscriptionState none;
  none.AdvanceFetchStart();  // No partitions: nothing to rotate.
  EXPECT_EQ(none.fetch_start(), 0u);
}

TEST(TopicPatternTest, MatchesWholeNamesOnly) {
  absl::StatusOr<TopicPattern> p = TopicPattern::Compile("orders");
  ASSERT_OK(p.status());
  EXPECT_TRUE(p->Matches("orders"));
  EXPECT_FALSE(p->Matches("orders-eu"));
  EXPECT_FALSE(p->Matches("old-orders"));
  absl::StatusOr<TopicPattern> prefix = TopicPattern::Compile("orders-.*");
  ASSERT_OK(prefix.status());
  EXPECT_THAT(prefix->Filter({"orders-us", "orders", "x-orders-eu",
                              "orders-eu"}),
              ElementsAre("orders-eu", "orders-us"));
}

TEST(TopicPatternTest, MalformedRegexIsInvalidRequest) {
  absl::StatusOr<TopicPattern> p = TopicPattern::Compile("orders-[");
  EXPECT_THAT(p.status(), StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_THAT(std::string(p.status().message()),
              ::testing::HasSubstr("'orders-['"));
}

TEST(AutoCommitTimerTest, DueEveryIntervalCountedFromTheLastCommit) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  AutoCommitTimer timer(true, absl::Seconds(5), t0);
  EXPECT_TRUE(timer.enabled());
  EXPECT_FALSE(timer.Due(t0));
  EXPECT_FALSE(timer.Due(t0 + absl::Milliseconds(4999)));
  // Late by 2 s: the next one is due 5 s after this one, not at t0 + 10 s.
  EXPECT_TRUE(timer.Due(t0 + absl::Seconds(7)));
  EXPECT_FALSE(timer.Due(t0 + absl::Seconds(7)));
  EXPECT_FALSE(timer.Due(t0 + absl::Seconds(11)));
  EXPECT_TRUE(timer.Due(t0 + absl::Seconds(12)));
  EXPECT_EQ(timer.next(), t0 + absl::Seconds(17));
}

TEST(AutoCommitTimerTest, DisabledIsNeverDue) {
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  AutoCommitTimer timer(false, absl::Seconds(5), t0);
  EXPECT_FALSE(timer.enabled());
  EXPECT_FALSE(timer.Due(t0 + absl::Hours(1)));
}

TEST(CommitCallbackQueueTest, RunsLaterInCommitOrder) {
  CommitCallbackQueue q;
  std::vector<std::string> calls;
  auto record = [&calls](std::string name) {
    return [&calls, name](const absl::Status& s, const OffsetMap& offsets) {
      calls.push_back(absl::StrCat(name, ":", s.ok() ? "ok" : "err", ":",
                                   offsets.size()));
    };
  };
  OffsetMap one{{TP("a", 0), OffsetAndMetadata(1)}};
  q.Add(record("first"), absl::OkStatus(), one);
  q.Add(nullptr, absl::OkStatus(), one);  // No callback: nothing queued.
  q.Add(record("second"), Error(ErrorCode::kCommitFailed, "x"), {});
  EXPECT_THAT(calls, IsEmpty());  // Never inside Add.
  q.RunAll();
  EXPECT_THAT(calls, ElementsAre("first:ok:1", "second:err:0"));
  q.RunAll();
  EXPECT_EQ(calls.size(), 2u);  // Each runs once.
}

TEST(CommitCallbackQueueTest, CallbackAddedWhileRunningWaitsForNextRun) {
  CommitCallbackQueue q;
  int inner = 0;
  q.Add(
      [&](const absl::Status&, const OffsetMap&) {
        q.Add([&](const absl::Status&, const OffsetMap&) { ++inner; },
              absl::OkStatus(), {});
      },
      absl::OkStatus(), {});
  q.RunAll();
  EXPECT_EQ(inner, 0);
  EXPECT_FALSE(q.empty());
  q.RunAll();
  EXPECT_EQ(inner, 1);
}

TEST(CommitCallbackQueueTest, ClearDropsUnrun) {
  CommitCallbackQueue q;
  int calls = 0;
  q.Add([&](const absl::Status&, const OffsetMap&) { ++calls; },
        absl::OkStatus(), {});
  q.Clear();
  q.RunAll();
  EXPECT_EQ(calls, 0);
}

class RecordingListener : public ConsumerRebalanceListener {
 public:
  explicit RecordingListener(std::vector<std::string>* calls)
      : calls_(calls) {}
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override {
    calls_->push_back(absl::StrCat("revoked:", p.size()));
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    calls_->push_back(absl::StrCat("assigned:", p.size()));
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override {
    calls_->push_back(absl::StrCat("lost:", p.size()));
  }

 private:
  std::vector<std::string>* calls_;
};

TEST(RebalanceInvokerTest, CallsTheListenerEvenWithNoPartitions) {
  std::vector<std::string> calls;
  RecordingListener listener(&calls);
  RebalanceInvoker invoker("c1");
  invoker.Revoked({});  // No listener: nothing happens.
  invoker.set_listener(ListenerRef(&listener));
  invoker.Revoked({TP("a", 0)});
  invoker.Assigned({});
  invoker.Lost({TP("a", 0), TP("a", 1)});
  EXPECT_THAT(calls, ElementsAre("revoked:1", "assigned:0", "lost:2"));
  invoker.clear_listener();
  invoker.Assigned({});
  EXPECT_EQ(calls.size(), 3u);
}

TEST(RebalanceInvokerTest, KeepsASharedListenerAlive) {
  std::vector<std::string> calls;
  RebalanceInvoker invoker("c1");
  {
    auto shared = std::make_shared<RecordingListener>(&calls);
    invoker.set_listener(ListenerRef(shared));
  }
  ASSERT_NE(invoker.LiveListener(), nullptr);
  invoker.Assigned({TP("a", 0)});
  EXPECT_THAT(calls, ElementsAre("assigned:1"));
}

TEST(RebalanceInvokerTest, DestroyedListenerIsNeverCalled) {
  std::vector<std::string> calls;
  RebalanceInvoker invoker("c1");
  {
    RecordingListener listener(&calls);
    invoker.set_listener(ListenerRef(&listener));
  }
#ifdef NDEBUG
  EXPECT_EQ(invoker.LiveListener(), nullptr);  // Logged, not called.
  invoker.Revoked({TP("a", 0)});
  EXPECT_THAT(calls, IsEmpty());
#else
  EXPECT_DEATH(invoker.Revoked({TP("a", 0)}), "was destroyed");
#endif
}

TEST(WakeupFlagTest, TakenOnce) {
  WakeupFlag w;
  EXPECT_OK(w.Take());
  w.Set();
  EXPECT_TRUE(w.flag()->load());
  EXPECT_THAT(w.Take(), StatusIs(ErrorCode::kWakeup));
  EXPECT_OK(w.Take());
  EXPECT_FALSE(w.flag()->load());
}

TEST(ThreadGuardTest, ReentryAllowedOtherThreadRefused) {
  ThreadGuard guard;
  ThreadGuardScope outer(&guard);
  ASSERT_OK(outer.status());
  {
    ThreadGuardScope inner(&guard);  // A callback calling back in.
    EXPECT_OK(inner.status());
  }
  absl::Status other;
  std::thread([&] {
    ThreadGuardScope scope(&guard);
    other = scope.status();
  }).join();
  EXPECT_THAT(other, StatusIs(ErrorCode::kConcurrentModification));
}

}  // namespace
}  // namespace brook
