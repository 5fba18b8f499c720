// Tests for the consumer partition assignors: Kafka's own test cases and
// documented examples as data (expected results are Kafka's), then randomized
// invariant checks seeded from GoogleTest's --gtest_random_seed.
#include "brook/assignor.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "group/assignors/java_compat.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// ---------------------------------------------------------------------------
// A compact notation for cases, so they read like Kafka's tests:
//   topics      "t1:3 t2:2"            (topic:partitions)
//   partitions  "t1-0 t1-2 t2-1"       (topic-partition, split at the last '-')
//   topic list  "t1 t2"

std::map<std::string, int32_t> Topics(absl::string_view spec) {
  std::map<std::string, int32_t> topics;
  for (absl::string_view item : absl::StrSplit(spec, ' ', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(item, ':');
    int32_t n = 0;
    EXPECT_TRUE(absl::SimpleAtoi(kv.second, &n)) << item;
    topics[std::string(kv.first)] = n;
  }
  return topics;
}

std::vector<TopicPartition> Partitions(absl::string_view spec) {
  std::vector<TopicPartition> out;
  for (absl::string_view item : absl::StrSplit(spec, ' ', absl::SkipEmpty())) {
    const size_t dash = item.rfind('-');
    int32_t p = 0;
    EXPECT_TRUE(absl::SimpleAtoi(item.substr(dash + 1), &p)) << item;
    out.emplace_back(std::string(item.substr(0, dash)), p);
  }
  return out;
}

std::vector<std::string> Words(absl::string_view spec) {
  return absl::StrSplit(spec, ' ', absl::SkipEmpty());
}

std::string Format(const std::vector<TopicPartition>& partitions) {
  return absl::StrJoin(partitions, " ",
                       [](std::string* out, const TopicPartition& tp) {
                         absl::StrAppend(out, tp.topic, "-", tp.partition);
                       });
}

struct MemberSpec {
  MemberSpec(std::string id, std::string topics)
      : id(std::move(id)), topics(std::move(topics)) {}
  MemberSpec(std::string id, std::string topics, std::string owned,
             int32_t generation = kDefaultGeneration)
      : id(std::move(id)),
        topics(std::move(topics)),
        owned(std::move(owned)),
        generation(generation) {}

  std::string id;
  std::string topics;                // topic list
  std::optional<std::string> owned;  // partitions; nullopt: none
  int32_t generation = kDefaultGeneration;
  std::optional<std::string> instance;  // group.instance.id
};

// A static member (with a group.instance.id).
MemberSpec StaticMember(std::string id, std::string topics,
                        std::string instance) {
  MemberSpec spec(std::move(id), std::move(topics));
  spec.instance = std::move(instance);
  return spec;
}

GroupSubscription Group(absl::string_view topics,
                        const std::vector<MemberSpec>& members) {
  GroupSubscription group;
  group.partitions_per_topic = Topics(topics);
  for (const MemberSpec& spec : members) {
    GroupMember member;
    member.member_id = spec.id;
    member.topics = Words(spec.topics);
    if (spec.owned) member.owned_partitions = Partitions(*spec.owned);
    member.generation = spec.generation;
    member.group_instance_id = spec.instance;
    group.members.push_back(std::move(member));
  }
  return group;
}

// member -> "t-0 t-1" (sorted).
std::map<std::string, std::string> Formatted(const GroupAssignment& a) {
  std::map<std::string, std::string> out;
  for (const auto& [member, partitions] : a) out[member] = Format(partitions);
  return out;
}

struct AssignCase {
  std::string name;  // Kafka's test (or doc) the case comes from
  std::string strategy;
  std::string topics;
  std::vector<MemberSpec> members;
  std::map<std::string, std::string> expected;
};

void PrintTo(const AssignCase& c, std::ostream* os) { *os << c.name; }

class KafkaCaseTest : public ::testing::TestWithParam<AssignCase> {};

TEST_P(KafkaCaseTest, MatchesKafka) {
  const AssignCase& c = GetParam();
  std::shared_ptr<Assignor> assignor = AssignorByName(c.strategy);
  ASSERT_NE(assignor, nullptr) << c.strategy;
  absl::StatusOr<GroupAssignment> got =
      assignor->Assign(Group(c.topics, c.members));
  ASSERT_OK(got);
  EXPECT_EQ(Formatted(*got), c.expected);
}

// The members of Kafka's uniform / non-equal 6-7-2 tests.
const std::vector<MemberSpec> kUniform672 = {{"consumer0", "t1 t2 t3"},
                                             {"consumer1", "t1 t2 t3"},
                                             {"consumer2", "t1 t2 t3"}};
const std::vector<MemberSpec> kNonEqual672 = {{"consumer0", "t1 t2 t3"},
                                              {"consumer1", "t1 t2 t3"},
                                              {"consumer2", "t1 t3"}};

const AssignCase kRangeCases[] = {
    {"RangeAssignorTest.testOneConsumerNoTopic",
     "range",
     "",
     {{"consumer", ""}},
     {{"consumer", ""}}},
    {"RangeAssignorTest.testOneConsumerNonexistentTopic",
     "range",
     "topic:0",
     {{"consumer", "topic"}},
     {{"consumer", ""}}},
    {"RangeAssignorTest.testOneConsumerOneTopic",
     "range",
     "topic1:3",
     {{"consumer1", "topic1"}},
     {{"consumer1", "topic1-0 topic1-1 topic1-2"}}},
    {"RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics",
     "range",
     "topic:3 other:3",
     {{"consumer", "topic"}},
     {{"consumer", "topic-0 topic-1 topic-2"}}},
    {"RangeAssignorTest.testOneConsumerMultipleTopics",
     "range",
     "topic1:1 topic2:2",
     {{"consumer", "topic1 topic2"}},
     {{"consumer", "topic1-0 topic2-0 topic2-1"}}},
    {"RangeAssignorTest.testTwoConsumersOneTopicOnePartition",
     "range",
     "topic:1",
     {{"consumer1", "topic"}, {"consumer2", "topic"}},
     {{"consumer1", "topic-0"}, {"consumer2", ""}}},
    {"RangeAssignorTest.testTwoConsumersOneTopicTwoPartitions",
     "range",
     "topic:2",
     {{"consumer1", "topic"}, {"consumer2", "topic"}},
     {{"consumer1", "topic-0"}, {"consumer2", "topic-1"}}},
    {"RangeAssignorTest.testMultipleConsumersMixedTopics",
     "range",
     "topic1:3 topic2:2",
     {{"consumer1", "topic1"},
      {"consumer2", "topic1 topic2"},
      {"consumer3", "topic1"}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1 topic2-0 topic2-1"},
      {"consumer3", "topic1-2"}}},
    {"RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions",
     "range",
     "topic1:3 topic2:3",
     {{"consumer1", "topic1 topic2"}, {"consumer2", "topic1 topic2"}},
     {{"consumer1", "topic1-0 topic1-1 topic2-0 topic2-1"},
      {"consumer2", "topic1-2 topic2-2"}}},
    // Static members sort by group.instance.id, not member id.
    {"RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions",
     "range",
     "topic1:3 topic2:3",
     {StaticMember("consumer-b", "topic1 topic2", "instance1"),
      StaticMember("consumer-a", "topic1 topic2", "instance2")},
     {{"consumer-b", "topic1-0 topic1-1 topic2-0 topic2-1"},
      {"consumer-a", "topic1-2 topic2-2"}}},
    // Static members come before dynamic ones.
    {"RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumer",
     "range",
     "topic1:3 topic2:3",
     {StaticMember("consumer-b", "topic1 topic2", "instance1"),
      {"consumer-a", "topic1 topic2"}},
     {{"consumer-b", "topic1-0 topic1-1 topic2-0 topic2-1"},
      {"consumer-a", "topic1-2 topic2-2"}}},
    {"RangeAssignorTest.testStaticMemberRangeAssignmentPersistent",
     "range",
     "topic1:5 topic2:4",
     {StaticMember("consumer1", "topic1 topic2", "instance1"),
      StaticMember("consumer2", "topic1 topic2", "instance2"),
      StaticMember("consumer3", "topic1 topic2", "instance3"),
      {"consumer5", "topic1 topic2"}},
     {{"consumer1", "topic1-0 topic1-1 topic2-0"},
      {"consumer2", "topic1-2 topic2-1"},
      {"consumer3", "topic1-3 topic2-2"},
      {"consumer5", "topic1-4 topic2-3"}}},
    {"RangeAssignorTest.testRackAwareAssignmentWithUniformSubscription "
     "(no racks)",
     "range",
     "t1:6 t2:7 t3:2",
     kUniform672,
     {{"consumer0", "t1-0 t1-1 t2-0 t2-1 t2-2 t3-0"},
      {"consumer1", "t1-2 t1-3 t2-3 t2-4 t3-1"},
      {"consumer2", "t1-4 t1-5 t2-5 t2-6"}}},
    // The RangeAssignor javadoc example.
    {"RangeAssignor javadoc",
     "range",
     "t0:3 t1:3",
     {{"C0", "t0 t1"}, {"C1", "t0 t1"}},
     {{"C0", "t0-0 t0-1 t1-0 t1-1"}, {"C1", "t0-2 t1-2"}}},
};

const AssignCase kRoundRobinCases[] = {
    {"RoundRobinAssignorTest.testOneConsumerMultipleTopics",
     "roundrobin",
     "topic1:1 topic2:2",
     {{"consumer", "topic1 topic2"}},
     {{"consumer", "topic1-0 topic2-0 topic2-1"}}},
    {"RoundRobinAssignorTest.testTwoConsumersOneTopicOnePartition",
     "roundrobin",
     "topic:1",
     {{"consumer1", "topic"}, {"consumer2", "topic"}},
     {{"consumer1", "topic-0"}, {"consumer2", ""}}},
    {"RoundRobinAssignorTest.testMultipleConsumersMixedTopics",
     "roundrobin",
     "topic1:3 topic2:2",
     {{"consumer1", "topic1"},
      {"consumer2", "topic1 topic2"},
      {"consumer3", "topic1"}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1 topic2-0 topic2-1"},
      {"consumer3", "topic1-2"}}},
    {"RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions",
     "roundrobin",
     "topic1:3 topic2:3",
     {{"consumer1", "topic1 topic2"}, {"consumer2", "topic1 topic2"}},
     {{"consumer1", "topic1-0 topic1-2 topic2-1"},
      {"consumer2", "topic1-1 topic2-0 topic2-2"}}},
    {"RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions",
     "roundrobin",
     "topic1:3 topic2:3",
     {StaticMember("consumer-b", "topic1 topic2", "instance1"),
      StaticMember("consumer-a", "topic1 topic2", "instance2")},
     {{"consumer-b", "topic1-0 topic1-2 topic2-1"},
      {"consumer-a", "topic1-1 topic2-0 topic2-2"}}},
    {"RoundRobinAssignorTest."
     "testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions",
     "roundrobin",
     "topic1:3 topic2:3",
     {StaticMember("consumer-b", "topic1 topic2", "instance1"),
      {"consumer-a", "topic1 topic2"}},
     {{"consumer-b", "topic1-0 topic1-2 topic2-1"},
      {"consumer-a", "topic1-1 topic2-0 topic2-2"}}},
    // Member ids compare by UTF-16 code unit, as Java's String.compareTo.
    {"RoundRobin member ids in Java String order",
     "roundrobin",
     "t:5 u:2",
     {{"consumer-a", "t u"},
      {"Consumer-C", "t u"},
      {"consumer-B", "t u"},
      {"c10", "t u"},
      {"c9", "t u"}},
     {{"Consumer-C", "t-0 u-0"},
      {"c10", "t-1 u-1"},
      {"c9", "t-2"},
      {"consumer-B", "t-3"},
      {"consumer-a", "t-4"}}},
    // The RoundRobinAssignor javadoc examples.
    {"RoundRobinAssignor javadoc, identical subscriptions",
     "roundrobin",
     "t0:3 t1:3",
     {{"C0", "t0 t1"}, {"C1", "t0 t1"}},
     {{"C0", "t0-0 t0-2 t1-1"}, {"C1", "t0-1 t1-0 t1-2"}}},
    {"RoundRobinAssignor javadoc, different subscriptions",
     "roundrobin",
     "t0:1 t1:2 t2:3",
     {{"C0", "t0"}, {"C1", "t0 t1"}, {"C2", "t0 t1 t2"}},
     {{"C0", "t0-0"}, {"C1", "t1-0"}, {"C2", "t1-1 t2-0 t2-1 t2-2"}}},
};

const AssignCase kStickyCases[] = {
    {"AbstractStickyAssignorTest.testOneConsumerNoTopic",
     "sticky",
     "",
     {{"consumer", ""}},
     {{"consumer", ""}}},
    {"AbstractStickyAssignorTest.testOneConsumerOneTopic",
     "sticky",
     "topic:3",
     {{"consumer", "topic"}},
     {{"consumer", "topic-0 topic-1 topic-2"}}},
    {"AbstractStickyAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics",
     "sticky",
     "topic:2 other:2",
     {{"consumer", "topic", "topic-0 topic-1 other-0 other-1", 1}},
     {{"consumer", "topic-0 topic-1"}}},
    {"AbstractStickyAssignorTest.testTwoConsumersOneTopicTwoPartitions",
     "sticky",
     "topic:2",
     {{"consumer1", "topic"}, {"consumer2", "topic"}},
     {{"consumer1", "topic-0"}, {"consumer2", "topic-1"}}},
    {"AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions",
     "sticky",
     "topic1:3 topic2:2",
     {{"consumer1", "topic1"},
      {"consumer2", "topic1 topic2"},
      {"consumer3", "topic1"}},
     {{"consumer1", "topic1-0 topic1-2"},
      {"consumer2", "topic2-0 topic2-1"},
      {"consumer3", "topic1-1"}}},
    {"AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions",
     "sticky",
     "topic1:3 topic2:3",
     {{"consumer1", "topic1 topic2"}, {"consumer2", "topic1 topic2"}},
     {{"consumer1", "topic1-0 topic1-2 topic2-1"},
      {"consumer2", "topic1-1 topic2-0 topic2-2"}}},
    {"AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota",
     "sticky",
     "topic1:2 topic2:3",
     {{"consumer1", "topic1 topic2", "topic1-0 topic2-1", 1},
      {"consumer2", "topic1 topic2", "topic1-1 topic2-2", 1}},
     {{"consumer1", "topic1-0 topic2-0 topic2-1"},
      {"consumer2", "topic1-1 topic2-2"}}},
    // Which member keeps max quota follows Kafka's HashMap iteration order:
    // consumer2 comes before consumer1.
    {"AbstractStickyAssignorTest."
     "testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers",
     "sticky",
     "topic1:2 topic2:2",
     {{"consumer1", "topic1 topic2", "topic1-0 topic2-0", 1},
      {"consumer2", "topic1 topic2", "topic1-1 topic2-1", 1},
      {"consumer3", "topic1 topic2", "", 1}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1 topic2-1"},
      {"consumer3", "topic2-0"}}},
    {"AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota",
     "sticky",
     "topic1:2 topic2:3",
     {{"consumer1", "topic1 topic2", "topic1-0", 1},
      {"consumer2", "topic1 topic2", "topic1-1", 1},
      {"consumer3", "topic1 topic2", "", 1}},
     {{"consumer1", "topic1-0 topic2-1"},
      {"consumer2", "topic1-1 topic2-2"},
      {"consumer3", "topic2-0"}}},
    {"AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (1)",
     "sticky",
     "topic1:3 topic2:4",
     {{"consumer1", "topic1 topic2"}, {"consumer2", "topic1 topic2"}},
     {{"consumer1", "topic1-0 topic1-2 topic2-1 topic2-3"},
      {"consumer2", "topic1-1 topic2-0 topic2-2"}}},
    // Over quota, a member keeps its lowest partition numbers.
    {"AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (2)",
     "sticky",
     "topic1:3 topic2:4",
     {{"consumer1", "topic1 topic2", "topic1-0 topic1-2 topic2-1 topic2-3", 1},
      {"consumer2", "topic1 topic2", "topic1-1 topic2-0 topic2-2", 1},
      {"consumer3", "topic1 topic2", "", 1},
      {"consumer4", "topic1 topic2", "", 1}},
     {{"consumer1", "topic1-0 topic2-1"},
      {"consumer2", "topic1-1 topic2-0"},
      {"consumer3", "topic1-2 topic2-3"},
      {"consumer4", "topic2-2"}}},
    {"AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (3)",
     "sticky",
     "topic1:3 topic2:4",
     {{"consumer3", "topic1 topic2", "topic1-2 topic2-3", 1},
      {"consumer4", "topic1 topic2", "topic2-2", 1}},
     {{"consumer3", "topic1-0 topic1-2 topic2-1 topic2-3"},
      {"consumer4", "topic1-1 topic2-0 topic2-2"}}},
    // A partition claimed by two members of the same generation is taken
    // from both.
    {"StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidated..."
     "WithEqualPartitionsPerConsumer",
     "sticky",
     "topic:3",
     {{"consumer1", "topic", "topic-0 topic-1", 1},
      {"consumer2", "topic", "topic-0 topic-2", 1},
      {"consumer3", "topic", "", 1}},
     {{"consumer1", "topic-1"},
      {"consumer2", "topic-2"},
      {"consumer3", "topic-0"}}},
    {"StickyAssignorTest.testAllConsumersHaveOwnedPartitionInvalidated..."
     "WithUnequalPartitionsPerConsumer",
     "sticky",
     "topic:4",
     {{"consumer1", "topic", "topic-0 topic-1", 1},
      {"consumer2", "topic", "topic-0 topic-2", 1},
      {"consumer3", "topic", "", 1}},
     {{"consumer1", "topic-1 topic-3"},
      {"consumer2", "topic-2"},
      {"consumer3", "topic-0"}}},
    // Owned partitions of an older generation lose to a newer claim.
    {"AbstractStickyAssignorTest."
     "testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration",
     "sticky",
     "topic:3 topic2:3",
     {{"consumer1", "topic topic2", "topic-0 topic-2 topic2-1", 10},
      {"consumer2", "topic topic2", "topic-0 topic-2 topic2-1", 9}},
     {{"consumer1", "topic-0 topic-2 topic2-1"},
      {"consumer2", "topic-1 topic2-0 topic2-2"}}},
    {"AbstractStickyAssignorTest."
     "testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration",
     "sticky",
     "topic:3 topic2:3",
     {{"consumer1", "topic topic2", "topic-0 topic-2 topic2-1", 10},
      {"consumer2", "topic topic2", "topic-0 topic-2 topic2-1", -1}},
     {{"consumer1", "topic-0 topic-2 topic2-1"},
      {"consumer2", "topic-1 topic2-0 topic2-2"}}},
    {"AbstractStickyAssignorTest."
     "testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration",
     "sticky",
     "topic:3 topic2:3",
     {{"consumer1", "topic topic2", "topic-0 topic2-1 topic-1", 10},
      {"consumer2", "topic topic2", "topic-0 topic2-1 topic2-2", 8}},
     {{"consumer1", "topic-0 topic-1 topic2-1"},
      {"consumer2", "topic-2 topic2-0 topic2-2"}}},
    {"AbstractStickyAssignorTest."
     "testEnsurePartitionsAssignedToHighestGeneration",
     "sticky",
     "topic:3 topic2:3 topic3:3",
     {{"consumer1", "topic topic2 topic3", "topic-0 topic2-0 topic3-0", 10},
      {"consumer2", "topic topic2 topic3", "topic-1 topic2-1 topic3-1", 9},
      {"consumer3", "topic topic2 topic3", "topic2-1 topic3-0 topic3-2", 8}},
     {{"consumer1", "topic-0 topic2-0 topic3-0"},
      {"consumer2", "topic-1 topic2-1 topic3-1"},
      {"consumer3", "topic-2 topic2-2 topic3-2"}}},
    {"StickyAssignorTest.testAssignorWithOldVersionSubscriptions",
     "sticky",
     "topic1:3",
     {{"consumer1", "topic1", "topic1-0", 1},
      {"consumer2", "topic1", "topic1-1", 1},
      {"consumer3", "topic1", "", 1}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1"},
      {"consumer3", "topic1-2"}}},
    {"AbstractStickyAssignorTest."
     "testRackAwareAssignmentWithUniformSubscription "
     "(no racks)",
     "sticky",
     "t1:6 t2:7 t3:2",
     kUniform672,
     {{"consumer0", "t1-0 t1-3 t2-0 t2-3 t2-6"},
      {"consumer1", "t1-1 t1-4 t2-1 t2-4 t3-0"},
      {"consumer2", "t1-2 t1-5 t2-2 t2-5 t3-1"}}},
    // The general (unequal subscriptions) algorithm.
    {"AbstractStickyAssignorTest."
     "testRackAwareAssignmentWithNonEqualSubscription"
     " (no racks)",
     "sticky",
     "t1:6 t2:7 t3:2",
     kNonEqual672,
     {{"consumer0", "t1-5 t2-0 t2-2 t2-4 t2-6"},
      {"consumer1", "t1-3 t2-1 t2-3 t2-5 t3-0"},
      {"consumer2", "t1-0 t1-1 t1-2 t1-4 t3-1"}}},
};

const AssignCase kCooperativeCases[] = {
    {"AbstractStickyAssignorTest.testOneConsumerMultipleTopics",
     "cooperative-sticky",
     "topic1:1 topic2:2",
     {{"consumer", "topic1 topic2"}},
     {{"consumer", "topic1-0 topic2-0 topic2-1"}}},
    {"AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic (2)",
     "cooperative-sticky",
     "topic:3",
     {{"consumer1", "topic", "topic-0 topic-1 topic-2", 1},
      {"consumer2", "topic", "", 1}},
     {{"consumer1", "topic-0 topic-1"}, {"consumer2", ""}}},
    // topic2-0 moves to consumer3: revoked now, assigned next rebalance.
    {"AbstractStickyAssignorTest."
     "testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers",
     "cooperative-sticky",
     "topic1:2 topic2:2",
     {{"consumer1", "topic1 topic2", "topic1-0 topic2-0", 1},
      {"consumer2", "topic1 topic2", "topic1-1 topic2-1", 1},
      {"consumer3", "topic1 topic2", "", 1}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1 topic2-1"},
      {"consumer3", ""}}},
    {"AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics (2)",
     "cooperative-sticky",
     "topic1:3 topic2:4",
     {{"consumer1", "topic1 topic2", "topic1-0 topic1-2 topic2-1 topic2-3", 1},
      {"consumer2", "topic1 topic2", "topic1-1 topic2-0 topic2-2", 1},
      {"consumer3", "topic1 topic2", "", 1},
      {"consumer4", "topic1 topic2", "", 1}},
     {{"consumer1", "topic1-0 topic2-1"},
      {"consumer2", "topic1-1 topic2-0"},
      {"consumer3", ""},
      {"consumer4", ""}}},
    {"AbstractStickyAssignorTest."
     "testAllConsumersReachExpectedQuotaAndAreConsideredFilled",
     "cooperative-sticky",
     "topic:4",
     {{"consumer1", "topic", "topic-0 topic-1", 1},
      {"consumer2", "topic", "topic-2", 1},
      {"consumer3", "topic", "", 1}},
     {{"consumer1", "topic-0 topic-1"},
      {"consumer2", "topic-2"},
      {"consumer3", "topic-3"}}},
    // topic-0 is owned twice: nobody gets it until both have revoked it.
    {"CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartition"
     "Invalidated...WithEqualPartitionsPerConsumer",
     "cooperative-sticky",
     "topic:3",
     {{"consumer1", "topic", "topic-0 topic-1", 1},
      {"consumer2", "topic", "topic-0 topic-2", 1},
      {"consumer3", "topic", "", 1}},
     {{"consumer1", "topic-1"}, {"consumer2", "topic-2"}, {"consumer3", ""}}},
    {"CooperativeStickyAssignorTest.testAllConsumersHaveOwnedPartition"
     "Invalidated...WithUnequalPartitionsPerConsumer",
     "cooperative-sticky",
     "topic:4",
     {{"consumer1", "topic", "topic-0 topic-1", 1},
      {"consumer2", "topic", "topic-0 topic-2", 1},
      {"consumer3", "topic", "", 1}},
     {{"consumer1", "topic-1 topic-3"},
      {"consumer2", "topic-2"},
      {"consumer3", ""}}},
    {"CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions",
     "cooperative-sticky",
     "topic1:3",
     {{"consumer1", "topic1", "topic1-0", 1},
      {"consumer2", "topic1", "topic1-1", 1},
      {"consumer3", "topic1", "", 1}},
     {{"consumer1", "topic1-0"},
      {"consumer2", "topic1-1"},
      {"consumer3", "topic1-2"}}},
    // General algorithm with owned partitions, in two cooperative steps.
    {"AbstractStickyAssignorTest."
     "testRackAwareAssignmentWithNonEqualSubscription"
     " (no racks, owned, step 1)",
     "cooperative-sticky",
     "t1:6 t2:7 t3:2",
     {{"consumer0", "t1 t2 t3", "t1-0 t1-1 t1-2 t1-3 t1-4"},
      {"consumer1", "t1 t2 t3", "t1-5 t2-0 t2-1 t2-2 t2-3"},
      {"consumer2", "t1 t3", "t2-4 t2-5 t2-6 t3-0 t3-1"}},
     {{"consumer0", "t1-2 t1-3 t1-4"},
      {"consumer1", "t2-0 t2-1 t2-2 t2-3"},
      {"consumer2", "t3-0 t3-1"}}},
    {"AbstractStickyAssignorTest."
     "testRackAwareAssignmentWithNonEqualSubscription"
     " (no racks, owned, step 2)",
     "cooperative-sticky",
     "t1:6 t2:7 t3:2",
     {{"consumer0", "t1 t2 t3", "t1-2 t1-3 t1-4"},
      {"consumer1", "t1 t2 t3", "t2-0 t2-1 t2-2 t2-3"},
      {"consumer2", "t1 t3", "t3-0 t3-1"}},
     {{"consumer0", "t1-2 t1-3 t1-4 t2-4 t2-5"},
      {"consumer1", "t2-0 t2-1 t2-2 t2-3 t2-6"},
      {"consumer2", "t1-0 t1-1 t1-5 t3-0 t3-1"}}},
    {"AbstractStickyAssignorTest.testNoExceptionThrownWhenOnlySubscribedTopic"
     "Deleted",
     "cooperative-sticky",
     "",
     {{"consumer", "topic", "topic-0 topic-1", 1}},
     {{"consumer", ""}}},
};

INSTANTIATE_TEST_SUITE_P(RangeAssignorTest, KafkaCaseTest,
                         ::testing::ValuesIn(kRangeCases));
INSTANTIATE_TEST_SUITE_P(RoundRobinAssignorTest, KafkaCaseTest,
                         ::testing::ValuesIn(kRoundRobinCases));
INSTANTIATE_TEST_SUITE_P(StickyAssignorTest, KafkaCaseTest,
                         ::testing::ValuesIn(kStickyCases));
INSTANTIATE_TEST_SUITE_P(CooperativeStickyAssignorTest, KafkaCaseTest,
                         ::testing::ValuesIn(kCooperativeCases));

// ---------------------------------------------------------------------------
// The assignors as objects.

TEST(AssignorByNameTest, KnowsKafkasNames) {
  for (absl::string_view name :
       {"range", "roundrobin", "sticky", "cooperative-sticky"}) {
    std::shared_ptr<Assignor> assignor = AssignorByName(name);
    ASSERT_NE(assignor, nullptr) << name;
    EXPECT_EQ(assignor->name(), name);
  }
  EXPECT_EQ(AssignorByName("Range"), nullptr);
  EXPECT_EQ(AssignorByName("uniform"), nullptr);
  EXPECT_EQ(AssignorByName(""), nullptr);
}

TEST(AssignorByNameTest, OnlyCooperativeStickySupportsCooperative) {
  using ::testing::ElementsAre;
  EXPECT_THAT(NewRangeAssignor()->supported_protocols(),
              ElementsAre(RebalanceProtocol::kEager));
  EXPECT_THAT(NewRoundRobinAssignor()->supported_protocols(),
              ElementsAre(RebalanceProtocol::kEager));
  EXPECT_THAT(NewStickyAssignor()->supported_protocols(),
              ElementsAre(RebalanceProtocol::kEager));
  EXPECT_THAT(
      NewCooperativeStickyAssignor()->supported_protocols(),
      ElementsAre(RebalanceProtocol::kCooperative, RebalanceProtocol::kEager));
}

class AllAssignorsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AllAssignorsTest, RejectsDuplicateMemberIds) {
  GroupSubscription group = Group("t:2", {{"a", "t"}, {"a", "t"}});
  EXPECT_THAT(AssignorByName(GetParam())->Assign(group),
              StatusIs(ErrorCode::kInvalidRequest));
}

TEST_P(AllAssignorsTest, RejectsNegativePartitionCount) {
  GroupSubscription group = Group("", {{"a", "t"}});
  group.partitions_per_topic["t"] = -1;
  EXPECT_THAT(AssignorByName(GetParam())->Assign(group),
              StatusIs(ErrorCode::kInvalidRequest));
}

TEST_P(AllAssignorsTest, EmptyGroupGetsEmptyAssignment) {
  absl::StatusOr<GroupAssignment> got =
      AssignorByName(GetParam())->Assign(Group("t:3", {}));
  ASSERT_OK(got);
  EXPECT_TRUE(got->empty());
}

TEST_P(AllAssignorsTest, IgnoresMissingAndEmptyTopics) {
  absl::StatusOr<GroupAssignment> got =
      AssignorByName(GetParam())
          ->Assign(Group("x:2 empty:0 unsubscribed:4",
                         {{"c1", "x empty ghost"}, {"c2", "x empty ghost"}}));
  ASSERT_OK(got);
  EXPECT_EQ(Formatted(*got),
            (std::map<std::string, std::string>{{"c1", "x-0"}, {"c2", "x-1"}}));
}

TEST_P(AllAssignorsTest, IgnoresOwnedPartitionsThatDoNotExist) {
  GroupSubscription group =
      Group("x:2", {{"c1", "x", "x-7 gone-0", 1}, {"c2", "x", "", 1}});
  group.members[0].owned_partitions.emplace_back("x", -1);
  absl::StatusOr<GroupAssignment> got =
      AssignorByName(GetParam())->Assign(group);
  ASSERT_OK(got);
  EXPECT_EQ(Formatted(*got),
            (std::map<std::string, std::string>{{"c1", "x-0"}, {"c2", "x-1"}}));
}

// A member that subscribes to nothing gets nothing, whichever order the
// members come in (Kafka's sticky assignors gave it partitions when its id
// hashed first).
TEST_P(AllAssignorsTest, AMemberSubscribingToNothingGetsNothing) {
  for (const auto& [first, second] :
       {std::pair<std::string, std::string>{"c1", "c2"}, {"c2", "c1"}}) {
    absl::StatusOr<GroupAssignment> got =
        AssignorByName(GetParam())
            ->Assign(Group("t2:5", {{first, ""}, {second, "t2"}}));
    ASSERT_OK(got);
    EXPECT_EQ(Formatted(*got),
              (std::map<std::string, std::string>{
                  {first, ""}, {second, "t2-0 t2-1 t2-2 t2-3 t2-4"}}))
        << first << " subscribes to nothing";
  }
}

INSTANTIATE_TEST_SUITE_P(Assignors, AllAssignorsTest,
                         ::testing::Values("range", "roundrobin", "sticky",
                                           "cooperative-sticky"));

// ---------------------------------------------------------------------------
// Java semantics the assignors depend on.

TEST(JavaCompatTest, StringHashAndOrder) {
  using assignors::JavaStringCompare;
  using assignors::JavaStringHash;
  EXPECT_EQ(JavaStringHash(""), 0);
  EXPECT_EQ(JavaStringHash("Aa"), 2112);
  EXPECT_EQ(JavaStringHash("BB"), 2112);
  EXPECT_EQ(JavaStringHash("consumer1"), -421004549);
  EXPECT_LT(JavaStringCompare("Consumer-C", "c10"), 0);
  EXPECT_LT(JavaStringCompare("c10", "c9"), 0);
  EXPECT_LT(JavaStringCompare("c9", "consumer-B"), 0);
  // U+1D11E (a surrogate pair in UTF-16) sorts before U+E000 in Java,
  // although its UTF-8 bytes sort after.
  EXPECT_LT(JavaStringCompare("\xF0\x9D\x84\x9E", "\xEE\x80\x80"), 0);
  EXPECT_GT(std::string("\xF0\x9D\x84\x9E"), std::string("\xEE\x80\x80"));
}

TEST(JavaCompatTest, TopicPartitionHash) {
  // 31 * (31 + partition) + topic.hashCode()
  EXPECT_EQ(
      assignors::JavaTopicPartitionHash(assignors::JavaStringHash("t"), 2),
      31 * 33 + 't');
}

TEST(JavaCompatTest, HashMapIterationOrder) {
  using assignors::JavaHashMapOrder;
  using assignors::JavaStringHash;
  // "consumer1..3" land in bins 12, 11, 10 of a 16-bin table.
  EXPECT_THAT(JavaHashMapOrder({JavaStringHash("consumer1"),
                                JavaStringHash("consumer2"),
                                JavaStringHash("consumer3")}),
              ::testing::ElementsAre(2, 1, 0));
  // Equal hashes share a bin and keep insertion order.
  EXPECT_THAT(JavaHashMapOrder({JavaStringHash("BB"), JavaStringHash("Aa")}),
              ::testing::ElementsAre(0, 1));
  EXPECT_THAT(JavaHashMapOrder({JavaStringHash("Aa"), JavaStringHash("BB")}),
              ::testing::ElementsAre(0, 1));
  // Past 12 keys the table doubles to 32 bins: hashes 0..15 and 16..31
  // stay in numeric order.
  std::vector<int32_t> hashes;
  for (int32_t h = 31; h >= 0; --h) hashes.push_back(h);
  std::vector<size_t> order = JavaHashMapOrder(hashes);
  ASSERT_EQ(order.size(), 32u);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(hashes[order[i]], i);
}

TEST(JavaCompatTest, HashSetFirstFollowsBinsThenInsertion) {
  assignors::JavaHashSet set;
  EXPECT_TRUE(set.Add(7, 5));
  EXPECT_TRUE(set.Add(8, 3));
  EXPECT_FALSE(set.Add(8, 3));
  EXPECT_EQ(set.First(), 8);
  EXPECT_TRUE(set.Add(9, 3 + 16));  // same bin as 8, inserted later
  EXPECT_TRUE(set.Remove(8, 3));
  EXPECT_EQ(set.First(), 9);
  EXPECT_TRUE(set.Remove(9, 19));
  EXPECT_EQ(set.First(), 7);
  EXPECT_FALSE(set.Remove(9, 19));
}

// ---------------------------------------------------------------------------
// Randomized invariants, seeded from --gtest_random_seed so a failure can be
// reproduced.

struct RandomGroup {
  GroupSubscription group;
  bool equal_subscriptions = false;
};

std::mt19937 SeededRng(int salt) {
  const int seed = ::testing::UnitTest::GetInstance()->random_seed();
  return std::mt19937(static_cast<uint32_t>(seed * 7919 + salt));
}

RandomGroup MakeRandomGroup(std::mt19937& rng) {
  auto uniform = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  RandomGroup out;
  const int num_topics = uniform(1, 6);
  std::vector<std::string> topics;
  for (int t = 0; t < num_topics; ++t) {
    topics.push_back(absl::StrCat("topic", t));
    out.group.partitions_per_topic[topics.back()] = uniform(0, 9);
  }
  out.equal_subscriptions = uniform(0, 1) == 1;
  std::vector<std::string> shared;
  for (const std::string& t : topics) {
    if (uniform(0, 2) != 0 || shared.empty()) shared.push_back(t);
  }
  const int num_members = uniform(1, 10);
  for (int m = 0; m < num_members; ++m) {
    GroupMember member;
    member.member_id = absl::StrCat(uniform(0, 1) ? "consumer" : "c", m);
    if (out.equal_subscriptions) {
      member.topics = shared;
    } else {
      for (const std::string& t : topics) {
        if (uniform(0, 1) == 1) member.topics.push_back(t);
      }
      if (member.topics.empty()) member.topics.push_back(topics[0]);
    }
    if (uniform(0, 3) == 0) {
      member.group_instance_id = absl::StrCat("instance", uniform(0, 20));
    }
    out.group.members.push_back(std::move(member));
  }
  return out;
}

// The set of partitions that must be assigned: every partition of every
// topic some member subscribes to.
std::set<TopicPartition> SubscribedPartitions(const GroupSubscription& g) {
  std::set<TopicPartition> out;
  for (const GroupMember& m : g.members) {
    for (const std::string& t : m.topics) {
      auto it = g.partitions_per_topic.find(t);
      if (it == g.partitions_per_topic.end()) continue;
      for (int32_t p = 0; p < it->second; ++p) out.emplace(t, p);
    }
  }
  return out;
}

// Each partition at most once, only to subscribers; with `complete`, every
// subscribed partition exactly once.
void ExpectValid(const GroupSubscription& g, const GroupAssignment& a,
                 bool complete) {
  std::map<std::string, std::set<std::string>> subscribed;
  for (const GroupMember& m : g.members) {
    subscribed[m.member_id].insert(m.topics.begin(), m.topics.end());
    EXPECT_EQ(a.count(m.member_id), 1u) << m.member_id << " missing";
  }
  std::set<TopicPartition> seen;
  for (const auto& [member, partitions] : a) {
    EXPECT_TRUE(std::is_sorted(partitions.begin(), partitions.end()));
    for (const TopicPartition& tp : partitions) {
      EXPECT_TRUE(seen.insert(tp).second) << tp << " assigned twice";
      EXPECT_EQ(subscribed[member].count(tp.topic), 1u)
          << member << " got " << tp << " without subscribing";
    }
  }
  const std::set<TopicPartition> expected = SubscribedPartitions(g);
  for (const TopicPartition& tp : seen) {
    EXPECT_EQ(expected.count(tp), 1u) << tp << " does not exist";
  }
  if (complete) {
    EXPECT_EQ(seen.size(), expected.size());
  }
}

// Kafka's verifyValidityAndBalance rule: two members whose counts differ by
// more than one hold no partitions of a common topic.
void ExpectBalanced(const GroupAssignment& a) {
  for (const auto& [m1, p1] : a) {
    for (const auto& [m2, p2] : a) {
      if (p1.size() <= p2.size() + 1) continue;
      std::set<std::string> topics1;
      for (const TopicPartition& tp : p1) topics1.insert(tp.topic);
      for (const TopicPartition& tp : p2) {
        EXPECT_EQ(topics1.count(tp.topic), 0u)
            << m1 << " (" << p1.size() << ") and " << m2 << " (" << p2.size()
            << ") share topic " << tp.topic;
      }
    }
  }
}

void ExpectFullyBalanced(const GroupAssignment& a) {
  size_t lo = SIZE_MAX, hi = 0;
  for (const auto& [member, partitions] : a) {
    lo = std::min(lo, partitions.size());
    hi = std::max(hi, partitions.size());
  }
  if (!a.empty()) {
    EXPECT_LE(hi - lo, 1u);
  }
}

// Cooperative rule: no partition is both newly assigned and revoked.
void ExpectNoTransfer(const GroupSubscription& g, const GroupAssignment& a) {
  std::set<TopicPartition> added, revoked;
  for (const GroupMember& m : g.members) {
    const std::vector<TopicPartition>& got = a.at(m.member_id);
    std::set<TopicPartition> owned(m.owned_partitions.begin(),
                                   m.owned_partitions.end());
    std::set<TopicPartition> now(got.begin(), got.end());
    for (const TopicPartition& tp : now) {
      if (!owned.count(tp)) added.insert(tp);
    }
    for (const TopicPartition& tp : owned) {
      if (!now.count(tp)) revoked.insert(tp);
    }
  }
  for (const TopicPartition& tp : added) {
    EXPECT_EQ(revoked.count(tp), 0u)
        << tp << " revoked and reassigned in one rebalance";
  }
}

// The next generation of `g`: each member owns what it was assigned.
GroupSubscription NextGeneration(GroupSubscription g, const GroupAssignment& a,
                                 int32_t generation) {
  for (GroupMember& m : g.members) {
    m.owned_partitions = a.at(m.member_id);
    m.generation = generation;
  }
  return g;
}

// Changes membership a little: drops and adds members, sometimes changes a
// subscription.
GroupSubscription Perturb(GroupSubscription g, std::mt19937& rng,
                          bool keep_equal) {
  auto uniform = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  if (g.members.size() > 1 && uniform(0, 1)) {
    g.members.erase(g.members.begin() + uniform(0, g.members.size() - 1));
  }
  const int added = uniform(0, 2);
  for (int i = 0; i < added; ++i) {
    GroupMember m;
    m.member_id = absl::StrCat("new", i, "-", uniform(0, 1000));
    m.topics = g.members.empty() ? std::vector<std::string>{"topic0"}
                                 : g.members[0].topics;
    m.generation = g.members.empty() ? 1 : g.members[0].generation;
    bool clash = false;
    for (const GroupMember& other : g.members) {
      clash |= other.member_id == m.member_id;
    }
    if (!clash) g.members.push_back(std::move(m));
  }
  if (!keep_equal && !g.members.empty() && uniform(0, 1)) {
    GroupMember& m = g.members[uniform(0, g.members.size() - 1)];
    std::vector<std::string> topics;
    for (const auto& entry : g.partitions_per_topic) {
      if (uniform(0, 1)) topics.push_back(entry.first);
    }
    if (!topics.empty()) m.topics = topics;
  }
  return g;
}

constexpr int kRandomRounds = 150;

TEST(RandomizedAssignorTest, EagerAssignmentsAreValidAndBalanced) {
  std::mt19937 rng = SeededRng(1);
  for (int round = 0; round < kRandomRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("seed ",
                              ::testing::UnitTest::GetInstance()->random_seed(),
                              " round ", round));
    const RandomGroup r = MakeRandomGroup(rng);
    for (const char* name : {"range", "roundrobin", "sticky"}) {
      SCOPED_TRACE(name);
      absl::StatusOr<GroupAssignment> a = AssignorByName(name)->Assign(r.group);
      ASSERT_OK(a);
      ExpectValid(r.group, *a, /*complete=*/true);
      if (std::string(name) == "sticky") ExpectBalanced(*a);
      if (r.equal_subscriptions && std::string(name) != "range") {
        ExpectFullyBalanced(*a);
      }
    }
  }
}

TEST(RandomizedAssignorTest, StickyKeepsOwnersWhereBalanceAllows) {
  std::mt19937 rng = SeededRng(2);
  const std::unique_ptr<Assignor> sticky = NewStickyAssignor();
  for (int round = 0; round < kRandomRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("seed ",
                              ::testing::UnitTest::GetInstance()->random_seed(),
                              " round ", round));
    const RandomGroup r = MakeRandomGroup(rng);
    absl::StatusOr<GroupAssignment> first = sticky->Assign(r.group);
    ASSERT_OK(first);

    // Unchanged group: a balanced assignment is kept as it is.
    const GroupSubscription same = NextGeneration(r.group, *first, 1);
    absl::StatusOr<GroupAssignment> again = sticky->Assign(same);
    ASSERT_OK(again);
    EXPECT_EQ(*again, *first);

    // Changed membership: still valid and balanced, and with equal
    // subscriptions every remaining member keeps at least min(owned, quota)
    // of what it owned.
    const GroupSubscription next =
        Perturb(same, rng, /*keep_equal=*/r.equal_subscriptions);
    absl::StatusOr<GroupAssignment> after = sticky->Assign(next);
    ASSERT_OK(after);
    ExpectValid(next, *after, /*complete=*/true);
    ExpectBalanced(*after);
    if (r.equal_subscriptions && !next.members.empty()) {
      ExpectFullyBalanced(*after);
      const size_t total = SubscribedPartitions(next).size();
      const size_t quota = total / next.members.size();
      for (const GroupMember& m : next.members) {
        const std::vector<TopicPartition>& got = after->at(m.member_id);
        size_t kept = 0;
        for (const TopicPartition& tp : m.owned_partitions) {
          kept += std::count(got.begin(), got.end(), tp);
        }
        EXPECT_GE(kept, std::min(m.owned_partitions.size(), quota))
            << m.member_id << " lost owned partitions it could keep";
      }
    }
  }
}

TEST(RandomizedAssignorTest, CooperativeRevokesBeforeReassigning) {
  std::mt19937 rng = SeededRng(3);
  const std::unique_ptr<Assignor> cooperative = NewCooperativeStickyAssignor();
  const std::unique_ptr<Assignor> sticky = NewStickyAssignor();
  for (int round = 0; round < kRandomRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("seed ",
                              ::testing::UnitTest::GetInstance()->random_seed(),
                              " round ", round));
    const RandomGroup r = MakeRandomGroup(rng);
    absl::StatusOr<GroupAssignment> first = cooperative->Assign(r.group);
    ASSERT_OK(first);
    // Nothing is owned yet, so nothing is held back.
    ExpectValid(r.group, *first, /*complete=*/true);

    GroupSubscription g = Perturb(NextGeneration(r.group, *first, 1), rng,
                                  /*keep_equal=*/r.equal_subscriptions);
    absl::StatusOr<GroupAssignment> a = cooperative->Assign(g);
    ASSERT_OK(a);
    ExpectValid(g, *a, /*complete=*/false);
    ExpectNoTransfer(g, *a);
    // Follow-up rebalances, as the consumers would trigger them, until no
    // partition is revoked; each must follow the same rule.
    int32_t generation = 2;
    bool revoking = true;
    for (int step = 0; revoking && step < 5; ++step) {
      revoking = false;
      for (const GroupMember& m : g.members) {
        for (const TopicPartition& tp : m.owned_partitions) {
          const std::vector<TopicPartition>& got = a->at(m.member_id);
          revoking |= std::find(got.begin(), got.end(), tp) == got.end();
        }
      }
      if (!revoking) break;
      ASSERT_LT(step, 4) << "still revoking after 4 follow-up rebalances";
      g = NextGeneration(g, *a, generation++);
      a = cooperative->Assign(g);
      ASSERT_OK(a);
      ExpectNoTransfer(g, *a);
    }
    ExpectValid(g, *a, /*complete=*/true);
    ExpectBalanced(*a);
    if (r.equal_subscriptions) ExpectFullyBalanced(*a);
  }
}

}  // namespace
}  // namespace brook
