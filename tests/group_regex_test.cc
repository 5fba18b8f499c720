// Tests of SubscribePattern (Kafka's subscribe(Pattern)) and of
// metadata.max.age.ms: topics created or deleted after the subscription are
// picked up at the next metadata check, on the engine's ManualClock.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/options.h"
#include "brook/producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/group_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr absl::Duration kMaxAge = absl::Seconds(30);

class GroupRegexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenInMemory(&clock_);
    ASSERT_NE(engine_, nullptr);
  }

  std::unique_ptr<Consumer> Member(const std::string& client_id) {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = client_id;
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.assignment_strategies = {"range"};
    o.metadata_max_age = kMaxAge;
    auto c = engine_->CreateConsumer(o);
    EXPECT_OK(c);
    return c.ok() ? std::move(*c) : nullptr;
  }

  static void PollAll(const std::vector<Consumer*>& consumers, int rounds = 3) {
    for (int r = 0; r < rounds; ++r) {
      for (Consumer* c : consumers) EXPECT_OK(c->Poll(absl::ZeroDuration()));
    }
  }

  static std::vector<std::string> Subs(Consumer& c) {
    auto s = c.Subscription();
    EXPECT_OK(s);
    return s.ok() ? *s : std::vector<std::string>{"<error>"};
  }

  static std::string Owned(Consumer& c) {
    auto a = c.Assignment();
    EXPECT_OK(a);
    return a.ok() ? Str(*a) : "";
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(GroupRegexTest, MatchesWholeNamesOfExistingTopics) {
  ASSERT_OK(engine_->admin().CreateTopic("orders.eu", 1));
  ASSERT_OK(engine_->admin().CreateTopic("orders.us", 1));
  ASSERT_OK(engine_->admin().CreateTopic("orders", 1));
  ASSERT_OK(engine_->admin().CreateTopic("x.orders.eu", 1));
  auto c = Member("a");
  ASSERT_OK(c->SubscribePattern("orders\\..*"));
  EXPECT_THAT(Subs(*c), (ElementsAre("orders.eu", "orders.us")));
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "orders.eu-0,orders.us-0");
}

TEST_F(GroupRegexTest, NewTopicIsPickedUpAfterMetadataMaxAge) {
  ASSERT_OK(engine_->admin().CreateTopic("logs-a", 2));
  auto a = Member("a");
  auto b = Member("b");
  ASSERT_OK(a->SubscribePattern("logs-.*"));
  ASSERT_OK(b->SubscribePattern("logs-.*"));
  PollAll({a.get(), b.get()});
  EXPECT_EQ(Owned(*a), "logs-a-0");
  EXPECT_EQ(Owned(*b), "logs-a-1");

  ASSERT_OK(engine_->admin().CreateTopic("logs-b", 2));
  ASSERT_OK(engine_->admin().CreateTopic("other", 2));
  // Not before metadata.max.age.ms passed.
  clock_.Advance(kMaxAge - absl::Seconds(1));
  PollAll({a.get(), b.get()});
  EXPECT_THAT(Subs(*a), (ElementsAre("logs-a")));
  EXPECT_EQ(Owned(*a), "logs-a-0");

  clock_.Advance(absl::Seconds(1));
  PollAll({a.get(), b.get()});
  EXPECT_THAT(Subs(*a), (ElementsAre("logs-a", "logs-b")));
  EXPECT_EQ(Owned(*a), "logs-a-0,logs-b-0");
  EXPECT_EQ(Owned(*b), "logs-a-1,logs-b-1");
}

TEST_F(GroupRegexTest, AddedPartitionsArePickedUpAfterMetadataMaxAge) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto a = Member("a");
  auto b = Member("b");
  ASSERT_OK(a->Subscribe({"t"}));
  ASSERT_OK(b->Subscribe({"t"}));
  PollAll({a.get(), b.get()});
  EXPECT_EQ(Owned(*a), "t-0");
  EXPECT_EQ(Owned(*b), "t-1");
  ASSERT_OK(engine_->admin().CreatePartitions("t", 4));
  clock_.Advance(kMaxAge - absl::Seconds(1));
  PollAll({a.get(), b.get()});
  EXPECT_EQ(Owned(*a), "t-0");  // Not before metadata.max.age.ms.
  clock_.Advance(absl::Seconds(1));
  PollAll({a.get(), b.get()});
  EXPECT_EQ(Owned(*a), "t-0,t-1");
  EXPECT_EQ(Owned(*b), "t-2,t-3");
  // Records sent to a new partition reach its owner.
  ProducerOptions po;
  po.linger = absl::ZeroDuration();  // The clock is manual.
  auto producer = engine_->CreateProducer(po);
  ASSERT_OK(producer);
  ProducerRecord r("t", "k", "v");
  r.partition = 3;
  ASSERT_OK((*producer)->Send(std::move(r)).Get());
  auto polled = b->Poll(absl::ZeroDuration());
  ASSERT_OK(polled);
  ASSERT_EQ(polled->size(), 1u);
  EXPECT_EQ((*polled)[0].partition, 3);
  EXPECT_EQ((*polled)[0].offset, 0);
}

TEST_F(GroupRegexTest, DeletedTopicIsDroppedAfterMetadataMaxAge) {
  ASSERT_OK(engine_->admin().CreateTopic("t1", 1));
  ASSERT_OK(engine_->admin().CreateTopic("t2", 1));
  auto c = Member("a");
  ASSERT_OK(c->SubscribePattern("t[0-9]"));
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "t1-0,t2-0");
  ASSERT_OK(engine_->admin().DeleteTopic("t1"));
  clock_.Advance(kMaxAge);
  PollAll({c.get()});
  EXPECT_THAT(Subs(*c), (ElementsAre("t2")));
  EXPECT_EQ(Owned(*c), "t2-0");
}

TEST_F(GroupRegexTest, ListSubscriptionPicksUpATopicCreatedLater) {
  auto c = Member("a");
  ASSERT_OK(c->Subscribe({"late"}));
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "");
  ASSERT_OK(engine_->admin().CreateTopic("late", 2));
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "");  // Until the next metadata check.
  clock_.Advance(kMaxAge);
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "late-0,late-1");
}

TEST_F(GroupRegexTest, BlockedPollWakesForTheMetadataCheck) {
  auto c = Member("a");
  ASSERT_OK(c->SubscribePattern("new-.*"));
  PollAll({c.get()});
  // A Poll blocked with no partitions at all wakes when the metadata check
  // is due on the ManualClock, finds the new topic and returns its record.
  std::thread poller([&] {
    auto records = c->Poll(absl::InfiniteDuration());
    ASSERT_OK(records);
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0].topic, "new-1");
  });
  ASSERT_OK(engine_->admin().CreateTopic("new-1", 1));
  ProducerOptions po;
  po.linger = absl::ZeroDuration();
  auto producer = engine_->CreateProducer(po);
  ASSERT_OK(producer);
  ProducerRecord r("new-1", "k", "v");
  ASSERT_OK((*producer)->Send(std::move(r)).Get());
  clock_.Advance(kMaxAge);
  poller.join();
  EXPECT_EQ(Owned(*c), "new-1-0");
}

TEST_F(GroupRegexTest, UnsubscribeAndResubscribeWithAList) {
  ASSERT_OK(engine_->admin().CreateTopic("a1", 1));
  ASSERT_OK(engine_->admin().CreateTopic("b1", 1));
  auto c = Member("a");
  ASSERT_OK(c->SubscribePattern("a.*"));
  PollAll({c.get()});
  EXPECT_EQ(Owned(*c), "a1-0");
  ASSERT_OK(c->Subscribe({"b1"}));
  clock_.Advance(kMaxAge);  // The pattern no longer applies.
  PollAll({c.get()});
  EXPECT_THAT(Subs(*c), (ElementsAre("b1")));
  EXPECT_EQ(Owned(*c), "b1-0");
  ASSERT_OK(c->Unsubscribe());
  EXPECT_THAT(Subs(*c), (IsEmpty()));
}

TEST_F(GroupRegexTest, Errors) {
  auto c = Member("a");
  EXPECT_THAT(c->SubscribePattern("orders(("),
              StatusIs(ErrorCode::kInvalidRequest));
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ASSERT_OK(c->Assign({{"t", 0}}));
  EXPECT_THAT(c->SubscribePattern("t"), StatusIs(ErrorCode::kIllegalState));
  ConsumerOptions no_group;
  auto d = engine_->CreateConsumer(no_group);
  ASSERT_OK(d);
  EXPECT_THAT((*d)->SubscribePattern("t"),
              StatusIs(ErrorCode::kInvalidGroupId));
}

TEST_F(GroupRegexTest, MetadataMaxAgeProperty) {
  auto o = ConsumerOptions::FromProperties({{"metadata.max.age.ms", "1500"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->metadata_max_age, absl::Milliseconds(1500));
  EXPECT_EQ(ConsumerOptions().metadata_max_age, absl::Minutes(5));
  EXPECT_THAT(ConsumerOptions::FromProperties({{"metadata.max.age.ms", "-1"}}),
              StatusIs(ErrorCode::kInvalidConfig));
}

}  // namespace
}  // namespace brook
