// The group state machine on its own (group/group.h): Kafka's states and
// transitions driven step by step at chosen times, and the group's indexes
// against a scan of its members over a random run; no engine.
#include "group/group.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr ConsumerGroupState kEmpty = ConsumerGroupState::kEmpty;
constexpr ConsumerGroupState kPreparing =
    ConsumerGroupState::kPreparingRebalance;
constexpr ConsumerGroupState kStable = ConsumerGroupState::kStable;

const absl::Time kStart = absl::FromUnixSeconds(1000000);
constexpr absl::Duration kMaxPoll = absl::Seconds(10);
constexpr absl::Duration kSession = absl::Seconds(5);

enum class Op {
  kJoin,            // Join (a rejoin when the member has an id).
  kJoinRoundRobin,  // Join with only "roundrobin" as its strategy.
  kTake,            // TakeJoinResult.
  kHeartbeat,       // Heartbeat with the member's last collected generation.
  kEndPoll,
  kLeave,
  kUnresponsive,
  kCommit,  // CheckCommit with the member's last collected generation.
  kCheck,   // CheckDeadlines.
};

struct Step {
  int64_t at_ms;  // Since kStart.
  Op op;
  // 'a', 'b', ...; each keeps its id and last generation. 's' and 't' are
  // static members with group.instance.id "i".
  char member;
  ErrorCode code;  // What the call returns (kNone: OK).
  ConsumerGroupState state;
  int32_t generation;
  int members;
  // NextDeadline after the step, in ms since kStart; -1: InfiniteFuture.
  int64_t next_deadline_ms = -2;  // -2: not checked.
};

struct Case {
  std::string name;
  std::vector<Step> steps;
};

using E = ErrorCode;

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"FirstJoinCompletesAtOnce",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1, -1},
           {0, Op::kTake, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kHeartbeat, 'a', E::kNone, kStable, 1, 1},
       }},
      {"SecondJoinRebalances",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kTake, 'a', E::kNone, kStable, 1, 1},
           {5, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2, 5 + 10000},
           {6, Op::kHeartbeat, 'a', E::kRebalanceInProgress, kPreparing, 1, 2},
           {7, Op::kCommit, 'a', E::kNone, kPreparing, 1, 2},
           {8, Op::kJoin, 'a', E::kNone, kStable, 2, 2, -1},
           {9, Op::kHeartbeat, 'a', E::kIllegalGeneration, kStable, 2, 2},
           {9, Op::kCommit, 'a', E::kCommitFailed, kStable, 2, 2},
           {9, Op::kTake, 'a', E::kNone, kStable, 2, 2},
           {9, Op::kTake, 'b', E::kNone, kStable, 2, 2},
           {9, Op::kHeartbeat, 'a', E::kNone, kStable, 2, 2},
           {9, Op::kCommit, 'b', E::kNone, kStable, 2, 2},
       }},
      {"LeaveRebalancesAndLastLeaveEmpties",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {0, Op::kJoin, 'a', E::kNone, kStable, 2, 2},
           {1, Op::kLeave, 'b', E::kNone, kPreparing, 2, 1},
           {2, Op::kJoin, 'a', E::kNone, kStable, 3, 1},
           {3, Op::kLeave, 'a', E::kNone, kEmpty, 4, 0, -1},
           {4, Op::kHeartbeat, 'a', E::kUnknownMemberId, kEmpty, 4, 0},
       }},
      {"MaxPollIntervalRemovesAMemberThatStoppedPolling",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {0, Op::kJoin, 'a', E::kNone, kStable, 2, 2},
           {1000, Op::kEndPoll, 'b', E::kNone, kStable, 2, 2, 11000},
           // A member inside Poll never expires, whatever the clock does.
           {10999, Op::kCheck, 'a', E::kNone, kStable, 2, 2, 11000},
           {11000, Op::kCheck, 'a', E::kNone, kPreparing, 2, 1, 21000},
           {11001, Op::kJoin, 'a', E::kNone, kStable, 3, 1, -1},
       }},
      {"SessionTimeoutRemovesAnUnresponsiveMember",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {0, Op::kJoin, 'a', E::kNone, kStable, 2, 2},
           {1000, Op::kUnresponsive, 'b', E::kNone, kStable, 2, 2, 6000},
           {5999, Op::kCheck, 'a', E::kNone, kStable, 2, 2, 6000},
           {6000, Op::kCheck, 'a', E::kNone, kPreparing, 2, 1},
       }},
      {"RebalanceTimeoutCompletesWithoutLateMembers",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {0, Op::kJoin, 'a', E::kNone, kStable, 2, 2},
           {100, Op::kJoin, 'c', E::kNone, kPreparing, 2, 3, 10100},
           // A rejoin extends the rebalance timeout, never shortens it.
           {200, Op::kJoin, 'a', E::kNone, kPreparing, 2, 3, 10200},
           {10199, Op::kCheck, 'a', E::kNone, kPreparing, 2, 3},
           {10200, Op::kCheck, 'a', E::kNone, kStable, 3, 2, -1},
           {10201, Op::kTake, 'b', E::kUnknownMemberId, kStable, 3, 2},
       }},
      {"RebalanceTimeoutReplacesALateLeader",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {10000, Op::kCheck, 'a', E::kNone, kStable, 2, 1},
       }},
      {"StaticMemberReplacedInAStableGroupKeepsTheGeneration",
       {
           {0, Op::kJoin, 's', E::kNone, kStable, 1, 1},
           {0, Op::kJoin, 'b', E::kNone, kPreparing, 1, 2},
           {0, Op::kJoin, 's', E::kNone, kStable, 2, 2},
           {0, Op::kTake, 's', E::kNone, kStable, 2, 2},
           {1, Op::kJoin, 't', E::kNone, kStable, 2, 2},
           {2, Op::kTake, 't', E::kNone, kStable, 2, 2},
           {3, Op::kHeartbeat, 't', E::kNone, kStable, 2, 2},
           {3, Op::kHeartbeat, 's', E::kFencedInstanceId, kStable, 2, 2},
       }},
      {"NoCommonStrategyIsRefused",
       {
           {0, Op::kJoin, 'a', E::kNone, kStable, 1, 1},
           {1, Op::kJoinRoundRobin, 'b', E::kInconsistentGroupProtocol,
            kStable, 1, 1},
       }},
  };
  return *cases;
}

class GroupStateTest : public ::testing::TestWithParam<Case> {};

TEST_P(GroupStateTest, Steps) {
  Group group("g", [](const std::string& topic) -> std::optional<int32_t> {
    if (topic == "t") return 6;
    return std::nullopt;
  });
  int64_t member_number = 0;
  std::map<char, std::string> ids;
  std::map<char, int32_t> generations;
  int index = 0;
  for (const Step& step : GetParam().steps) {
    SCOPED_TRACE(absl::StrCat("step ", index++, " (member ",
                              std::string(1, step.member), ")"));
    const absl::Time now = kStart + absl::Milliseconds(step.at_ms);
    const std::string& id = ids[step.member];
    absl::Status status;
    switch (step.op) {
      case Op::kJoin:
      case Op::kJoinRoundRobin: {
        JoinRequest request;
        request.group_id = "g";
        request.member_id = id;
        request.client_id = std::string(1, step.member);
        if (step.member == 's' || step.member == 't') {
          request.group_instance_id = "i";
        }
        request.topics = {"t"};
        request.strategies = {step.op == Op::kJoinRoundRobin ? "roundrobin"
                                                              : "range"};
        request.max_poll_interval = kMaxPoll;
        request.session_timeout = kSession;
        absl::StatusOr<std::string> joined =
            group.Join(request, now, &member_number);
        status = joined.status();
        if (joined.ok()) ids[step.member] = *joined;
        break;
      }
      case Op::kTake: {
        absl::StatusOr<std::optional<JoinResult>> result =
            group.TakeJoinResult(id, now);
        status = result.status();
        if (result.ok() && *result) {
          generations[step.member] = (*result)->generation;
        }
        break;
      }
      case Op::kHeartbeat:
        status = group.Heartbeat(id, generations[step.member], now);
        break;
      case Op::kEndPoll:
        group.EndPoll(id, now);
        break;
      case Op::kLeave:
        group.Leave(id, now);
        break;
      case Op::kUnresponsive:
        group.MarkUnresponsive(id, now);
        break;
      case Op::kCommit:
        status = group.CheckCommit(id, generations[step.member], now);
        break;
      case Op::kCheck:
        group.CheckDeadlines(now);
        break;
    }
    group.TakeEffects();
    EXPECT_EQ(GetErrorCode(status), step.code) << status;
    EXPECT_EQ(std::string(ConsumerGroupStateName(group.state())),
              std::string(ConsumerGroupStateName(step.state)));
    EXPECT_EQ(group.generation(), step.generation);
    EXPECT_EQ(static_cast<int>(group.members().size()), step.members);
    if (step.next_deadline_ms == -1) {
      EXPECT_EQ(group.NextDeadline(), absl::InfiniteFuture());
    } else if (step.next_deadline_ms >= 0) {
      EXPECT_EQ(group.NextDeadline(),
                kStart + absl::Milliseconds(step.next_deadline_ms));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Transitions, GroupStateTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(GroupStateTest, CompletedRebalanceAssignsEveryPartition) {
  Group group("g", [](const std::string&) -> std::optional<int32_t> {
    return 6;
  });
  int64_t member_number = 0;
  JoinRequest request;
  request.group_id = "g";
  request.client_id = "c";
  request.topics = {"t"};
  request.strategies = {"range"};
  absl::StatusOr<std::string> a = group.Join(request, kStart, &member_number);
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<std::string> b = group.Join(request, kStart, &member_number);
  ASSERT_TRUE(b.ok()) << b.status();
  request.member_id = *a;
  ASSERT_TRUE(group.Join(request, kStart, &member_number).ok());
  EXPECT_EQ(group.state(), ConsumerGroupState::kStable);
  EXPECT_EQ(group.uncollected(), 2);
  GroupEffects effects = group.TakeEffects();
  EXPECT_TRUE(effects.wake);
  EXPECT_TRUE(effects.snapshot);
  ConsumerGroupDescription d = group.Describe();
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_THAT((std::vector<std::string>{d.members[0].member_id,
                                        d.members[1].member_id}),
              ::testing::UnorderedElementsAre(*a, *b));
  EXPECT_NE(*a, *b);
  EXPECT_EQ(d.members[0].assignment.size() + d.members[1].assignment.size(),
            6u);
  EXPECT_EQ(d.protocol, "range");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.leader, *a);  // The first to join leads.
}


// The group's indexes (deadlines, joined members, static members,
// strategies) against a scan of its members after every step of a random
// run: joins (some static, some with other strategies), polls, leaves,
// members that stop heartbeating, and deadline checks as time moves.
TEST(GroupStateTest, IndexesAgreeWithAScanOfTheMembers) {
  Group group("g", [](const std::string&) -> std::optional<int32_t> {
    return 12;
  });
  std::mt19937 rng(20261205);
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  int64_t member_number = 0;
  absl::Time now = kStart;
  constexpr int kClients = 40;
  std::vector<std::string> ids(kClients);  // Last member id of each client.
  const std::vector<std::vector<std::string>> strategies = {
      {"range"}, {"range", "roundrobin"}, {"roundrobin", "range"},
      {"roundrobin"}};
  for (int step = 0; step < 20000; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    now += absl::Milliseconds(pick(400));
    const int client = pick(kClients);
    const std::string& id = ids[client];
    switch (pick(9)) {
      case 0:
      case 1: {
        JoinRequest request;
        request.group_id = "g";
        // Sometimes a new member (after a restart) of a known client.
        request.member_id = pick(4) == 0 ? "" : id;
        request.client_id = absl::StrCat("c", client);
        if (client % 5 == 0) {
          request.group_instance_id = absl::StrCat("i", client % 15);
        }
        request.topics = {"t"};
        // Mostly one strategy in common; now and then none.
        request.strategies = strategies[pick(40) == 0 ? 3 : pick(3)];
        request.max_poll_interval = absl::Milliseconds(500 + pick(20000));
        request.session_timeout = absl::Milliseconds(500 + pick(10000));
        absl::StatusOr<std::string> joined =
            group.Join(request, now, &member_number);
        if (joined.ok()) ids[client] = *joined;
        break;
      }
      case 2:
        group.TakeJoinResult(id, now).status().IgnoreError();  // Any result.
        break;
      case 3:
        group.Heartbeat(id, group.generation(), now).IgnoreError();
        break;
      case 4:
        group.EndPoll(id, now);
        break;
      case 5:
        if (pick(4) == 0) group.Leave(id, now);
        break;
      case 6:
        if (pick(3) == 0) group.MarkUnresponsive(id, now);
        break;
      case 7:
        group.MarkResponsive(id);
        break;
      case 8:
        group.CheckDeadlines(now);
        // Nobody whose deadline passed is left.
        for (const auto& [member_id, m] : group.members()) {
          const absl::Time deadline =
              m.unresponsive_since ? *m.unresponsive_since + m.session_timeout
              : m.polling          ? absl::InfiniteFuture()
                                   : m.last_poll + m.max_poll_interval;
          EXPECT_GT(deadline, now) << member_id;
        }
        break;
    }
    group.TakeEffects();
    ASSERT_OK(group.CheckIndexes());
    if (group.state() != ConsumerGroupState::kPreparingRebalance) {
      absl::Time next = absl::InfiniteFuture();
      for (const auto& [member_id, m] : group.members()) {
        if (m.unresponsive_since) {
          next = std::min(next, *m.unresponsive_since + m.session_timeout);
        } else if (!m.polling) {
          next = std::min(next, m.last_poll + m.max_poll_interval);
        }
      }
      ASSERT_EQ(group.NextDeadline(), next);
    }
  }
}

}  // namespace
}  // namespace brook
