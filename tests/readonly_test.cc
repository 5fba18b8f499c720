// Tests of EngineOptions::read_only: a second engine reads a data directory
// that a writing engine holds (the same situation as `brook groups
// describe` next to a running application), sees what was stored when it
// opened, and refuses every write with IllegalState.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "brook/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

::testing::Matcher<absl::StatusOr<std::vector<std::string>>> IsOkAndHoldsGroups(
    std::vector<std::string> groups) {
  return ::testing::Property("value",
                             &absl::StatusOr<std::vector<std::string>>::value,
                             ::testing::ElementsAreArray(groups));
}

std::vector<std::string> Topics(Engine& engine) {
  auto topics = engine.admin().ListTopics();
  EXPECT_OK(topics);
  return topics.ok() ? *topics : std::vector<std::string>{"<error>"};
}

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = Engine::Open(EngineOptions{}, dir_.Sub("data"));
    ASSERT_OK(writer);
    writer_ = std::move(*writer);
    ASSERT_OK(writer_->admin().CreateTopic("t", 2));
    ProducerOptions po;
    po.acks = Acks::kLeader;
    po.linger = absl::ZeroDuration();
    auto producer = writer_->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < 5; ++i) {
      ProducerRecord r("t", "k", "v" + std::to_string(i));
      r.partition = 1;
      ASSERT_OK((*producer)->Send(std::move(r)).Get());
    }
    ASSERT_OK((*producer)->Close());
    CommitInGroupG(3);
  }

  // Commits `offset` for t-1 in group "g" through the writing engine.
  void CommitInGroupG(int64_t offset) {
    ConsumerOptions co;
    co.group_id = "g";
    auto consumer = writer_->CreateConsumer(co);
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign({{"t", 1}}));
    ASSERT_OK((*consumer)->CommitSync({{{"t", 1}, OffsetAndMetadata(offset)}}));
    ASSERT_OK((*consumer)->Close());
  }

  std::unique_ptr<Engine> OpenReader() {
    EngineOptions o;
    o.read_only = true;
    auto reader = Engine::Open(o, dir_.Sub("data"));
    EXPECT_OK(reader);
    return reader.ok() ? std::move(*reader) : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<Engine> writer_;
};

TEST_F(ReadOnlyTest, NormalOpenOfAHeldDirectoryIsDirectoryInUse) {
  EXPECT_THAT(Engine::Open(EngineOptions{}, dir_.Sub("data")),
              StatusIs(ErrorCode::kDirectoryInUse));
}

TEST_F(ReadOnlyTest, ReadsTopicsOffsetsAndRecordsWhileHeld) {
  auto reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  EXPECT_THAT(Topics(*reader), ::testing::ElementsAre("t"));
  auto d = reader->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[1].log_end_offset, 5);
  auto offsets = reader->admin().ListGroupOffsets("g");
  ASSERT_OK(offsets);
  ASSERT_EQ(offsets->size(), 1u);
  EXPECT_EQ((*offsets)[0].committed_offset, 3);
  EXPECT_EQ((*offsets)[0].lag, 2);

  ConsumerOptions co;
  co.group_id = "g";
  co.enable_auto_commit = false;  // Its commit at Close would be refused.
  auto consumer = reader->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 1}}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);  // From the committed offset, 3.
  EXPECT_EQ((*records)[0].value, "v3");
  // Reading does not need commits; committing is a write.
  EXPECT_THAT((*consumer)->CommitSync(), StatusIs(ErrorCode::kIllegalState));
  EXPECT_OK((*consumer)->Close());
  EXPECT_OK(reader->Close());
}

TEST_F(ReadOnlyTest, EveryWriteIsRefused) {
  auto reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  Admin& admin = reader->admin();
  EXPECT_THAT(reader->CreateProducer(ProducerOptions{}),
              StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(admin.CreateTopic("u", 1), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(admin.DeleteTopic("t"), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(admin.DeleteGroup("g"), StatusIs(ErrorCode::kIllegalState));
  auto plan = admin.ResetOffsets("g", "t", OffsetResetSpec::ToEarliest(),
                                 /*dry_run=*/true);
  ASSERT_OK(plan);
  EXPECT_THAT(admin.ResetOffsets("g", "t", OffsetResetSpec::ToEarliest()),
              StatusIs(ErrorCode::kIllegalState));
  // Nothing changed for the writer.
  auto offsets = writer_->admin().ListGroupOffsets("g");
  ASSERT_OK(offsets);
  EXPECT_EQ((*offsets)[0].committed_offset, 3);
  EXPECT_THAT(Topics(*writer_), ::testing::ElementsAre("t"));
}

TEST_F(ReadOnlyTest, KnowsOnlyTheTopicsThatExistedWhenItOpened) {
  auto before = OpenReader();
  ASSERT_NE(before, nullptr);
  ASSERT_OK(writer_->admin().CreateTopic("later", 1));
  EXPECT_THAT(Topics(*before), ::testing::ElementsAre("t"));
  auto after = OpenReader();
  ASSERT_NE(after, nullptr);
  EXPECT_THAT(Topics(*after), ::testing::ElementsAre("later", "t"));
}

TEST_F(ReadOnlyTest, FollowsTheHoldersNewRecordsAndCommits) {
  auto reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = reader->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 1}}));
  auto first = (*consumer)->Poll(absl::Seconds(5));
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 5u);

  // The holder writes more; a blocked Poll of the reader wakes with it.
  std::thread writer([this] {
    absl::SleepFor(absl::Milliseconds(50));
    auto producer = writer_->CreateProducer(ProducerOptions{});
    ASSERT_OK(producer);
    for (int i = 5; i < 8; ++i) {
      ProducerRecord r("t", "k", "v" + std::to_string(i));
      r.partition = 1;
      (*producer)->Send(std::move(r));
    }
    ASSERT_OK((*producer)->Close());
  });
  std::vector<std::string> values;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (values.size() < 3 && absl::Now() < give_up) {
    auto records = (*consumer)->Poll(absl::Seconds(5));
    ASSERT_OK(records);
    for (const ConsumerRecord& r : *records) values.push_back(*r.value);
  }
  writer.join();
  EXPECT_THAT(values, ::testing::ElementsAre("v5", "v6", "v7"));
  auto ends = (*consumer)->EndOffsets({{"t", 1}});
  ASSERT_OK(ends);
  EXPECT_EQ(ends->at({"t", 1}), 8);

  // Committed offsets follow too.
  CommitInGroupG(7);
  int64_t seen = -1;
  for (int i = 0; i < 300 && seen != 7; ++i) {
    auto offsets = reader->admin().ListGroupOffsets("g");
    ASSERT_OK(offsets);
    seen = (*offsets)[0].committed_offset;
    if (seen != 7) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(seen, 7);
}

TEST_F(ReadOnlyTest, DescribesTheHoldersGroupsFromItsSnapshots) {
  ConsumerOptions co;
  co.group_id = "live";
  co.client_id = "app";
  co.enable_auto_commit = false;
  auto member = writer_->CreateConsumer(co);
  ASSERT_OK(member);
  ASSERT_OK((*member)->Subscribe({"t"}));
  ASSERT_OK((*member)->Poll(absl::ZeroDuration()));  // Joins: one member.

  auto reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  auto d = reader->admin().DescribeGroup("live");
  ASSERT_OK(d);
  EXPECT_EQ(d->state, ConsumerGroupState::kStable);
  EXPECT_EQ(d->protocol, "range");
  ASSERT_EQ(d->members.size(), 1u);
  EXPECT_EQ(d->members[0].client_id, "app");
  EXPECT_THAT(
      d->members[0].assignment,
      ::testing::ElementsAre(TopicPartition("t", 0), TopicPartition("t", 1)));
  EXPECT_THAT(reader->admin().ListGroups(), IsOkAndHoldsGroups({"g", "live"}));
  // An active group cannot be reset, even in a dry run.
  EXPECT_THAT(
      reader->admin().ResetOffsets("live", "t", OffsetResetSpec::ToEarliest(),
                                   /*dry_run=*/true),
      StatusIs(ErrorCode::kNonEmptyGroup));

  // The member leaves: the snapshot says Empty.
  ASSERT_OK((*member)->Close());
  auto later = OpenReader();
  ASSERT_NE(later, nullptr);
  d = later->admin().DescribeGroup("live");
  ASSERT_OK(d);
  EXPECT_TRUE(d->members.empty());
}

TEST_F(ReadOnlyTest, AWritingOpenForgetsThePreviousHoldersMembers) {
  ConsumerOptions co;
  co.group_id = "live";
  co.enable_auto_commit = false;
  auto member = writer_->CreateConsumer(co);
  ASSERT_OK(member);
  ASSERT_OK((*member)->Subscribe({"t"}));
  ASSERT_OK((*member)->Poll(absl::ZeroDuration()));
  // The holder goes away without its member leaving (as a killed process).
  ASSERT_OK(testing::CrashConsumer(**member));
  ASSERT_OK(writer_->Close());
  writer_.reset();
  auto reopened = Engine::Open(EngineOptions{}, dir_.Sub("data"));
  ASSERT_OK(reopened);
  auto reader = OpenReader();
  ASSERT_NE(reader, nullptr);
  auto d = reader->admin().DescribeGroup("live");
  ASSERT_OK(d);
  EXPECT_TRUE(d->members.empty());
}

TEST(ReadOnlyOpenTest, Errors) {
  EngineOptions in_memory;
  in_memory.in_memory = true;
  in_memory.read_only = true;
  EXPECT_THAT(Engine::Open(in_memory, "x"),
              StatusIs(ErrorCode::kInvalidConfig));
  TempDir dir;
  EngineOptions o;
  o.read_only = true;
  EXPECT_THAT(Engine::Open(o, dir.Sub("missing")),
              StatusIs(ErrorCode::kIllegalState));
}

}  // namespace
}  // namespace brook
