// Tests of consumer groups: the in-memory coordinator and the group protocol
// inside Poll. Every test runs on an in-memory engine with a ManualClock, so
// rebalances and poll-interval expiries are deterministic: single-threaded
// tests drive the members with Poll(0) in rounds; the concurrency tests run
// one consumer per thread and check that no two members ever own the same
// partition.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "brook/rebalance_listener.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/group_testing.h"
#include "testing/status_matchers.h"
#include "testing/threads.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::SizeIs;

class GroupTest : public GroupEngineTest {
 protected:
  static ConsumerOptions Options(const std::string& client_id,
                                 std::vector<std::string> strategies = {
                                     "range"}) {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = client_id;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.enable_auto_commit = false;
    o.assignment_strategies = std::move(strategies);
    o.max_poll_interval = absl::Seconds(10);
    return o;
  }

  std::unique_ptr<Consumer> NewConsumer(const ConsumerOptions& options) {
    auto consumer = engine_->CreateConsumer(options);
    EXPECT_OK(consumer);
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  // A consumer subscribed to `topics` in group "g".
  std::unique_ptr<Consumer> Member(
      const std::string& client_id,
      std::vector<std::string> strategies = {"range"},
      ConsumerRebalanceListener* listener = nullptr,
      std::vector<std::string> topics = {"t"}) {
    auto c = NewConsumer(Options(client_id, std::move(strategies)));
    if (c != nullptr) {
      EXPECT_OK(c->Subscribe(topics, listener));
    }
    return c;
  }
};

// --- Assignment through the group ------------------------------------------

TEST_F(GroupTest, RangeSplitsPartitionsBetweenTwoMembers) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  // Members sort by member id ("a-1" < "b-2"); range gives each a range.
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  auto ma = a->GroupMetadata();
  ASSERT_OK(ma);
  EXPECT_EQ(ma->group_id, "g");
  EXPECT_TRUE(absl::StartsWith(ma->member_id, "a-")) << ma->member_id;
  auto mb = b->GroupMetadata();
  ASSERT_OK(mb);
  EXPECT_EQ(ma->generation_id, mb->generation_id);
  EXPECT_GT(ma->generation_id, 0);
}

TEST_F(GroupTest, RoundRobinDealsPartitionsToThreeMembers) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 7));
  auto a = Member("a", {"roundrobin"});
  auto b = Member("b", {"roundrobin"});
  auto c = Member("c", {"roundrobin"});
  Rounds({a.get(), b.get(), c.get()});
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-3,t-6");
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-1,t-4");
  EXPECT_EQ(Str(AssignmentOf(*c)), "t-2,t-5");
}

TEST_F(GroupTest, CooperativeStickyBalancesThreeMembers) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 6));
  auto a = Member("a", {"cooperative-sticky"});
  auto b = Member("b", {"cooperative-sticky"});
  auto c = Member("c", {"cooperative-sticky"});
  Rounds({a.get(), b.get(), c.get()}, 8);
  std::set<TopicPartition> all;
  for (Consumer* m : {a.get(), b.get(), c.get()}) {
    std::vector<TopicPartition> owned = AssignmentOf(*m);
    EXPECT_THAT(owned, SizeIs(2));
    for (const TopicPartition& tp : owned) EXPECT_TRUE(all.insert(tp).second);
  }
  EXPECT_THAT(all, SizeIs(6));
}

TEST_F(GroupTest, PollReadsOnlyTheMembersPartitions) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  Produce({"t", 0}, 3);
  Produce({"t", 1}, 5);
  auto read = Rounds({a.get(), b.get()});
  ASSERT_THAT(read[0], SizeIs(3));
  ASSERT_THAT(read[1], SizeIs(5));
  for (const ConsumerRecord& r : read[0]) EXPECT_EQ(r.partition, 0);
  for (const ConsumerRecord& r : read[1]) EXPECT_EQ(r.partition, 1);
}

TEST_F(GroupTest, DifferentGroupsEachReadEverything) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  ConsumerOptions o = Options("other");
  o.group_id = "g2";
  auto other = NewConsumer(o);
  ASSERT_OK(other->Subscribe({"t"}));
  Rounds({a.get(), other.get()});
  Produce({"t", 0}, 2);
  Produce({"t", 1}, 2);
  auto read = Rounds({a.get(), other.get()});
  EXPECT_THAT(read[0], SizeIs(4));
  EXPECT_THAT(read[1], SizeIs(4));
}

TEST_F(GroupTest, ChangingTheSubscriptionRebalances) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  ASSERT_OK(engine_->admin().CreateTopic("u", 1));
  RecordingListener la;
  auto a = Member("a", {"range"}, &la);
  Rounds({a.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  ASSERT_OK(a->Subscribe({"u", "t"}, &la));
  auto sub = a->Subscription();
  ASSERT_OK(sub);
  EXPECT_THAT(*sub, ElementsAre("t", "u"));
  Rounds({a.get()});
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1,u-0");
  EXPECT_THAT(la.events, ElementsAre("assigned:t-0,t-1", "revoked:t-0,t-1",
                                     "assigned:t-0,t-1,u-0"));
}

// --- Eager rebalancing and listener order ----------------------------------

TEST_F(GroupTest, EagerJoinAndLeaveCallListenersInKafkaOrder) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la, lb;
  auto a = Member("a", {"range"}, &la);
  Rounds({a.get()});
  EXPECT_THAT(la.events, ElementsAre("assigned:t-0,t-1,t-2,t-3"));

  auto b = Member("b", {"range"}, &lb);
  Rounds({a.get(), b.get()});
  // Eager: a revokes everything before the new assignment.
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1"));
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));

  // Close leaves at once: b revokes, a takes everything back.
  ASSERT_OK(b->Close());
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3", "revoked:t-2,t-3"));
  Rounds({a.get()});
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1", "revoked:t-0,t-1",
                          "assigned:t-0,t-1,t-2,t-3"));
}

TEST_F(GroupTest, UnsubscribeRevokesAndLeaves) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener la;
  auto a = Member("a", {"range"}, &la);
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  ASSERT_OK(a->Unsubscribe());
  EXPECT_THAT(la.events, ElementsAre("assigned:t-0,t-1", "revoked:t-0,t-1",
                                     "assigned:t-0", "revoked:t-0"));
  EXPECT_THAT(AssignmentOf(*a), IsEmpty());
  auto sub = a->Subscription();
  ASSERT_OK(sub);
  EXPECT_THAT(*sub, IsEmpty());
  Rounds({b.get()});
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-0,t-1");
  // Not subscribed and nothing assigned: Poll is IllegalState again.
  EXPECT_THAT(a->Poll(absl::ZeroDuration()).status(),
              StatusIs(ErrorCode::kIllegalState));
}

TEST_F(GroupTest, EnforceRebalanceStartsANewGeneration) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  const int32_t before = a->GroupMetadata()->generation_id;
  ASSERT_OK(a->EnforceRebalance());
  Rounds({a.get(), b.get()});
  EXPECT_GT(a->GroupMetadata()->generation_id, before);
  EXPECT_EQ(a->GroupMetadata()->generation_id,
            b->GroupMetadata()->generation_id);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0");
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-1");
}

// --- Cooperative rebalancing -----------------------------------------------

TEST_F(GroupTest, CooperativeKeepsUnaffectedPartitionsAndHandsOverLater) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la, lb;
  auto a = Member("a", {"cooperative-sticky"}, &la);
  Rounds({a.get()});
  ASSERT_THAT(la.events, ElementsAre("assigned:t-0,t-1,t-2,t-3"));
  for (int p = 0; p < 4; ++p) Produce({"t", p}, 2);

  auto b = Member("b", {"cooperative-sticky"}, &lb);
  // b joins; the group waits for a.
  auto first = b->Poll(absl::ZeroDuration());
  ASSERT_OK(first);
  EXPECT_THAT(*first, IsEmpty());
  // a rejoins, the first rebalance gives b nothing and makes a revoke two
  // partitions; a keeps reading the other two while the follow-up
  // rebalance waits for b.
  auto read = a->Poll(absl::ZeroDuration());
  ASSERT_OK(read);
  ASSERT_THAT(la.events, SizeIs(3));
  EXPECT_TRUE(absl::StartsWith(la.events[1], "revoked:")) << la.events[1];
  EXPECT_EQ(la.events[2], "assigned:");
  const std::vector<TopicPartition> kept = AssignmentOf(*a);
  ASSERT_THAT(kept, SizeIs(2));
  EXPECT_THAT(*read, SizeIs(4));
  for (const ConsumerRecord& r : *read) {
    EXPECT_TRUE(std::count(kept.begin(), kept.end(),
                           TopicPartition(r.topic, r.partition)))
        << r.partition;
  }
  // Nothing is owned twice at any step of the handover.
  for (int step = 0; step < 6; ++step) {
    std::set<TopicPartition> owned;
    for (Consumer* m : {a.get(), b.get()}) {
      for (const TopicPartition& tp : AssignmentOf(*m)) {
        EXPECT_TRUE(owned.insert(tp).second) << tp.ToString();
      }
    }
    Rounds({step % 2 ? a.get() : b.get()}, 1);
  }
  // b's first rebalance gave it nothing (the partitions were still a's);
  // the follow-up one gives it what a revoked.
  ASSERT_THAT(lb.events, SizeIs(2));
  EXPECT_EQ(lb.events[0], "assigned:");
  EXPECT_EQ(lb.events[1], "assigned:" + la.events[1].substr(8));
  EXPECT_THAT(AssignmentOf(*b), SizeIs(2));
  // a never revoked what it kept.
  EXPECT_THAT(la.events, SizeIs(4));
  EXPECT_EQ(la.events[3], "assigned:");
  EXPECT_EQ(AssignmentOf(*a), kept);
}

TEST_F(GroupTest, EagerStickyKeepsTheRemainingMembersPartitions) {
  // Kafka's StickyAssignor sends each member's previous assignment (and its
  // generation) in its user data, although an eager member revokes
  // everything before it rejoins: when b leaves, a and c keep theirs and
  // only b's partitions move.
  ASSERT_OK(engine_->admin().CreateTopic("t", 6));
  auto a = Member("a", {"sticky"});
  auto b = Member("b", {"sticky"});
  auto c = Member("c", {"sticky"});
  Rounds({a.get(), b.get(), c.get()}, 8);
  const std::vector<TopicPartition> a_before = AssignmentOf(*a);
  const std::vector<TopicPartition> b_before = AssignmentOf(*b);
  const std::vector<TopicPartition> c_before = AssignmentOf(*c);
  // (Without stickiness: a=[t-0,t-3], b=[t-1,t-4], c=[t-2,t-5].)
  ASSERT_THAT(a_before, SizeIs(2));
  ASSERT_THAT(b_before, SizeIs(2));
  ASSERT_THAT(c_before, SizeIs(2));
  ASSERT_OK(b->Close());
  Rounds({a.get(), c.get()}, 8);
  const std::vector<TopicPartition> a_after = AssignmentOf(*a);
  const std::vector<TopicPartition> c_after = AssignmentOf(*c);
  EXPECT_THAT(a_after, SizeIs(3));
  EXPECT_THAT(c_after, SizeIs(3));
  EXPECT_THAT(a_after, IsSupersetOf(a_before)) << Str(a_before);
  EXPECT_THAT(c_after, IsSupersetOf(c_before)) << Str(c_before);
}

TEST_F(GroupTest, DefaultStrategiesRebalanceEagerly) {
  // [range, cooperative-sticky]: range wins the vote and, as in Kafka, a
  // consumer that lists an eager-only assignor rebalances eagerly.
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener la;
  auto a = Member("a", {"range", "cooperative-sticky"}, &la);
  Rounds({a.get()});
  auto b = Member("b", {"range", "cooperative-sticky"});
  Rounds({a.get(), b.get()});
  EXPECT_THAT(la.events, ElementsAre("assigned:t-0,t-1", "revoked:t-0,t-1",
                                     "assigned:t-0"));
}

TEST_F(GroupTest, NoCommonStrategyIsInconsistentGroupProtocol) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a", {"range"});
  Rounds({a.get()});
  auto b = Member("b", {"roundrobin"});
  EXPECT_THAT(b->Poll(absl::ZeroDuration()).status(),
              StatusIs(ErrorCode::kInconsistentGroupProtocol));
  Rounds({a.get()});
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
}

// --- Liveness and commits --------------------------------------------------

TEST_F(GroupTest, StalledMemberIsRemovedAndOthersTakeOver) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener lb;
  auto a = Member("a");
  auto b = Member("b", {"range"}, &lb);
  Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  // a keeps polling; b stops for longer than max.poll.interval.ms (10 s).
  clock_.Advance(absl::Seconds(6));
  Rounds({a.get()}, 1);
  clock_.Advance(absl::Seconds(6));
  Rounds({a.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1,t-2,t-3");
  // b's commit with its stale generation fails.
  EXPECT_THAT(b->CommitSync({{TopicPartition("t", 2), OffsetAndMetadata(0)}}),
              StatusIs(ErrorCode::kCommitFailed));
  // b's next Poll finds it lost its partitions and rejoins as a new member.
  Rounds({b.get(), a.get()}, 3);
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3", "lost:t-2,t-3",
                                     "assigned:t-2,t-3"));
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
}

TEST_F(GroupTest, BlockedPollWakesAtTheGroupsDeadlineUnderManualClock) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener la;
  auto a = Member("a", {"range"}, &la);
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0");
  absl::Notification took_over;
  la.on_assigned = [&](const std::vector<TopicPartition>& partitions) {
    if (partitions.size() == 2) took_over.Notify();
  };
  // a blocks in Poll; b stalls. Advancing past b's poll interval wakes a
  // (nothing else does), whose heartbeat removes b and takes over t-1.
  std::thread t([&] {
    auto records = a->Poll(absl::InfiniteDuration());
    EXPECT_OK(records);
    if (records.ok()) {
      EXPECT_THAT(*records, SizeIs(1));
    }
  });
  clock_.Advance(absl::Seconds(11));
  took_over.WaitForNotification();
  Produce({"t", 1}, 1);  // Ends a's Poll.
  t.join();
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
}

TEST_F(GroupTest, CommitWhileOwnRejoinIsUnderWayIsRebalanceInProgress) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  Rounds({a.get()});
  auto b = Member("b");
  ASSERT_OK(b->Poll(absl::ZeroDuration()));  // Joined; waits for a.
  EXPECT_THAT(b->CommitSync({{TopicPartition("t", 1), OffsetAndMetadata(0)}}),
              StatusIs(ErrorCode::kRebalanceInProgress));
  Rounds({a.get(), b.get()});
  EXPECT_OK(b->CommitSync({{TopicPartition("t", 1), OffsetAndMetadata(0)}}));
}

TEST_F(GroupTest, CommitInOnPartitionsRevokedAvoidsDuplicates) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 5);
  Produce({"t", 1}, 5);
  RecordingListener la;
  auto a = Member("a", {"range"}, &la);
  la.on_revoked = [&](const std::vector<TopicPartition>&) {
    EXPECT_OK(a->CommitSync());
  };
  auto read = Rounds({a.get()});
  ASSERT_THAT(read[0], SizeIs(10));
  auto b = Member("b");
  Produce({"t", 1}, 3);
  read = Rounds({b.get(), a.get()});
  // b starts t-1 at a's committed position: only the 3 new records.
  ASSERT_THAT(read[0], SizeIs(3));
  for (const ConsumerRecord& r : read[0]) {
    EXPECT_EQ(r.partition, 1);
    EXPECT_GE(r.offset, 5);
  }
  EXPECT_THAT(read[1], IsEmpty());
}

TEST_F(GroupTest, AutoCommitBeforeEagerRevokeAvoidsDuplicates) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 1}, 4);
  ConsumerOptions o = Options("a");
  o.enable_auto_commit = true;
  auto a = NewConsumer(o);
  ASSERT_OK(a->Subscribe({"t"}));
  ASSERT_THAT(Rounds({a.get()})[0], SizeIs(4));
  auto b = Member("b");
  auto read = Rounds({b.get(), a.get()});
  EXPECT_THAT(read[0], IsEmpty());
}

// --- API rules -------------------------------------------------------------

TEST_F(GroupTest, AssignAndSubscribeAreMutuallyExclusive) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto c = NewConsumer(Options("a"));
  ASSERT_OK(c->Assign({TopicPartition("t", 0)}));
  EXPECT_THAT(c->Subscribe({"t"}), StatusIs(ErrorCode::kIllegalState));
  ASSERT_OK(c->Assign({}));
  ASSERT_OK(c->Subscribe({"t"}));
  EXPECT_THAT(c->Assign({TopicPartition("t", 0)}),
              StatusIs(ErrorCode::kIllegalState));
  auto sub = c->Subscription();
  ASSERT_OK(sub);
  EXPECT_THAT(*sub, ElementsAre("t"));
}

TEST_F(GroupTest, SubscribeNeedsGroupId) {
  ConsumerOptions o = Options("a");
  o.group_id.clear();
  auto c = NewConsumer(o);
  EXPECT_THAT(c->Subscribe({"t"}), StatusIs(ErrorCode::kInvalidGroupId));
  EXPECT_THAT(c->EnforceRebalance(), StatusIs(ErrorCode::kIllegalState));
}

TEST_F(GroupTest, UnknownStrategyIsInvalidConfig) {
  ConsumerOptions o = Options("a", {"fastest"});
  EXPECT_THAT(engine_->CreateConsumer(o).status(),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(GroupTest, SubscribingToAMissingTopicAssignsNothing) {
  auto a = Member("a", {"range"}, nullptr, {"later"});
  auto records = a->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(AssignmentOf(*a), IsEmpty());
}

// --- Concurrency: no partition is ever owned twice -------------------------

// Tracks ownership as the listeners report it and counts any partition
// assigned to a member while another one owns it.
class OwnershipChecker {
 public:
  class Listener : public ConsumerRebalanceListener {
   public:
    Listener(OwnershipChecker* checker, int member)
        : checker_(checker), member_(member) {}
    void OnPartitionsRevoked(
        const std::vector<TopicPartition>& partitions) override {
      checker_->Release(member_, partitions);
    }
    void OnPartitionsLost(
        const std::vector<TopicPartition>& partitions) override {
      checker_->Release(member_, partitions);
    }
    void OnPartitionsAssigned(
        const std::vector<TopicPartition>& partitions) override {
      checker_->Take(member_, partitions);
    }

   private:
    OwnershipChecker* const checker_;
    const int member_;
  };

  void Take(int member, const std::vector<TopicPartition>& partitions) {
    absl::MutexLock lock(&mu_);
    for (const TopicPartition& tp : partitions) {
      auto [it, inserted] = owner_.emplace(tp, member);
      if (!inserted && it->second != member) ++violations_;
      it->second = member;
    }
  }
  void Release(int member, const std::vector<TopicPartition>& partitions) {
    absl::MutexLock lock(&mu_);
    for (const TopicPartition& tp : partitions) {
      auto it = owner_.find(tp);
      if (it != owner_.end() && it->second == member) owner_.erase(it);
    }
  }
  int violations() {
    absl::MutexLock lock(&mu_);
    return violations_;
  }

 private:
  absl::Mutex mu_;
  std::map<TopicPartition, int> owner_ ABSL_GUARDED_BY(mu_);
  int violations_ ABSL_GUARDED_BY(mu_) = 0;
};

class ConcurrentGroupTest : public GroupTest,
                            public ::testing::WithParamInterface<std::string> {
};

TEST_P(ConcurrentGroupTest, NoTwoMembersEverOwnTheSamePartition) {
  constexpr int kMembers = 4;
  constexpr int kPolls = 400;
  ASSERT_OK(engine_->admin().CreateTopic("t", 12));
  for (int p = 0; p < 12; ++p) Produce({"t", p}, 3);
  OwnershipChecker checker;
  std::vector<std::unique_ptr<OwnershipChecker::Listener>> listeners;
  std::vector<std::unique_ptr<Consumer>> consumers;
  for (int i = 0; i < kMembers; ++i) {
    listeners.push_back(
        std::make_unique<OwnershipChecker::Listener>(&checker, i));
    consumers.push_back(
        NewConsumer(Options(absl::StrCat("m", i), {GetParam()})));
    ASSERT_OK(consumers[i]->Subscribe({"t"}, listeners[i].get()));
  }
  RunTogether(kMembers, [&](int i) {
    for (int n = 0; n < kPolls; ++n) {
      // Member 0 leaves half-way and member 1 forces a rebalance, so
      // members join, leave and rebalance while the others poll.
      if (i == 0 && n == kPolls / 2) {
        EXPECT_OK(consumers[0]->Close());
        return;
      }
      if (i == 1 && n == kPolls / 4) {
        EXPECT_OK(consumers[1]->EnforceRebalance());
      }
      auto records = consumers[i]->Poll(absl::ZeroDuration());
      EXPECT_OK(records);
    }
  });
  EXPECT_EQ(checker.violations(), 0);
  // Settle, then every partition has exactly one owner among the rest.
  Rounds({consumers[1].get(), consumers[2].get(), consumers[3].get()}, 8);
  std::set<TopicPartition> owned;
  for (int i = 1; i < kMembers; ++i) {
    for (const TopicPartition& tp : AssignmentOf(*consumers[i])) {
      EXPECT_TRUE(owned.insert(tp).second) << tp.ToString();
    }
  }
  EXPECT_THAT(owned, SizeIs(12));
  EXPECT_EQ(checker.violations(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Strategies, ConcurrentGroupTest,
    ::testing::Values("range", "roundrobin", "sticky", "cooperative-sticky"),
    [](const auto& info) {
      std::string name = info.param;
      name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
      return name;
    });

}  // namespace
}  // namespace brook
