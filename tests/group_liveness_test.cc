// Tests of group liveness and static membership with brook/testing.h:
// session.timeout.ms removal of a crashed (or frozen) member under a
// ManualClock, static members (group.instance.id) that come back within the
// session timeout without a rebalance of the others, fencing of a duplicate
// instance id, and AwaitGroupStable. Every test runs on an in-memory engine
// with a ManualClock; nothing sleeps for correctness.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "brook/rebalance_listener.h"
#include "brook/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/group_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr absl::Duration kSession = absl::Seconds(10);

class GroupLivenessTest : public GroupEngineTest {
 protected:
  // session.timeout.ms 10 s; max.poll.interval.ms 60 s, so that only the
  // session timeout can remove a member in these tests.
  static ConsumerOptions Options(const std::string& client_id,
                                 const std::string& instance_id = "") {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = client_id;
    o.group_instance_id = instance_id;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.enable_auto_commit = false;
    o.assignment_strategies = {"range"};
    o.session_timeout = kSession;
    o.max_poll_interval = absl::Seconds(60);
    return o;
  }

  std::unique_ptr<Consumer> Member(
      const std::string& client_id, const std::string& instance_id = "",
      ConsumerRebalanceListener* listener = nullptr) {
    auto c = engine_->CreateConsumer(Options(client_id, instance_id));
    EXPECT_OK(c);
    if (!c.ok()) return nullptr;
    EXPECT_OK((*c)->Subscribe({"t"}, listener));
    return std::move(*c);
  }
};

// --- session.timeout.ms ----------------------------------------------------

TEST_F(GroupLivenessTest, CrashedMemberIsRemovedAfterSessionTimeout) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la;
  auto a = Member("a", "", &la);
  auto b = Member("b");
  // Each member processes what it reads and commits after processing, except
  // that b crashes after processing t-3 but before committing it.
  std::map<TopicPartition, std::set<int64_t>> processed;
  auto process = [&](Consumer& c, const std::vector<ConsumerRecord>& records,
                     std::function<bool(const TopicPartition&)> commit) {
    OffsetMap offsets;
    for (const ConsumerRecord& r : records) {
      TopicPartition tp(r.topic, r.partition);
      processed[tp].insert(r.offset);
      if (commit(tp)) offsets[tp] = OffsetAndMetadata(r.offset + 1);
    }
    if (!offsets.empty()) {
      EXPECT_OK(c.CommitSync(offsets));
    }
  };
  // a's first Poll completes a generation of its own; b's join follows.
  Rounds({a.get(), b.get()});
  for (int p = 0; p < 4; ++p) Produce({"t", p}, 10);
  auto read = Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  ASSERT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  auto all = [](const TopicPartition&) { return true; };
  process(*a, read[0], all);
  process(*b, read[1],
          [](const TopicPartition& tp) { return tp.partition != 3; });
  const int32_t generation = GenerationOf(*a);
  ASSERT_OK(testing::CrashConsumer(*b));
  EXPECT_THAT(b->Poll(absl::ZeroDuration()), StatusIs(ErrorCode::kClosed));

  // Within the session timeout the crashed member keeps its partitions.
  clock_.Advance(kSession - absl::Seconds(1));
  read = Rounds({a.get()}, 2);
  EXPECT_THAT(read[0], IsEmpty());
  EXPECT_EQ(GenerationOf(*a), generation);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");

  // Past it, b is removed and a takes over, from the committed offsets.
  clock_.Advance(absl::Seconds(1));
  read = Rounds({a.get()}, 3);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1,t-2,t-3");
  EXPECT_GT(GenerationOf(*a), generation);
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1", "revoked:t-0,t-1",
                          "assigned:t-0,t-1,t-2,t-3"));
  // At least once: t-3's uncommitted records are read again; none skipped.
  std::map<TopicPartition, int> reread;
  for (const ConsumerRecord& r : read[0]) {
    ++reread[TopicPartition(r.topic, r.partition)];
  }
  EXPECT_EQ(reread, (std::map<TopicPartition, int>{{{"t", 3}, 10}}));
  process(*a, read[0], all);
  for (int p = 0; p < 4; ++p) {
    EXPECT_EQ(processed[TopicPartition("t", p)].size(), 10u) << "t-" << p;
  }
  ASSERT_OK(testing::AwaitGroupStable(*engine_, "g", 1, absl::Seconds(10)));
  // Close and the destructor of a crashed consumer do nothing.
  EXPECT_OK(b->Close());
  b.reset();
  Rounds({a.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1,t-2,t-3");
}

TEST_F(GroupLivenessTest, SessionTimeoutWakesAMemberBlockedInPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener la;
  auto a = Member("a", "", &la);
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0");
  ASSERT_OK(testing::CrashConsumer(*b));
  absl::Notification took_over;
  la.on_assigned = [&](const std::vector<TopicPartition>& partitions) {
    if (partitions.size() == 2) took_over.Notify();
  };
  // a blocks in Poll; only the ManualClock passing b's session timeout
  // wakes it, and its heartbeat then removes b.
  std::thread t([&] {
    auto records = a->Poll(absl::InfiniteDuration());
    EXPECT_OK(records);
  });
  clock_.Advance(kSession + absl::Milliseconds(1));
  took_over.WaitForNotification();
  ASSERT_OK(testing::AwaitGroupStable(*engine_, "g", 1, absl::Seconds(10)));
  Produce({"t", 1}, 1);  // Ends a's Poll.
  t.join();
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
}

TEST_F(GroupLivenessTest, LiveMemberThatDoesNotPollIsGovernedByMaxPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*a);
  // b does not poll for longer than the session timeout but less than
  // max.poll.interval.ms: it stays (a live process heartbeats).
  clock_.Advance(kSession * 3);
  Rounds({a.get()}, 2);
  EXPECT_EQ(GenerationOf(*a), generation);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0");
  // Past max.poll.interval.ms it is removed.
  clock_.Advance(absl::Seconds(31));
  Rounds({a.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
}

TEST_F(GroupLivenessTest, FrozenMemberIsRemovedOnlyPastSessionTimeout) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener lb;
  auto a = Member("a");
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*a);
  // A short freeze goes unnoticed.
  ASSERT_OK(testing::FreezeConsumer(*b));
  EXPECT_THAT(b->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kIllegalState));
  clock_.Advance(kSession - absl::Seconds(1));
  Rounds({a.get()}, 2);
  ASSERT_OK(testing::ThawConsumer(*b));
  clock_.Advance(absl::Seconds(5));
  Rounds({a.get(), b.get()}, 2);
  EXPECT_EQ(GenerationOf(*a), generation);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-1");
  // A long one gets b removed; after the thaw it loses and rejoins.
  ASSERT_OK(testing::FreezeConsumer(*b));
  clock_.Advance(kSession);
  Rounds({a.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  ASSERT_OK(testing::ThawConsumer(*b));
  Rounds({b.get(), a.get()}, 3);
  EXPECT_THAT(lb.events,
              ElementsAre("assigned:t-1", "lost:t-1", "assigned:t-1"));
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0");
}

TEST_F(GroupLivenessTest, CrashOnItsThreadWhileOthersBlockInPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  constexpr int kPerPartition = 20;
  auto a = Member("a");
  auto b = Member("b");
  absl::Mutex mu;
  std::set<std::pair<int, int64_t>> processed;  // (partition, offset).
  int b_read = 0;
  absl::Notification b_crashed;
  // b processes its first batch, then crashes before committing it.
  std::thread tb([&] {
    for (;;) {
      auto records = b->Poll(absl::InfiniteDuration());
      ASSERT_OK(records);
      if (records->empty()) continue;
      absl::MutexLock lock(&mu);
      for (const ConsumerRecord& r : *records) {
        processed.insert({r.partition, r.offset});
      }
      b_read = static_cast<int>(records->size());
      break;
    }
    EXPECT_OK(testing::CrashConsumer(*b));
    b_crashed.Notify();
  });
  // a processes, then commits, until every record was processed.
  std::thread ta([&] {
    for (;;) {
      {
        absl::MutexLock lock(&mu);
        if (processed.size() == 4u * kPerPartition) return;
      }
      auto records = a->Poll(absl::InfiniteDuration());
      ASSERT_OK(records);
      {
        absl::MutexLock lock(&mu);
        for (const ConsumerRecord& r : *records) {
          processed.insert({r.partition, r.offset});
        }
      }
      EXPECT_OK(a->CommitSync());
    }
  });
  ASSERT_OK(testing::AwaitGroupStable(*engine_, "g", 2, absl::Seconds(30)));
  for (int p = 0; p < 4; ++p) Produce({"t", p}, kPerPartition);
  b_crashed.WaitForNotification();
  // a is blocked in Poll (or about to be); the session timeout wakes it.
  clock_.Advance(kSession + absl::Milliseconds(1));
  ta.join();
  tb.join();
  absl::MutexLock lock(&mu);
  EXPECT_GT(b_read, 0);
  EXPECT_EQ(processed.size(), 4u * kPerPartition);  // None skipped.
}

// --- Static membership -------------------------------------------------------

TEST_F(GroupLivenessTest, StaticMemberReturningInTimeKeepsItsPartitions) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la, lb, la2;
  auto a = Member("a", "instance-a", &la);
  auto b = Member("b", "instance-b", &lb);
  Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  ASSERT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(testing::CrashConsumer(*a));
  clock_.Advance(kSession - absl::Seconds(1));
  Rounds({b.get()}, 2);
  // The restarted process: a new consumer with the same instance id.
  auto a2 = Member("a", "instance-a", &la2);
  Rounds({a2.get(), b.get()});
  EXPECT_EQ(Str(AssignmentOf(*a2)), "t-0,t-1");
  EXPECT_EQ(GenerationOf(*a2), generation);
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_THAT(la2.events, ElementsAre("assigned:t-0,t-1"));
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));  // No rebalance.
  // The old member's session timeout no longer applies.
  clock_.Advance(absl::Seconds(5));
  Rounds({a2.get(), b.get()}, 2);
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));
  ASSERT_OK(testing::AwaitGroupStable(*engine_, "g", 2, absl::Seconds(10)));
}

TEST_F(GroupLivenessTest, StaticMemberCloseDoesNotRebalanceUntilTimeout) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la, lb;
  auto a = Member("a", "instance-a", &la);
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(a->Close());  // Revokes locally; the group keeps the member.
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1", "revoked:t-0,t-1"));
  clock_.Advance(kSession - absl::Seconds(1));
  Rounds({b.get()}, 2);
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  // Not back in time: removed, and b takes everything.
  clock_.Advance(absl::Seconds(1));
  Rounds({b.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-0,t-1,t-2,t-3");
  EXPECT_GT(GenerationOf(*b), generation);
}

TEST_F(GroupLivenessTest, StaticMemberBackAfterTimeoutJoinsWithRebalance) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a", "instance-a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(testing::CrashConsumer(*a));
  clock_.Advance(kSession);
  Rounds({b.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-0,t-1");
  auto a2 = Member("a", "instance-a");
  Rounds({a2.get(), b.get()});
  EXPECT_EQ(Str(AssignmentOf(*a2)), "t-0");
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-1");
  EXPECT_GT(GenerationOf(*b), generation + 1);
}

TEST_F(GroupLivenessTest, StaticMemberBackWithNewSubscriptionRebalances) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  ASSERT_OK(engine_->admin().CreateTopic("u", 2));
  RecordingListener lb;
  auto a = Member("a", "instance-a");
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(testing::CrashConsumer(*a));
  auto a2 = engine_->CreateConsumer(Options("a", "instance-a"));
  ASSERT_OK(a2);
  ASSERT_OK((*a2)->Subscribe({"t", "u"}, nullptr));
  Rounds({a2->get(), b.get()});
  EXPECT_GT(GenerationOf(*b), generation);
  EXPECT_EQ(Str(AssignmentOf(**a2)), "t-0,u-0,u-1");
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-1");
}

TEST_F(GroupLivenessTest, StaticMemberUnsubscribeKeepsItUntilTimeout) {
  // As Kafka: a static member sends no LeaveGroup on unsubscribe either.
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener la, lb;
  auto a = Member("a", "instance-a", &la);
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(a->Unsubscribe());  // Revokes locally; the group keeps it.
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1", "revoked:t-0,t-1"));
  EXPECT_THAT(AssignmentOf(*a), IsEmpty());
  clock_.Advance(kSession - absl::Seconds(1));
  Rounds({b.get()}, 2);
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-2,t-3");
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));
  // Not back in time: removed, and b takes everything.
  clock_.Advance(absl::Seconds(1));
  Rounds({b.get()}, 2);
  EXPECT_EQ(Str(AssignmentOf(*b)), "t-0,t-1,t-2,t-3");
  EXPECT_GT(GenerationOf(*b), generation);
}

TEST_F(GroupLivenessTest, StaticMemberSubscribingAgainInTimeKeepsItsPlace) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  RecordingListener lb;
  auto a = Member("a", "instance-a");
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  const int32_t generation = GenerationOf(*b);
  ASSERT_OK(a->Unsubscribe());
  ASSERT_OK(a->Subscribe({"t"}));
  Rounds({a.get(), b.get()});
  EXPECT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));  // No rebalance.
}

TEST_F(GroupLivenessTest, DuplicateInstanceIdFencesTheFirstMember) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  Produce({"t", 0}, 3);
  RecordingListener la, lb;
  auto a = Member("a", "instance-a", &la);
  auto b = Member("b", "", &lb);
  Rounds({a.get(), b.get()});
  ASSERT_EQ(Str(AssignmentOf(*a)), "t-0,t-1");
  const int32_t generation = GenerationOf(*b);
  // A second live member with the same instance id takes a's place.
  auto dup = Member("dup", "instance-a");
  Rounds({dup.get(), b.get()});
  EXPECT_EQ(Str(AssignmentOf(*dup)), "t-0,t-1");
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_THAT(lb.events, ElementsAre("assigned:t-2,t-3"));
  // a is fenced: its calls fail with FencedInstanceId, it lost everything.
  EXPECT_THAT(a->CommitSync({{TopicPartition("t", 0), OffsetAndMetadata(1)}}),
              StatusIs(ErrorCode::kFencedInstanceId));
  EXPECT_THAT(a->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kFencedInstanceId));
  EXPECT_THAT(a->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kFencedInstanceId));
  EXPECT_THAT(la.events,
              ElementsAre("assigned:t-0,t-1,t-2,t-3", "revoked:t-0,t-1,t-2,t-3",
                          "assigned:t-0,t-1", "lost:t-0,t-1"));
  EXPECT_THAT(AssignmentOf(*a), IsEmpty());
  // Closing the fenced consumer does not disturb the group.
  EXPECT_OK(a->Close());
  Rounds({dup.get(), b.get()}, 2);
  EXPECT_EQ(GenerationOf(*b), generation);
  EXPECT_EQ(Str(AssignmentOf(*dup)), "t-0,t-1");
  ASSERT_OK(testing::AwaitGroupStable(*engine_, "g", 2, absl::Seconds(10)));
}

// --- AwaitGroupStable --------------------------------------------------------

TEST_F(GroupLivenessTest, AwaitGroupStableWaitsForMembersOnTheirThreads) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 6));
  constexpr int kMembers = 3;
  std::vector<std::unique_ptr<Consumer>> members;
  for (int i = 0; i < kMembers; ++i) {
    members.push_back(Member(absl::StrCat("m", i)));
  }
  std::vector<std::thread> threads;
  for (auto& c : members) {
    threads.emplace_back([&c] {
      for (;;) {
        auto records = c->Poll(absl::InfiniteDuration());
        if (!records.ok()) {
          EXPECT_THAT(records, StatusIs(ErrorCode::kWakeup));
          auto assignment = c->Assignment();
          EXPECT_OK(assignment);
          if (assignment.ok()) {
            EXPECT_EQ(assignment->size(), 2u);
          }
          return;
        }
      }
    });
  }
  EXPECT_OK(
      testing::AwaitGroupStable(*engine_, "g", kMembers, absl::Seconds(30)));
  // Not the expected size: a Timeout naming the group's state.
  EXPECT_THAT(testing::AwaitGroupStable(*engine_, "g", kMembers + 1,
                                        absl::Milliseconds(20)),
              StatusIs(ErrorCode::kTimeout));
  EXPECT_THAT(testing::AwaitGroupStable(*engine_, "no-such-group", 1,
                                        absl::Milliseconds(20)),
              StatusIs(ErrorCode::kTimeout));
  for (auto& c : members) c->Wakeup();
  for (std::thread& t : threads) t.join();
}

// Kafka's heartbeat thread leaves the group once max.poll.interval.ms
// passes without a Poll, so a member's own late Poll finds its partitions
// lost, even when no other member noticed first.
TEST_F(GroupLivenessTest, LatePollOfTheOnlyMemberFindsItsPartitionsLost) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  RecordingListener la;
  auto a = Member("a", "", &la);
  Rounds({a.get()}, 2);
  const int32_t generation = GenerationOf(*a);
  clock_.Advance(absl::Seconds(60));  // max.poll.interval.ms in Options().
  Rounds({a.get()}, 2);
  EXPECT_THAT(la.events, ElementsAre("assigned:t-0,t-1", "lost:t-0,t-1",
                                     "assigned:t-0,t-1"));
  EXPECT_GT(GenerationOf(*a), generation);
}

}  // namespace
}  // namespace brook
