// Tests of group administration through Admin: ListGroups, DescribeGroup,
// ListGroupOffsets (lag), DeleteGroup and ResetOffsets. Groups are driven as
// in group_test.cc: an in-memory engine with a ManualClock, members polled
// with Poll(0) in rounds.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/group_testing.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// "t-0:3->0,t-1:-1->0"
std::string Str(const std::vector<OffsetResetPlanEntry>& plan) {
  std::vector<std::string> parts;
  for (const OffsetResetPlanEntry& e : plan) {
    parts.push_back(absl::StrCat(e.partition.ToString(), ":", e.old_offset,
                                 "->", e.new_offset));
  }
  return absl::StrJoin(parts, ",");
}

class GroupAdminTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(TestLabel(), /*in_memory=*/true); }

  void Open(const std::string& dir, bool in_memory) {
    EngineOptions o;
    o.in_memory = in_memory;
    o.clock = &clock_;
    auto engine = Engine::Open(o, dir);
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
    auto producer = engine_->CreateProducer(Immediate());
    ASSERT_OK(producer);
    producer_ = std::move(*producer);
  }

  Admin& admin() { return engine_->admin(); }

  // A consumer in group "g" subscribed to "t".
  std::unique_ptr<Consumer> Member(const std::string& client_id) {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = client_id;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.enable_auto_commit = false;
    o.assignment_strategies = {"range"};
    o.max_poll_interval = absl::Seconds(10);
    auto c = engine_->CreateConsumer(o);
    EXPECT_OK(c);
    if (!c.ok()) return nullptr;
    EXPECT_OK((*c)->Subscribe({"t"}));
    return std::move(*c);
  }

  // Sends `n` records to `tp`, the i-th stamped `first + i * step`.
  void Produce(const TopicPartition& tp, int n,
               absl::Time first = absl::UnixEpoch() + absl::Hours(1),
               absl::Duration step = absl::Seconds(10)) {
    for (int i = 0; i < n; ++i) {
      ProducerRecord r(tp.topic, absl::StrCat("k", i), absl::StrCat("v", i));
      r.partition = tp.partition;
      r.timestamp = first + i * step;
      producer_->Send(std::move(r));
    }
    ASSERT_OK(producer_->Flush());
  }

  // Commits `offsets` for group "g" with no member left behind: a
  // standalone consumer (assign, not subscribe) commits and closes.
  void CommitAsIdleGroup(const OffsetMap& offsets) {
    ConsumerOptions o;
    o.group_id = "g";
    o.enable_auto_commit = false;
    auto c = engine_->CreateConsumer(o);
    ASSERT_OK(c);
    std::vector<TopicPartition> tps;
    for (const auto& [tp, om] : offsets) tps.push_back(tp);
    ASSERT_OK((*c)->Assign(tps));
    ASSERT_OK((*c)->CommitSync(offsets));
    ASSERT_OK((*c)->Close());
  }

  std::map<TopicPartition, GroupPartitionOffset> Offsets(
      const std::string& group = "g") {
    auto offsets = admin().ListGroupOffsets(group);
    EXPECT_OK(offsets);
    std::map<TopicPartition, GroupPartitionOffset> out;
    if (offsets.ok()) {
      for (const GroupPartitionOffset& o : *offsets) out[o.partition] = o;
    }
    return out;
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
};

// --- ListGroups and DescribeGroup -----------------------------------------

TEST_F(GroupAdminTest, DescribesStableGroupWithTwoMembers) {
  ASSERT_OK(admin().CreateTopic("t", 4));
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});

  auto d = admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->group_id, "g");
  EXPECT_EQ(d->state, ConsumerGroupState::kStable);
  EXPECT_EQ(ConsumerGroupStateName(d->state), "Stable");
  EXPECT_EQ(d->protocol_type, "consumer");
  EXPECT_EQ(d->protocol, "range");
  EXPECT_GT(d->generation, 0);
  ASSERT_THAT(d->members, SizeIs(2));
  EXPECT_EQ(d->leader, d->members[0].member_id);
  EXPECT_EQ(d->members[0].client_id, "a");
  EXPECT_EQ(d->members[1].client_id, "b");
  EXPECT_EQ(d->members[0].group_instance_id, "");
  EXPECT_EQ(Str(d->members[0].assignment), "t-0,t-1");
  EXPECT_EQ(Str(d->members[1].assignment), "t-2,t-3");
  auto ma = a->GroupMetadata();
  ASSERT_OK(ma);
  EXPECT_EQ(d->members[0].member_id, ma->member_id);
  EXPECT_EQ(d->generation, ma->generation_id);

  auto groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, ElementsAre("g"));
}

TEST_F(GroupAdminTest, GroupsWithOnlyCommittedOffsetsAreListedAsEmpty) {
  ASSERT_OK(admin().CreateTopic("t", 2));
  CommitAsIdleGroup({{{"t", 0}, OffsetAndMetadata(0)}});
  auto groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, ElementsAre("g"));
  auto d = admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->state, ConsumerGroupState::kEmpty);
  EXPECT_EQ(d->protocol_type, "consumer");
  EXPECT_THAT(d->members, IsEmpty());
}

TEST_F(GroupAdminTest, UnknownGroupIsDead) {
  auto d = admin().DescribeGroup("nobody");
  ASSERT_OK(d);
  EXPECT_EQ(d->state, ConsumerGroupState::kDead);
  EXPECT_EQ(ConsumerGroupStateName(d->state), "Dead");
  EXPECT_THAT(d->members, IsEmpty());
  auto groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, IsEmpty());
  auto offsets = admin().ListGroupOffsets("nobody");
  ASSERT_OK(offsets);
  EXPECT_THAT(*offsets, IsEmpty());
}

TEST_F(GroupAdminTest, ListGroupsIsSortedAndCountsLiveMembers) {
  ASSERT_OK(admin().CreateTopic("t", 1));
  ConsumerOptions o;
  o.group_id = "zz";
  o.enable_auto_commit = false;
  auto z = engine_->CreateConsumer(o);
  ASSERT_OK(z);
  ASSERT_OK((*z)->Subscribe({"t"}));
  ASSERT_OK((*z)->Poll(absl::ZeroDuration()));
  // "zz" has a member and no offsets; "g" and "abc" have offsets only.
  // Stored keys are length-prefixed ("g" before "abc"), the list is sorted
  // by name.
  CommitAsIdleGroup({{{"t", 0}, OffsetAndMetadata(0)}});
  o.group_id = "abc";
  auto c = engine_->CreateConsumer(o);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Assign({TopicPartition("t", 0)}));
  ASSERT_OK((*c)->CommitSync({{{"t", 0}, OffsetAndMetadata(0)}}));
  ASSERT_OK((*c)->Close());
  auto groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, ElementsAre("abc", "g", "zz"));
  ASSERT_OK((*z)->Close());
  groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, ElementsAre("abc", "g"));
}

// --- ListGroupOffsets -------------------------------------------------------

TEST_F(GroupAdminTest, LagIsLogEndMinusCommitted) {
  ASSERT_OK(admin().CreateTopic("t", 2));
  Produce({"t", 0}, 5);
  Produce({"t", 1}, 3);
  auto a = Member("a");
  Rounds({a.get()});
  ASSERT_OK(a->CommitSync({{{"t", 0}, OffsetAndMetadata(2, "m")},
                           {{"t", 1}, OffsetAndMetadata(3)}}));
  auto offsets = Offsets();
  ASSERT_THAT(offsets, SizeIs(2));
  const GroupPartitionOffset& p0 = offsets[{"t", 0}];
  EXPECT_EQ(p0.committed_offset, 2);
  EXPECT_EQ(p0.log_end_offset, 5);
  EXPECT_EQ(p0.lag, 3);
  EXPECT_EQ(p0.metadata, "m");
  const GroupPartitionOffset& p1 = offsets[{"t", 1}];
  EXPECT_EQ(p1.committed_offset, 3);
  EXPECT_EQ(p1.log_end_offset, 3);
  EXPECT_EQ(p1.lag, 0);
  // New records raise the lag.
  Produce({"t", 1}, 4);
  EXPECT_EQ(Offsets()[TopicPartition("t", 1)].lag, 4);
}

// --- DeleteGroup ------------------------------------------------------------

TEST_F(GroupAdminTest, DeleteRefusedWhileMembersAreActive) {
  ASSERT_OK(admin().CreateTopic("t", 2));
  Produce({"t", 0}, 2);
  auto a = Member("a");
  auto b = Member("b");
  Rounds({a.get(), b.get()});
  ASSERT_OK(a->CommitSync({{{"t", 0}, OffsetAndMetadata(1)}}));
  absl::Status s = admin().DeleteGroup("g");
  EXPECT_THAT(s, StatusIs(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNonEmptyGroup), "NonEmptyGroup");
  EXPECT_EQ(static_cast<int>(ErrorCode::kNonEmptyGroup), 68);
  EXPECT_THAT(Offsets(), SizeIs(1));

  ASSERT_OK(a->Close());
  EXPECT_THAT(admin().DeleteGroup("g"), StatusIs(ErrorCode::kNonEmptyGroup));
  ASSERT_OK(b->Close());
  ASSERT_OK(admin().DeleteGroup("g"));
  EXPECT_THAT(Offsets(), IsEmpty());
  auto groups = admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, Not(Contains("g")));
  auto d = admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->state, ConsumerGroupState::kDead);
  // Deleting what is already gone: GroupIdNotFound, as in Kafka.
  EXPECT_THAT(admin().DeleteGroup("g"), StatusIs(ErrorCode::kGroupIdNotFound));
}

TEST_F(GroupAdminTest, MemberPastMaxPollIntervalDoesNotBlockDelete) {
  ASSERT_OK(admin().CreateTopic("t", 1));
  auto a = Member("a");
  Rounds({a.get()});
  ASSERT_OK(a->CommitSync({{{"t", 0}, OffsetAndMetadata(0)}}));
  EXPECT_THAT(admin().DeleteGroup("g"), StatusIs(ErrorCode::kNonEmptyGroup));
  clock_.Advance(absl::Seconds(11));  // max.poll.interval is 10 s.
  ASSERT_OK(admin().DeleteGroup("g"));
  EXPECT_THAT(Offsets(), IsEmpty());
}

TEST_F(GroupAdminTest, DeleteLeavesOtherGroupsAlone) {
  ASSERT_OK(admin().CreateTopic("t", 1));
  CommitAsIdleGroup({{{"t", 0}, OffsetAndMetadata(0)}});
  ConsumerOptions o;
  o.group_id = "gg";
  o.enable_auto_commit = false;
  auto c = engine_->CreateConsumer(o);
  ASSERT_OK(c);
  ASSERT_OK((*c)->Assign({TopicPartition("t", 0)}));
  ASSERT_OK((*c)->CommitSync({{{"t", 0}, OffsetAndMetadata(0)}}));
  ASSERT_OK((*c)->Close());
  ASSERT_OK(admin().DeleteGroup("g"));
  EXPECT_THAT(Offsets("gg"), SizeIs(1));
}

// --- ResetOffsets -----------------------------------------------------------

class ResetOffsetsTest : public GroupAdminTest {
 protected:
  void SetUp() override {
    GroupAdminTest::SetUp();
    ASSERT_OK(admin().CreateTopic("t", 2));
    // t-0: offsets 0..3 stamped 1:00:00, 1:00:10, 1:00:20, 1:00:30.
    Produce({"t", 0}, 4);
    // t-1: offsets 0..1 stamped 2:00:00, 2:00:10.
    Produce({"t", 1}, 2, absl::UnixEpoch() + absl::Hours(2));
    CommitAsIdleGroup({{{"t", 0}, OffsetAndMetadata(3)}});
  }

  std::string Reset(const OffsetResetSpec& spec, bool dry_run = false) {
    auto plan = admin().ResetOffsets("g", "t", spec, dry_run);
    EXPECT_OK(plan);
    return plan.ok() ? Str(*plan) : plan.status().ToString();
  }

  static absl::Time At(int hours, int seconds) {
    return absl::UnixEpoch() + absl::Hours(hours) + absl::Seconds(seconds);
  }
};

TEST_F(ResetOffsetsTest, ToEarliestAndToLatest) {
  EXPECT_EQ(Reset(OffsetResetSpec::ToEarliest()), "t-0:3->0,t-1:-1->0");
  EXPECT_EQ(Offsets()[TopicPartition("t", 0)].committed_offset, 0);
  EXPECT_EQ(Reset(OffsetResetSpec::ToLatest()), "t-0:0->4,t-1:0->2");
  auto offsets = Offsets();
  EXPECT_EQ(offsets[TopicPartition("t", 0)].committed_offset, 4);
  EXPECT_EQ(offsets[TopicPartition("t", 1)].committed_offset, 2);
  EXPECT_EQ(offsets[TopicPartition("t", 0)].lag, 0);
}

TEST_F(ResetOffsetsTest, DryRunChangesNothing) {
  EXPECT_EQ(Reset(OffsetResetSpec::ToEarliest(), /*dry_run=*/true),
            "t-0:3->0,t-1:-1->0");
  auto offsets = Offsets();
  ASSERT_THAT(offsets, SizeIs(1));
  EXPECT_EQ(offsets[TopicPartition("t", 0)].committed_offset, 3);
}

TEST_F(ResetOffsetsTest, ToTimestampFindsFirstRecordAtOrAfter) {
  EXPECT_EQ(Reset(OffsetResetSpec::ToTimestamp(At(1, 15))),
            "t-0:3->2,t-1:-1->0");
  EXPECT_EQ(Reset(OffsetResetSpec::ToTimestamp(At(1, 20))),
            "t-0:2->2,t-1:0->0");
  EXPECT_EQ(Reset(OffsetResetSpec::ToTimestamp(At(2, 5))), "t-0:2->4,t-1:0->1");
  // Later than every record: the log end.
  EXPECT_EQ(Reset(OffsetResetSpec::ToTimestamp(At(3, 0))), "t-0:4->4,t-1:1->2");
  EXPECT_EQ(Reset(OffsetResetSpec::ToTimestamp(absl::UnixEpoch())),
            "t-0:4->0,t-1:2->0");
}

TEST_F(ResetOffsetsTest, ToOffsetIsClampedToTheLog) {
  EXPECT_EQ(Reset(OffsetResetSpec::ToOffset(1)), "t-0:3->1,t-1:-1->1");
  EXPECT_EQ(Reset(OffsetResetSpec::ToOffset(100)), "t-0:1->4,t-1:1->2");
}

TEST_F(ResetOffsetsTest, ShiftByMovesAndClamps) {
  // t-1 has no committed offset: shifting it is refused, nothing written.
  auto refused = admin().ResetOffsets("g", "t", OffsetResetSpec::ShiftBy(-1));
  EXPECT_THAT(refused, StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_EQ(Offsets()[TopicPartition("t", 0)].committed_offset, 3);

  ASSERT_EQ(Reset(OffsetResetSpec::ToOffset(1)), "t-0:3->1,t-1:-1->1");
  EXPECT_EQ(Reset(OffsetResetSpec::ShiftBy(2)), "t-0:1->3,t-1:1->2");
  EXPECT_EQ(Reset(OffsetResetSpec::ShiftBy(-2)), "t-0:3->1,t-1:2->0");
  EXPECT_EQ(Reset(OffsetResetSpec::ShiftBy(-5)), "t-0:1->0,t-1:0->0");
  EXPECT_EQ(Reset(OffsetResetSpec::ShiftBy(INT64_MAX)), "t-0:0->4,t-1:0->2");
}

TEST_F(ResetOffsetsTest, RefusedWithActiveMembers) {
  auto a = Member("a");
  Rounds({a.get()});
  for (bool dry_run : {true, false}) {
    auto plan =
        admin().ResetOffsets("g", "t", OffsetResetSpec::ToEarliest(), dry_run);
    EXPECT_THAT(plan, StatusIs(ErrorCode::kNonEmptyGroup));
  }
  EXPECT_EQ(Offsets()[TopicPartition("t", 0)].committed_offset, 3);
  ASSERT_OK(a->Close());
  EXPECT_EQ(Reset(OffsetResetSpec::ToEarliest()), "t-0:3->0,t-1:-1->0");
}

TEST_F(ResetOffsetsTest, UnknownTopic) {
  auto plan = admin().ResetOffsets("g", "nope", OffsetResetSpec::ToEarliest());
  EXPECT_THAT(plan, StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(ResetOffsetsTest, ResetOffsetsAreWhereTheGroupResumes) {
  ASSERT_EQ(Reset(OffsetResetSpec::ToOffset(1)), "t-0:3->1,t-1:-1->1");
  auto a = Member("a");
  std::vector<ConsumerRecord> read;
  for (int i = 0; i < 4; ++i) {
    auto records = a->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    read.insert(read.end(), records->begin(), records->end());
  }
  std::map<int32_t, int64_t> first;
  for (const ConsumerRecord& r : read) {
    if (!first.count(r.partition)) first[r.partition] = r.offset;
  }
  EXPECT_EQ(first[0], 1);
  EXPECT_EQ(first[1], 1);
}

// --- Persistence ----------------------------------------------------------

TEST(GroupAdminReopenTest, ResetAndDeleteSurviveReopen) {
  TempDir dir;
  ManualClock clock;
  EngineOptions o;
  o.clock = &clock;
  {
    auto engine = Engine::Open(o, dir.path());
    ASSERT_OK(engine);
    Admin& admin = (*engine)->admin();
    ASSERT_OK(admin.CreateTopic("t", 1));
    ASSERT_OK(admin.ResetOffsets("g", "t", OffsetResetSpec::ToEarliest()));
    ASSERT_OK(admin.ResetOffsets("h", "t", OffsetResetSpec::ToEarliest()));
    ASSERT_OK(admin.DeleteGroup("h"));
    ASSERT_OK((*engine)->Close());
  }
  auto engine = Engine::Open(o, dir.path());
  ASSERT_OK(engine);
  auto groups = (*engine)->admin().ListGroups();
  ASSERT_OK(groups);
  EXPECT_THAT(*groups, ElementsAre("g"));
  auto d = (*engine)->admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->state, ConsumerGroupState::kEmpty);
  ASSERT_OK((*engine)->Close());
}

}  // namespace
}  // namespace brook
