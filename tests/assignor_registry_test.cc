// Tests of custom assignors registered by name (RegisterAssignor): option
// parsing, a group using one, strategy negotiation with the built-in ones,
// and the check the group runs on an assignor's result.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "brook/assignor.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/group_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// Gives every partition to the member whose id sorts first.
class FirstTakesAll : public Assignor {
 public:
  explicit FirstTakesAll(
      std::string name,
      std::vector<RebalanceProtocol> protocols = {RebalanceProtocol::kEager})
      : name_(std::move(name)), protocols_(std::move(protocols)) {}
  absl::string_view name() const override { return name_; }
  std::vector<RebalanceProtocol> supported_protocols() const override {
    return protocols_;
  }
  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& s) const override {
    GroupAssignment out;
    std::string first;
    for (const GroupMember& m : s.members) {
      out[m.member_id];
      if (first.empty() || m.member_id < first) first = m.member_id;
    }
    for (const auto& [topic, n] : s.partitions_per_topic) {
      for (int32_t p = 0; p < n; ++p) out[first].emplace_back(topic, p);
    }
    return out;
  }

 private:
  const std::string name_;
  const std::vector<RebalanceProtocol> protocols_;
};

// Gives every partition to every member: an invalid result.
class Everyone : public Assignor {
 public:
  absl::string_view name() const override { return "test-everyone"; }
  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kEager};
  }
  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& s) const override {
    GroupAssignment out;
    for (const GroupMember& m : s.members) {
      for (const auto& [topic, n] : s.partitions_per_topic) {
        for (int32_t p = 0; p < n; ++p) out[m.member_id].emplace_back(topic, p);
      }
    }
    return out;
  }
};

// Registered once for the whole test binary (the registry is per process).
class AssignorRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_OK(RegisterAssignor(std::make_shared<FirstTakesAll>("test-first")));
    ASSERT_OK(RegisterAssignor(std::make_shared<FirstTakesAll>(
        "test-first-coop",
        std::vector<RebalanceProtocol>{RebalanceProtocol::kCooperative,
                                       RebalanceProtocol::kEager})));
    ASSERT_OK(RegisterAssignor(std::make_shared<Everyone>()));
  }

  void SetUp() override {
    engine_ = OpenInMemory(&clock_);
    ASSERT_NE(engine_, nullptr);
    ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  }

  std::unique_ptr<Consumer> Member(const std::string& client_id,
                                   std::vector<std::string> strategies) {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = client_id;
    o.enable_auto_commit = false;
    o.assignment_strategies = std::move(strategies);
    auto c = engine_->CreateConsumer(o);
    EXPECT_OK(c);
    if (!c.ok()) return nullptr;
    EXPECT_OK((*c)->Subscribe({"t"}));
    return std::move(*c);
  }

  static std::string Owned(Consumer& c) {
    auto a = c.Assignment();
    EXPECT_OK(a);
    if (!a.ok()) return "<error>";
    std::vector<std::string> parts;
    for (const TopicPartition& tp : *a) parts.push_back(tp.ToString());
    return absl::StrJoin(parts, ",");
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(AssignorRegistryTest, RegisteredNameIsFoundAndParsed) {
  std::shared_ptr<Assignor> a = AssignorByName("test-first");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name(), "test-first");
  auto o = ConsumerOptions::FromProperties(
      {{"partition.assignment.strategy", "test-first, range"}});
  ASSERT_OK(o);
  EXPECT_THAT(o->assignment_strategies,
              ::testing::ElementsAre("test-first", "range"));
  EXPECT_THAT(ConsumerOptions::FromProperties(
                  {{"partition.assignment.strategy", "test-missing"}}),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(AssignorRegistryTest, RegistrationErrors) {
  EXPECT_THAT(RegisterAssignor(nullptr), StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(RegisterAssignor(std::make_shared<FirstTakesAll>("range")),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(
      RegisterAssignor(std::make_shared<FirstTakesAll>("cooperative-sticky")),
      StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(RegisterAssignor(std::make_shared<FirstTakesAll>("test-first")),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(RegisterAssignor(std::make_shared<FirstTakesAll>("")),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(RegisterAssignor(std::make_shared<FirstTakesAll>("a,b")),
              StatusIs(ErrorCode::kInvalidConfig));
  // The registered one is unchanged.
  EXPECT_NE(AssignorByName("test-first"), nullptr);
}

TEST_F(AssignorRegistryTest, GroupUsesTheCustomAssignor) {
  auto a = Member("a", {"test-first"});
  auto b = Member("b", {"test-first"});
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(a->Poll(absl::ZeroDuration()));
    ASSERT_OK(b->Poll(absl::ZeroDuration()));
  }
  auto ma = a->GroupMetadata();
  auto mb = b->GroupMetadata();
  ASSERT_OK(ma);
  ASSERT_OK(mb);
  Consumer& first = ma->member_id < mb->member_id ? *a : *b;
  Consumer& second = ma->member_id < mb->member_id ? *b : *a;
  EXPECT_EQ(Owned(first), "t-0,t-1,t-2");
  EXPECT_EQ(Owned(second), "");
  auto d = engine_->admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->protocol, "test-first");
}

TEST_F(AssignorRegistryTest, FirstStrategyEveryMemberSupportsWins) {
  auto a = Member("a", {"test-first", "roundrobin"});
  auto b = Member("b", {"roundrobin", "test-first"});
  auto c = Member("c", {"roundrobin"});
  for (int i = 0; i < 3; ++i) {
    for (Consumer* m : {a.get(), b.get(), c.get()}) {
      ASSERT_OK(m->Poll(absl::ZeroDuration()));
    }
  }
  auto d = engine_->admin().DescribeGroup("g");
  ASSERT_OK(d);
  EXPECT_EQ(d->protocol, "roundrobin");
}

TEST_F(AssignorRegistryTest, NoCommonStrategyIsInconsistentGroupProtocol) {
  auto a = Member("a", {"test-first"});
  ASSERT_OK(a->Poll(absl::ZeroDuration()));
  auto b = Member("b", {"range"});
  EXPECT_THAT(b->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kInconsistentGroupProtocol));
}

TEST_F(AssignorRegistryTest, CooperativeCustomAssignorRebalancesCooperatively) {
  // With a cooperative custom assignor, the consumer keeps its partitions
  // through the rebalance a newcomer causes (no revocation of everything).
  auto a = Member("a", {"test-first-coop"});
  ASSERT_OK(a->Poll(absl::ZeroDuration()));
  EXPECT_EQ(Owned(*a), "t-0,t-1,t-2");
  auto b = Member("b", {"test-first-coop"});
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(a->Poll(absl::ZeroDuration()));
    ASSERT_OK(b->Poll(absl::ZeroDuration()));
  }
  // a's id sorts first (both ids start with their client id).
  EXPECT_EQ(Owned(*a), "t-0,t-1,t-2");
  EXPECT_EQ(Owned(*b), "");
}

TEST_F(AssignorRegistryTest, InvalidResultFailsTheRebalance) {
  auto a = Member("a", {"test-everyone"});
  auto b = Member("b", {"test-everyone"});
  absl::Status last;
  for (int i = 0; i < 3; ++i) {
    for (Consumer* m : {a.get(), b.get()}) {
      auto r = m->Poll(absl::ZeroDuration());
      if (!r.ok()) last = r.status();
    }
  }
  EXPECT_THAT(last, StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(std::string(last.message()), ::testing::HasSubstr("went to"));
  // Nobody owns a partition twice: nobody got any.
  EXPECT_EQ(Owned(*a), "");
  EXPECT_EQ(Owned(*b), "");
}

}  // namespace
}  // namespace brook
