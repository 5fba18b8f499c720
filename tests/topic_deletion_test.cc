// Topic deletion seen from clients: consumers assigned to a deleted topic
// keep working on their other partitions, and nothing re-creates the topic
// or resurrects its committed offsets.
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

TEST(TopicDeletionTest, AutoCommitSkipsADeletedTopicAndNeverRecreatesIt) {
  ManualClock clock;
  EngineOptions eo;
  eo.in_memory = true;
  eo.auto_create_topics = true;
  eo.clock = &clock;
  auto engine = Engine::Open(eo, "deletion");
  ASSERT_OK(engine);
  Admin& admin = (*engine)->admin();
  ASSERT_OK(admin.CreateTopic("t", 1));
  ASSERT_OK(admin.CreateTopic("u", 1));
  ProducerOptions po;
  po.acks = Acks::kLeader;
  po.linger = absl::ZeroDuration();
  auto producer = (*engine)->CreateProducer(po);
  ASSERT_OK(producer);
  for (const char* topic : {"t", "u"}) {
    for (int i = 0; i < 5; ++i) {
      ASSERT_OK((*producer)->Send({topic, "k", "v"}).Get());
    }
  }
  ConsumerOptions co;
  co.group_id = "g";
  co.auto_offset_reset = OffsetReset::kEarliest;
  co.auto_commit_interval = absl::Seconds(1);
  auto consumer = (*engine)->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK(
      (*consumer)->Assign({TopicPartition("t", 0), TopicPartition("u", 0)}));
  auto first = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(first);
  EXPECT_EQ(first->size(), 10u);

  ASSERT_OK(admin.DeleteTopic("t"));
  ASSERT_OK((*producer)->Send({"u", "k", "v"}).Get());
  clock.Advance(absl::Seconds(2));  // Due for an auto commit.
  auto second = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(second);  // The deleted topic does not fail the commit.
  EXPECT_EQ(second->size(), 1u);
  auto topics = admin.ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ::testing::ElementsAre("u"));
  auto committed = (*consumer)->Committed({TopicPartition("u", 0)});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(TopicPartition("u", 0)).offset, 5);

  // An explicit commit for the deleted topic is refused, not re-created.
  EXPECT_THAT(
      (*consumer)->CommitSync({{TopicPartition("t", 0), OffsetAndMetadata(5)}}),
      StatusIs(ErrorCode::kUnknownTopicOrPartition));
  topics = admin.ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ::testing::ElementsAre("u"));
}

TEST(TopicDeletionTest, ARecreatedTopicStartsWithoutOldOffsets) {
  EngineOptions eo;
  eo.in_memory = true;
  auto engine = Engine::Open(eo, "recreate");
  ASSERT_OK(engine);
  Admin& admin = (*engine)->admin();
  ASSERT_OK(admin.CreateTopic("t", 1));
  ConsumerOptions co;
  co.group_id = "g";
  auto consumer = (*engine)->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->CommitSync(
      {{TopicPartition("t", 0), OffsetAndMetadata(0)}}));
  ASSERT_OK(admin.DeleteTopic("t"));
  ASSERT_OK(admin.CreateTopic("t", 1));
  auto committed = (*consumer)->Committed({TopicPartition("t", 0)});
  ASSERT_OK(committed);
  EXPECT_TRUE(committed->empty());
}

}  // namespace
}  // namespace brook
