// Tests of the consumer: assignment, Poll (limits, fairness, blocking,
// wake-ups), positions and seeking, pause/resume, commits (sync, async,
// auto), auto.offset.reset, single-thread enforcement, Close, reopen, and
// reading many batches back in order.
#include "brook/consumer.h"

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string TestLabel() {
  return std::string("/mem/") +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

ConsumerOptions Earliest(std::string group = "") {
  ConsumerOptions o;
  o.group_id = std::move(group);
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.enable_auto_commit = false;
  return o;
}

// Each test gets a fresh in-memory engine on a ManualClock, plus a producer
// that writes at once (linger 0, acks=1).
class ConsumerTest : public InMemoryEngineTest {
 protected:
  void SetUp() override { Open(&clock_); }

  void Open(Clock* clock) {
    EngineOptions o;
    o.clock = clock;
    OpenEngine(o);
    producer_ = NewProducer(Immediate());
    ASSERT_NE(producer_, nullptr);
  }

  // Writes `n` records "v<i>" with keys "k<i>" to `tp`, numbered from `first`.
  void Produce(const TopicPartition& tp, int n, int first = 0) {
    for (int i = first; i < first + n; ++i) {
      ProducerRecord r(tp.topic, absl::StrCat("k", i), absl::StrCat("v", i));
      r.partition = tp.partition;
      producer_->Send(std::move(r));
    }
    ASSERT_OK(producer_->Flush());
  }

  // Polls with a zero timeout until a poll returns nothing.
  std::vector<ConsumerRecord> Drain(Consumer& consumer) {
    std::vector<ConsumerRecord> out;
    for (;;) {
      auto records = consumer.Poll(absl::ZeroDuration());
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) return out;
      out.insert(out.end(), records->begin(), records->end());
    }
  }

  std::unique_ptr<Producer> producer_;
};

std::vector<int64_t> Offsets(const std::vector<ConsumerRecord>& records) {
  std::vector<int64_t> out;
  for (const ConsumerRecord& r : records) out.push_back(r.offset);
  return out;
}

// --- Assignment -------------------------------------------------------------

TEST_F(ConsumerTest, AssignAndAssignment) {
  ASSERT_OK(engine_->admin().CreateTopic("a", 3));
  ASSERT_OK(engine_->admin().CreateTopic("b", 1));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  auto assignment = consumer->Assignment();
  ASSERT_OK(assignment);
  EXPECT_THAT(*assignment, IsEmpty());
  ASSERT_OK(consumer->Assign({TopicPartition("b", 0), TopicPartition("a", 2),
                              TopicPartition("a", 0), TopicPartition("a", 2)}));
  assignment = consumer->Assignment();
  ASSERT_OK(assignment);
  EXPECT_THAT(*assignment, UnorderedElementsAre(TopicPartition("a", 0),
                                                TopicPartition("a", 2),
                                                TopicPartition("b", 0)));
  // Assign replaces the assignment.
  ASSERT_OK(consumer->Assign({TopicPartition("a", 1)}));
  assignment = consumer->Assignment();
  ASSERT_OK(assignment);
  EXPECT_THAT(*assignment, ElementsAre(TopicPartition("a", 1)));
  ASSERT_OK(consumer->Assign({}));
  assignment = consumer->Assignment();
  ASSERT_OK(assignment);
  EXPECT_THAT(*assignment, IsEmpty());
}

TEST_F(ConsumerTest, AssignUnknownTopicOrPartitionFails) {
  ASSERT_OK(engine_->admin().CreateTopic("a", 2));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("a", 0)}));
  EXPECT_THAT(consumer->Assign({TopicPartition("missing", 0)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(consumer->Assign({TopicPartition("a", 2)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(consumer->Assign({TopicPartition("a", -1)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  // A failed Assign leaves the assignment as it was.
  auto assignment = consumer->Assignment();
  ASSERT_OK(assignment);
  EXPECT_THAT(*assignment, ElementsAre(TopicPartition("a", 0)));
}

TEST_F(ConsumerTest, AssignAutoCreatesTopicWhenEnabled) {
  EngineOptions eo;
  eo.in_memory = true;
  eo.clock = &clock_;
  eo.auto_create_topics = true;
  eo.default_partitions = 2;
  auto engine = Engine::Open(eo, TestLabel() + "-auto");
  ASSERT_OK(engine);
  auto consumer = (*engine)->CreateConsumer(Earliest());
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("fresh", 1)}));
  auto d = (*engine)->admin().DescribeTopic("fresh");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 2u);
  EXPECT_THAT((*consumer)->Assign({TopicPartition("other", 2)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(ConsumerTest, ReassignKeepsPositionsOfPartitionsThatStay) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 10);
  Produce({"t", 1}, 10);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 4;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(Offsets(*records), ElementsAre(0, 1, 2, 3));
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0), TopicPartition("t", 1)}));
  auto position = consumer->Position({"t", 0});
  ASSERT_OK(position);
  EXPECT_EQ(*position, 4);
  position = consumer->Position({"t", 1});
  ASSERT_OK(position);
  EXPECT_EQ(*position, 0);
}

// --- Poll -------------------------------------------------------------------

TEST_F(ConsumerTest, PollWithNothingAssignedIsIllegalState) {
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kIllegalState));
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  ASSERT_OK(consumer->Assign({}));
  EXPECT_THAT(consumer->Poll(absl::Seconds(1)),
              StatusIs(ErrorCode::kIllegalState));
}

TEST_F(ConsumerTest, PollReturnsRecordsWithTheirFields) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  ProducerRecord r("t", std::string("key"), std::string("value"));
  r.partition = 1;
  r.headers = {Header{"h", std::string("x")}};
  r.timestamp = absl::FromUnixMillis(1600000000000);
  ASSERT_OK(producer_->Send(std::move(r)).Get());
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 1)}));
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  const ConsumerRecord& c = (*records)[0];
  EXPECT_EQ(c.topic, "t");
  EXPECT_EQ(c.partition, 1);
  EXPECT_EQ(c.offset, 0);
  EXPECT_EQ(c.key, Bytes("key"));
  EXPECT_EQ(c.value, Bytes("value"));
  EXPECT_EQ(c.timestamp, absl::FromUnixMillis(1600000000000));
  EXPECT_EQ(c.timestamp_type, TimestampType::kCreateTime);
  EXPECT_EQ(c.headers, (std::vector<Header>{Header{"h", std::string("x")}}));
  EXPECT_EQ(c.serialized_key_size(), 3);
  EXPECT_EQ(c.serialized_value_size(), 5);
}

TEST_F(ConsumerTest, PollReturnsAtMostMaxPollRecords) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 25);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 10;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  std::vector<size_t> sizes;
  std::vector<int64_t> offsets;
  for (int i = 0; i < 4; ++i) {
    auto records = consumer->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    sizes.push_back(records->size());
    for (const ConsumerRecord& r : *records) offsets.push_back(r.offset);
  }
  EXPECT_THAT(sizes, ElementsAre(10u, 10u, 5u, 0u));
  ASSERT_EQ(offsets.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(offsets[i], i);
}

TEST_F(ConsumerTest, PollIsFairAcrossPartitions) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  for (int32_t p = 0; p < 3; ++p) Produce({"t", p}, 100);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 30;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0), TopicPartition("t", 1),
                              TopicPartition("t", 2)}));
  std::map<int32_t, int64_t> next;  // Expected next offset per partition.
  for (int poll = 0; poll < 5; ++poll) {
    auto records = consumer->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    EXPECT_EQ(records->size(), 30u);
    std::map<int32_t, int> per_partition;
    for (const ConsumerRecord& r : *records) {
      ++per_partition[r.partition];
      EXPECT_EQ(r.offset, next[r.partition]++) << "partition " << r.partition;
    }
    // Every partition with data gets a share of every poll.
    EXPECT_EQ(per_partition.size(), 3u) << "poll " << poll;
    for (const auto& [p, n] : per_partition) {
      EXPECT_GE(n, 5) << "partition " << p << " starved in poll " << poll;
    }
  }
}

TEST_F(ConsumerTest, PollRotatesAcrossPartitionsWhenBudgetIsSmall) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  for (int32_t p = 0; p < 3; ++p) Produce({"t", p}, 10);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 1;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0), TopicPartition("t", 1),
                              TopicPartition("t", 2)}));
  std::map<int32_t, int> per_partition;
  for (int i = 0; i < 9; ++i) {
    auto records = consumer->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    ASSERT_EQ(records->size(), 1u);
    ++per_partition[(*records)[0].partition];
  }
  EXPECT_EQ(per_partition, (std::map<int32_t, int>{{0, 3}, {1, 3}, {2, 3}}));
}

TEST_F(ConsumerTest, PollGivesLeftoverBudgetToPartitionsWithMoreData) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 2);
  Produce({"t", 1}, 50);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 20;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0), TopicPartition("t", 1)}));
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_EQ(records->size(), 20u);
}

TEST_F(ConsumerTest, PollZeroReturnsAvailableDataOrNothing) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(*records, IsEmpty());
  Produce({"t", 0}, 3);
  records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_EQ(records->size(), 3u);
}

TEST_F(ConsumerTest, PollTimesOutEmptyOnManualClock) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  absl::Notification returned;
  absl::StatusOr<std::vector<ConsumerRecord>> result;
  std::thread poller([&] {
    result = consumer->Poll(absl::Seconds(10));
    returned.Notify();
  });
  // Manual time has not moved: still waiting.
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  clock_.Advance(absl::Seconds(5));
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  int steps = 0;
  while (!returned.WaitForNotificationWithTimeout(absl::Milliseconds(20))) {
    clock_.Advance(absl::Seconds(11));
    ASSERT_LT(++steps, 500);
  }
  poller.join();
  // A timeout is not an error: an empty batch.
  ASSERT_OK(result);
  EXPECT_THAT(*result, IsEmpty());
}

TEST_F(ConsumerTest, BlockedPollWakesPromptlyWhenDataArrives) {
  Open(SystemClock());
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  std::thread sender([&] {
    absl::SleepFor(absl::Milliseconds(100));  // Let the Poll block first.
    producer_->Send(ProducerRecord("t", std::string("hello")));
  });
  const absl::Time start = absl::Now();
  auto records = consumer->Poll(absl::Seconds(60));
  const absl::Duration waited = absl::Now() - start;
  sender.join();
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].value, Bytes("hello"));
  EXPECT_LT(waited, absl::Seconds(10));
}

// --- Positions and seeking --------------------------------------------------

TEST_F(ConsumerTest, SeekPositionAndOffsets) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 10);
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));

  auto beginning = consumer->BeginningOffsets({tp, TopicPartition("t", 1)});
  ASSERT_OK(beginning);
  EXPECT_EQ(*beginning, (std::map<TopicPartition, int64_t>{
                            {tp, 0}, {TopicPartition("t", 1), 0}}));
  auto end = consumer->EndOffsets({tp, TopicPartition("t", 1)});
  ASSERT_OK(end);
  EXPECT_EQ(*end, (std::map<TopicPartition, int64_t>{
                      {tp, 10}, {TopicPartition("t", 1), 0}}));

  auto position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 0);

  ASSERT_OK(consumer->Seek(tp, 5));
  position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 5);
  std::vector<ConsumerRecord> records = Drain(*consumer);
  EXPECT_THAT(Offsets(records), ElementsAre(5, 6, 7, 8, 9));
  EXPECT_EQ(records[0].value, Bytes("v5"));
  position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 10);

  ASSERT_OK(consumer->SeekToBeginning({tp}));
  position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 0);
  EXPECT_EQ(Drain(*consumer).size(), 10u);

  ASSERT_OK(consumer->Seek(tp, 3));
  ASSERT_OK(consumer->SeekToEnd({tp}));
  position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 10);
  EXPECT_THAT(Drain(*consumer), IsEmpty());

  // Rewinding re-reads the same records.
  ASSERT_OK(consumer->Seek(tp, 8));
  records = Drain(*consumer);
  EXPECT_THAT(Offsets(records), ElementsAre(8, 9));
  EXPECT_EQ(records[1].key, Bytes("k9"));
}

TEST_F(ConsumerTest, SeekToBeginningAndEndWithEmptyListMeanAllAssigned) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 4);
  Produce({"t", 1}, 6);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0), TopicPartition("t", 1)}));
  ASSERT_OK(consumer->SeekToEnd({}));
  EXPECT_EQ(*consumer->Position({"t", 0}), 4);
  EXPECT_EQ(*consumer->Position({"t", 1}), 6);
  ASSERT_OK(consumer->SeekToBeginning({}));
  EXPECT_EQ(*consumer->Position({"t", 0}), 0);
  EXPECT_EQ(*consumer->Position({"t", 1}), 0);
}

TEST_F(ConsumerTest, PositionalCallsOnUnassignedPartitionsAreIllegalState) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  const TopicPartition other("t", 1);
  EXPECT_THAT(consumer->Seek(other, 0), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(consumer->SeekToBeginning({other}),
              StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(consumer->SeekToEnd({other}), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(consumer->Position(other), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(consumer->Pause({other}), StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(consumer->Resume({other}), StatusIs(ErrorCode::kIllegalState));
  // Negative offsets are refused.
  EXPECT_FALSE(consumer->Seek({"t", 0}, -1).ok());
}

TEST_F(ConsumerTest, OffsetQueriesNeedNoAssignmentButAnExistingPartition) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 3);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  auto end = consumer->EndOffsets({TopicPartition("t", 0)});
  ASSERT_OK(end);
  EXPECT_EQ(end->at(TopicPartition("t", 0)), 3);
  EXPECT_THAT(consumer->EndOffsets({TopicPartition("nope", 0)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(consumer->BeginningOffsets({TopicPartition("t", 1)}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

// --- Pause / Resume ---------------------------------------------------------

TEST_F(ConsumerTest, PausedPartitionsReturnNothing) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 5);
  Produce({"t", 1}, 5);
  const TopicPartition p0("t", 0), p1("t", 1);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({p0, p1}));
  ASSERT_OK(consumer->Pause({p0}));
  auto paused = consumer->Paused();
  ASSERT_OK(paused);
  EXPECT_THAT(*paused, ElementsAre(p0));
  std::vector<ConsumerRecord> records = Drain(*consumer);
  ASSERT_EQ(records.size(), 5u);
  for (const ConsumerRecord& r : records) EXPECT_EQ(r.partition, 1);

  ASSERT_OK(consumer->Pause({p1}));
  EXPECT_THAT(Drain(*consumer), IsEmpty());
  Produce(p1, 2, 5);
  EXPECT_THAT(Drain(*consumer), IsEmpty());

  ASSERT_OK(consumer->Resume({p0}));
  paused = consumer->Paused();
  ASSERT_OK(paused);
  EXPECT_THAT(*paused, ElementsAre(p1));
  records = Drain(*consumer);
  ASSERT_EQ(records.size(), 5u);
  for (const ConsumerRecord& r : records) EXPECT_EQ(r.partition, 0);
  ASSERT_OK(consumer->Resume({p1}));
  records = Drain(*consumer);
  EXPECT_THAT(Offsets(records), ElementsAre(5, 6));
}

// --- Wakeup -----------------------------------------------------------------

TEST_F(ConsumerTest, WakeupInterruptsBlockedPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  absl::Notification returned;
  absl::StatusOr<std::vector<ConsumerRecord>> result;
  std::thread poller([&] {
    // Manual time never moves here: only the wake-up can end this Poll.
    result = consumer->Poll(absl::Hours(1));
    returned.Notify();
  });
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  consumer->Wakeup();
  ASSERT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(30)));
  poller.join();
  EXPECT_THAT(result, StatusIs(ErrorCode::kWakeup));
  // The wake-up is consumed: the next Poll works normally.
  auto next = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(next);
  EXPECT_THAT(*next, IsEmpty());
}

TEST_F(ConsumerTest, WakeupBeforePollMakesNextPollReturnWakeup) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 2);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  consumer->Wakeup();
  EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kWakeup));
  // Records were not consumed by the interrupted Poll.
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(Offsets(*records), ElementsAre(0, 1));
}

// --- Commits ----------------------------------------------------------------

TEST_F(ConsumerTest, CommitSyncCommitsPositions) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 10);
  ConsumerOptions o = Earliest("g");
  o.max_poll_records = 4;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  const TopicPartition p0("t", 0), p1("t", 1);
  ASSERT_OK(consumer->Assign({p0, p1}));
  auto committed = consumer->Committed({p0, p1});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty());
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 4u);
  clock_.Advance(absl::Seconds(3));
  ASSERT_OK(consumer->CommitSync());
  committed = consumer->Committed({p0, p1});
  ASSERT_OK(committed);
  ASSERT_EQ(committed->count(p0), 1u);
  EXPECT_EQ(committed->at(p0).offset, 4);
  EXPECT_EQ(committed->at(p0).metadata, "");
  EXPECT_EQ(committed->at(p0).commit_time, clock_.Now());
  // The empty partition's position (0) is committed too.
  ASSERT_EQ(committed->count(p1), 1u);
  EXPECT_EQ(committed->at(p1).offset, 0);
}

TEST_F(ConsumerTest, CommitSyncExplicitOffsetsWithMetadata) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  const TopicPartition p0("t", 0), p2("t", 2);
  OffsetMap offsets;
  offsets[p0] = OffsetAndMetadata(17, "checkpoint-a");
  offsets[p2] = OffsetAndMetadata(3);
  // No assignment needed to commit explicit offsets.
  ASSERT_OK(consumer->CommitSync(offsets));
  auto committed = consumer->Committed({p0, TopicPartition("t", 1), p2});
  ASSERT_OK(committed);
  ASSERT_EQ(committed->size(), 2u);
  EXPECT_EQ(committed->at(p0).offset, 17);
  EXPECT_EQ(committed->at(p0).metadata, "checkpoint-a");
  EXPECT_EQ(committed->at(p2).offset, 3);
  EXPECT_EQ(committed->at(p2).metadata, "");
  // A later commit replaces the earlier one.
  ASSERT_OK(consumer->CommitSync({{p0, OffsetAndMetadata(20, "b")}}));
  committed = consumer->Committed({p0});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(p0).offset, 20);
  EXPECT_EQ(committed->at(p0).metadata, "b");
}

TEST_F(ConsumerTest, CommitToUnknownTopicOrPartitionFails) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  EXPECT_THAT(
      consumer->CommitSync({{TopicPartition("nope", 0), OffsetAndMetadata(1)}}),
      StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(
      consumer->CommitSync({{TopicPartition("t", 1), OffsetAndMetadata(1)}}),
      StatusIs(ErrorCode::kUnknownTopicOrPartition));
  // Nothing of a failed commit is applied.
  EXPECT_THAT(
      consumer->CommitSync({{TopicPartition("t", 0), OffsetAndMetadata(1)},
                            {TopicPartition("t", 5), OffsetAndMetadata(1)}}),
      StatusIs(ErrorCode::kUnknownTopicOrPartition));
  auto committed = consumer->Committed({TopicPartition("t", 0)});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty());
}

TEST_F(ConsumerTest, GroupsHaveSeparateCommittedOffsets) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto a = NewConsumer(Earliest("group-a"));
  auto b = NewConsumer(Earliest("group-b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_OK(a->CommitSync({{tp, OffsetAndMetadata(5)}}));
  auto committed = b->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty());
}

TEST_F(ConsumerTest, NewConsumerInGroupStartsAtCommittedOffset) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 10);
  const TopicPartition tp("t", 0);
  {
    ConsumerOptions o = Earliest("g");
    o.max_poll_records = 4;
    auto first = NewConsumer(o);
    ASSERT_NE(first, nullptr);
    ASSERT_OK(first->Assign({tp}));
    auto records = first->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    ASSERT_EQ(records->size(), 4u);
    ASSERT_OK(first->CommitSync());
    ASSERT_OK(first->Close());
  }
  auto second = NewConsumer(Earliest("g"));
  ASSERT_NE(second, nullptr);
  ASSERT_OK(second->Assign({tp}));
  auto position = second->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 4);
  std::vector<ConsumerRecord> records = Drain(*second);
  EXPECT_THAT(Offsets(records), ElementsAre(4, 5, 6, 7, 8, 9));
  // Committed wins over auto.offset.reset=latest too.
  ConsumerOptions latest = Earliest("g");
  latest.auto_offset_reset = OffsetReset::kLatest;
  auto third = NewConsumer(latest);
  ASSERT_NE(third, nullptr);
  ASSERT_OK(third->Assign({tp}));
  position = third->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 4);
}

TEST_F(ConsumerTest, CommittedOffsetsSurviveReopen) {
  TempDir dir;
  const TopicPartition tp("t", 0);
  EngineOptions eo;
  eo.clock = &clock_;
  {
    auto engine = Engine::Open(eo, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    ProducerOptions po;
    po.linger = absl::ZeroDuration();
    auto producer = (*engine)->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < 10; ++i) {
      ASSERT_OK(
          (*producer)->Send(ProducerRecord("t", absl::StrCat("v", i))).Get());
    }
    auto consumer = (*engine)->CreateConsumer(Earliest("g"));
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->CommitSync({{tp, OffsetAndMetadata(6, "meta")}}));
    ASSERT_OK((*engine)->Close());
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  auto consumer = (*engine)->CreateConsumer(Earliest("g"));
  ASSERT_OK(consumer);
  auto committed = (*consumer)->Committed({tp});
  ASSERT_OK(committed);
  ASSERT_EQ(committed->count(tp), 1u);
  EXPECT_EQ(committed->at(tp).offset, 6);
  EXPECT_EQ(committed->at(tp).metadata, "meta");
  ASSERT_OK((*consumer)->Assign({tp}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(Offsets(*records), ElementsAre(6, 7, 8, 9));
  EXPECT_EQ((*records)[0].value, Bytes("v6"));
}

TEST_F(ConsumerTest, CommitsWithoutGroupIdAreInvalidGroupId) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  EXPECT_THAT(consumer->CommitSync(), StatusIs(ErrorCode::kInvalidGroupId));
  EXPECT_THAT(consumer->CommitSync({{tp, OffsetAndMetadata(1)}}),
              StatusIs(ErrorCode::kInvalidGroupId));
  EXPECT_THAT(consumer->Committed({tp}), StatusIs(ErrorCode::kInvalidGroupId));
  absl::Status async_status;
  int calls = 0;
  consumer->CommitAsync([&](const absl::Status& s, const OffsetMap&) {
    ++calls;
    async_status = s;
  });
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(async_status, StatusIs(ErrorCode::kInvalidGroupId));
}

TEST_F(ConsumerTest, CommitAsyncCallbackRunsOnLaterPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 3);
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  ASSERT_EQ(Drain(*consumer).size(), 3u);
  int calls = 0;
  absl::Status seen_status = absl::UnknownError("not called");
  OffsetMap seen_offsets;
  std::thread::id seen_thread;
  consumer->CommitAsync([&](const absl::Status& s, const OffsetMap& offsets) {
    ++calls;
    seen_status = s;
    seen_offsets = offsets;
    seen_thread = std::this_thread::get_id();
  });
  EXPECT_EQ(calls, 0) << "the callback must run from a later call, not inside "
                         "CommitAsync";
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  EXPECT_EQ(calls, 1);
  EXPECT_OK(seen_status);
  ASSERT_EQ(seen_offsets.count(tp), 1u);
  EXPECT_EQ(seen_offsets.at(tp).offset, 3);
  EXPECT_EQ(seen_thread, std::this_thread::get_id());
  // Runs once only.
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  EXPECT_EQ(calls, 1);
  auto committed = consumer->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(tp).offset, 3);
}

TEST_F(ConsumerTest, CommitAsyncExplicitOffsetsCallbackRunsAtClose) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  int calls = 0;
  OffsetMap seen_offsets;
  consumer->CommitAsync({{tp, OffsetAndMetadata(2, "m")}},
                        [&](const absl::Status& s, const OffsetMap& offsets) {
                          ++calls;
                          EXPECT_OK(s);
                          seen_offsets = offsets;
                        });
  EXPECT_EQ(calls, 0);
  ASSERT_OK(consumer->Close());
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(seen_offsets.count(tp), 1u);
  EXPECT_EQ(seen_offsets.at(tp).offset, 2);
  EXPECT_EQ(seen_offsets.at(tp).metadata, "m");
  auto other = NewConsumer(Earliest("g"));
  ASSERT_NE(other, nullptr);
  auto committed = other->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(tp).offset, 2);
}

TEST_F(ConsumerTest, AutoCommitInsidePollOnceIntervalPasses) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 3);
  const TopicPartition tp("t", 0);
  ConsumerOptions o = Earliest("g");
  o.enable_auto_commit = true;
  o.auto_commit_interval = absl::Seconds(5);
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  auto watcher = NewConsumer(Earliest("g"));  // Reads the group's commits.
  ASSERT_NE(watcher, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  auto records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 3u);

  clock_.Advance(absl::Seconds(4));
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  auto committed = watcher->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty()) << "auto-committed before the interval";

  clock_.Advance(absl::Seconds(1));
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  committed = watcher->Committed({tp});
  ASSERT_OK(committed);
  ASSERT_EQ(committed->count(tp), 1u);
  EXPECT_EQ(committed->at(tp).offset, 3);

  // Consumed after the last auto commit: committed at Close.
  Produce(tp, 2, 3);
  records = consumer->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  committed = watcher->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(tp).offset, 3);
  ASSERT_OK(consumer->Close());
  committed = watcher->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_EQ(committed->at(tp).offset, 5);
}

// As Kafka's assign(): with auto-commit, what was consumed is committed
// before the assignment changes.
TEST_F(ConsumerTest, AutoCommitBeforeAssignmentChanges) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  Produce({"t", 0}, 3);
  const TopicPartition p0("t", 0), p1("t", 1);
  ConsumerOptions o = Earliest("g");
  o.enable_auto_commit = true;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({p0}));
  ASSERT_EQ(Drain(*consumer).size(), 3u);
  ASSERT_OK(consumer->Assign({p1}));
  auto watcher = NewConsumer(Earliest("g"));
  ASSERT_NE(watcher, nullptr);
  auto committed = watcher->Committed({p0});
  ASSERT_OK(committed);
  ASSERT_EQ(committed->count(p0), 1u);
  EXPECT_EQ(committed->at(p0).offset, 3);
}

TEST_F(ConsumerTest, NoAutoCommitWhenDisabled) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 3);
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest("g"));  // enable_auto_commit = false
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  ASSERT_EQ(Drain(*consumer).size(), 3u);
  clock_.Advance(absl::Minutes(10));
  ASSERT_OK(consumer->Poll(absl::ZeroDuration()));
  ASSERT_OK(consumer->Close());
  auto watcher = NewConsumer(Earliest("g"));
  ASSERT_NE(watcher, nullptr);
  auto committed = watcher->Committed({tp});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty());
}

// --- auto.offset.reset ------------------------------------------------------

TEST_F(ConsumerTest, AutoOffsetResetEarliest) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 5);
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  EXPECT_THAT(Offsets(Drain(*consumer)), ElementsAre(0, 1, 2, 3, 4));
}

TEST_F(ConsumerTest, AutoOffsetResetLatest) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 5);
  ConsumerOptions o = Earliest("g");
  o.auto_offset_reset = OffsetReset::kLatest;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(consumer->Assign({tp}));
  auto position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 5);
  EXPECT_THAT(Drain(*consumer), IsEmpty());
  Produce(tp, 2, 5);
  EXPECT_THAT(Offsets(Drain(*consumer)), ElementsAre(5, 6));
}

TEST_F(ConsumerTest, LatestIsTheDefault) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 5);
  auto consumer = NewConsumer(ConsumerOptions());
  ASSERT_NE(consumer, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(consumer->Assign({tp}));
  EXPECT_THAT(Drain(*consumer), IsEmpty());
  auto position = consumer->Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 5);
}

TEST_F(ConsumerTest, AutoOffsetResetNoneFailsWithoutCommittedOffset) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 5);
  const TopicPartition tp("t", 0);
  ConsumerOptions o = Earliest("g");
  o.auto_offset_reset = OffsetReset::kNone;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kNoOffsetForPartition));
  EXPECT_THAT(consumer->Position(tp),
              StatusIs(ErrorCode::kNoOffsetForPartition));
  // An explicit seek gives it a position.
  ASSERT_OK(consumer->Seek(tp, 2));
  EXPECT_THAT(Offsets(Drain(*consumer)), ElementsAre(2, 3, 4));
  // So does a committed offset, for a new consumer of the group.
  ASSERT_OK(consumer->CommitSync({{tp, OffsetAndMetadata(3)}}));
  auto next = NewConsumer(o);
  ASSERT_NE(next, nullptr);
  ASSERT_OK(next->Assign({tp}));
  EXPECT_THAT(Offsets(Drain(*next)), ElementsAre(3, 4));
}

TEST_F(ConsumerTest, SeekPastEndResetsPerPolicy) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 10);
  const TopicPartition tp("t", 0);
  {
    auto consumer = NewConsumer(Earliest());
    ASSERT_NE(consumer, nullptr);
    ASSERT_OK(consumer->Assign({tp}));
    ASSERT_OK(consumer->Seek(tp, 100));
    EXPECT_EQ(Drain(*consumer).size(), 10u) << "earliest resets to 0";
  }
  {
    ConsumerOptions o = Earliest();
    o.auto_offset_reset = OffsetReset::kLatest;
    auto consumer = NewConsumer(o);
    ASSERT_NE(consumer, nullptr);
    ASSERT_OK(consumer->Assign({tp}));
    ASSERT_OK(consumer->Seek(tp, 100));
    EXPECT_THAT(Drain(*consumer), IsEmpty());
    auto position = consumer->Position(tp);
    ASSERT_OK(position);
    EXPECT_EQ(*position, 10);
    Produce(tp, 1, 10);
    EXPECT_THAT(Offsets(Drain(*consumer)), ElementsAre(10));
  }
  {
    ConsumerOptions o = Earliest();
    o.auto_offset_reset = OffsetReset::kNone;
    auto consumer = NewConsumer(o);
    ASSERT_NE(consumer, nullptr);
    ASSERT_OK(consumer->Assign({tp}));
    ASSERT_OK(consumer->Seek(tp, 100));
    EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
                StatusIs(ErrorCode::kOffsetOutOfRange));
    // Seeking to the end itself is valid: nothing to read, no error.
    auto end = consumer->EndOffsets({tp});
    ASSERT_OK(end);
    ASSERT_OK(consumer->Seek(tp, end->at(tp)));
    auto records = consumer->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    EXPECT_THAT(*records, IsEmpty());
  }
}

TEST_F(ConsumerTest, CommittedOffsetPastEndResetsPerPolicy) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 4);
  const TopicPartition tp("t", 0);
  auto committer = NewConsumer(Earliest("g"));
  ASSERT_NE(committer, nullptr);
  ASSERT_OK(committer->CommitSync({{tp, OffsetAndMetadata(50)}}));
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  EXPECT_THAT(Offsets(Drain(*consumer)), ElementsAre(0, 1, 2, 3));
}

// --- Threading and Close ----------------------------------------------------

TEST_F(ConsumerTest, ConcurrentUseIsConcurrentModification) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  absl::Notification started;
  absl::Status poll_status;
  std::thread poller([&] {
    started.Notify();
    // Manual time stands still, so this Poll blocks until the wake-up. Retry
    // if the main thread happened to hold the consumer at that moment.
    for (;;) {
      auto r = consumer->Poll(absl::Hours(1));
      if (GetErrorCode(r.status()) != ErrorCode::kConcurrentModification) {
        poll_status = r.status();
        return;
      }
    }
  });
  started.WaitForNotification();
  bool refused = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!refused && absl::Now() < give_up) {
    absl::StatusOr<int64_t> position = consumer->Position(tp);
    if (GetErrorCode(position.status()) == ErrorCode::kConcurrentModification) {
      refused = true;
      // Other calls are refused the same way while the Poll runs.
      EXPECT_THAT(consumer->Assignment(),
                  StatusIs(ErrorCode::kConcurrentModification));
      EXPECT_THAT(consumer->CommitSync(),
                  StatusIs(ErrorCode::kConcurrentModification));
    } else {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  consumer->Wakeup();
  poller.join();
  EXPECT_TRUE(refused);
  EXPECT_THAT(poll_status, StatusIs(ErrorCode::kWakeup));
  // Back to one thread: calls work again.
  EXPECT_OK(consumer->Position(tp));
}

TEST_F(ConsumerTest, CallsAfterCloseAreClosed) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest("g"));
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  ASSERT_OK(consumer->Close());
  EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Assign({tp}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Assignment(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Seek(tp, 0), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Position(tp), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->EndOffsets({tp}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->BeginningOffsets({tp}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Pause({tp}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Paused(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->CommitSync(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Committed({tp}), StatusIs(ErrorCode::kClosed));
  // CommitAsync has no return value: its callback must still learn of the
  // failure (at once, since no later call will run it) rather than be dropped.
  absl::Status async_status = absl::UnknownError("callback never called");
  consumer->CommitAsync(
      [&](const absl::Status& s, const OffsetMap&) { async_status = s; });
  consumer->Wakeup();  // Harmless.
  EXPECT_OK(consumer->Close());
  EXPECT_THAT(async_status, StatusIs(ErrorCode::kClosed));
}

TEST_F(ConsumerTest, EngineCloseEndsBlockedPollAndLaterCalls) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({tp}));
  absl::Notification returned;
  absl::StatusOr<std::vector<ConsumerRecord>> result;
  std::thread poller([&] {
    result = consumer->Poll(absl::Hours(1));
    returned.Notify();
  });
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  ASSERT_OK(engine_->Close());
  ASSERT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(30)));
  poller.join();
  EXPECT_THAT(result, StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(consumer->Position(tp), StatusIs(ErrorCode::kClosed));
}

// --- Reading the log --------------------------------------------------------

TEST_F(ConsumerTest, ReadsAfterReopen) {
  TempDir dir;
  EngineOptions eo;
  eo.clock = &clock_;
  {
    auto engine = Engine::Open(eo, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 2));
    ProducerOptions po;
    po.linger = absl::ZeroDuration();
    po.batch_size = 256;
    auto producer = (*engine)->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < 200; ++i) {
      ProducerRecord r("t", absl::StrCat("k", i), absl::StrCat("v", i));
      r.partition = i % 2;
      (*producer)->Send(std::move(r));
    }
    ASSERT_OK((*producer)->Flush());
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  ConsumerOptions o = Earliest();
  o.max_poll_records = 1000;
  auto consumer = (*engine)->CreateConsumer(o);
  ASSERT_OK(consumer);
  for (int32_t p = 0; p < 2; ++p) {
    ASSERT_OK((*consumer)->Assign({TopicPartition("t", p)}));
    std::vector<ConsumerRecord> records = Drain(**consumer);
    ASSERT_EQ(records.size(), 100u);
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ(records[i].offset, i);
      EXPECT_EQ(records[i].key, Bytes(absl::StrCat("k", 2 * i + p)));
      EXPECT_EQ(records[i].value, Bytes(absl::StrCat("v", 2 * i + p)));
    }
  }
}

TEST_F(ConsumerTest, RecordsLargerThanABatch) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"max.message.bytes", "8000000"}}));
  ProducerOptions po;
  po.acks = Acks::kLeader;
  po.linger = absl::ZeroDuration();
  po.batch_size = 1024;
  po.max_request_size = 8 << 20;
  auto producer = engine_->CreateProducer(po);
  ASSERT_OK(producer);
  // 3 MB is more than a batch and more than one fetch (1 MiB) too.
  const std::vector<size_t> sizes = {10, 100000, 5, 3 << 20, 2000, 0, 70000};
  std::vector<std::string> values;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::string v(sizes[i], static_cast<char>('a' + i));
    if (!v.empty()) v[v.size() / 2] = '#';
    values.push_back(v);
    (*producer)->Send(ProducerRecord("t", absl::StrCat(i), v));
  }
  ASSERT_OK((*producer)->Flush());
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  std::vector<ConsumerRecord> records = Drain(*consumer);
  ASSERT_EQ(records.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(records[i].offset, static_cast<int64_t>(i));
    ASSERT_TRUE(records[i].value.has_value());
    EXPECT_EQ(records[i].value->size(), values[i].size());
    EXPECT_TRUE(*records[i].value == values[i]) << "record " << i;
  }
}

TEST_F(ConsumerTest, ThousandsOfRecordsAcrossManyBatchesReadBackInOrder) {
  constexpr int kRecords = 5000;
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions po;
  po.acks = Acks::kLeader;
  po.linger = absl::ZeroDuration();
  po.batch_size = 512;  // Roughly 20 records per batch.
  auto producer = engine_->CreateProducer(po);
  ASSERT_OK(producer);
  for (int i = 0; i < kRecords; ++i) {
    (*producer)->Send(ProducerRecord("t", absl::StrCat("key-", i),
                                     absl::StrCat("value-", i)));
    if (i % 997 == 0) {
      ASSERT_OK((*producer)->Flush());  // Odd batch edges.
    }
  }
  ASSERT_OK((*producer)->Flush());
  ConsumerOptions o = Earliest();
  o.max_poll_records = 333;
  auto consumer = NewConsumer(o);
  ASSERT_NE(consumer, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(consumer->Assign({tp}));
  std::vector<ConsumerRecord> records = Drain(*consumer);
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_EQ(records[i].offset, i);
    ASSERT_EQ(records[i].key, Bytes(absl::StrCat("key-", i)));
    ASSERT_EQ(records[i].value, Bytes(absl::StrCat("value-", i)));
  }
  // Seeking into the middle of a batch starts at exactly that record.
  for (int64_t target : {2503, 1, 4999, 20, 21}) {
    ASSERT_OK(consumer->Seek(tp, target));
    auto some = consumer->Poll(absl::ZeroDuration());
    ASSERT_OK(some);
    ASSERT_FALSE(some->empty());
    EXPECT_EQ((*some)[0].offset, target);
    EXPECT_EQ((*some)[0].value, Bytes(absl::StrCat("value-", target)));
  }
}

TEST_F(ConsumerTest, RecordsOfADeletedTopicStop) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  Produce({"t", 0}, 3);
  auto consumer = NewConsumer(Earliest());
  ASSERT_NE(consumer, nullptr);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  ASSERT_OK(engine_->admin().DeleteTopic("t"));
  auto records = consumer->Poll(absl::ZeroDuration());
  if (records.ok()) {
    EXPECT_THAT(*records, IsEmpty());
  }
}

}  // namespace
}  // namespace brook
