// Retention (retention.ms, retention.bytes) and DeleteRecords: which batches
// go, log start offsets, what consumers see when theirs falls behind, lag,
// and what a restart keeps. Time is a ManualClock: the periodic check runs
// when the clock passes log.retention.check.interval.ms, and whatever
// observes log starts (Describe, Poll, BeginningOffsets) sees its result.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/disk_engine_test.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::HasSubstr;

class RetentionTest : public DiskEngineTest {
 protected:
  // Sends `n` records to partition 0 of `topic` as one batch each (each
  // acknowledged before the next), values of `value_bytes` bytes.
  void SendBatches(const std::string& topic, int n, size_t value_bytes = 10) {
    for (int i = 0; i < n; ++i) {
      ProducerRecord r(topic, "k", std::string(value_bytes, 'v'));
      r.partition = 0;
      ASSERT_OK(producer_->Send(std::move(r)).Get());
    }
  }

  PartitionDescription Describe(const std::string& topic, int32_t p = 0) {
    auto d = engine_->admin().DescribeTopic(topic);
    EXPECT_OK(d);
    if (!d.ok()) return {};
    return d->partitions[p];
  }

  // Offsets a consumer with `reset` and `group` reads from partition 0.
  std::vector<int64_t> ReadAll(const std::string& topic, OffsetReset reset,
                               const std::string& group = "") {
    ConsumerOptions o;
    o.auto_offset_reset = reset;
    o.group_id = group;
    o.enable_auto_commit = false;
    auto consumer = engine_->CreateConsumer(o);
    EXPECT_OK(consumer);
    std::vector<int64_t> offsets;
    if (!consumer.ok()) return offsets;
    EXPECT_OK((*consumer)->Assign({{topic, 0}}));
    for (;;) {
      auto records = (*consumer)->Poll(absl::ZeroDuration());
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) break;
      for (const ConsumerRecord& r : *records) offsets.push_back(r.offset);
    }
    EXPECT_OK((*consumer)->Close());
    return offsets;
  }

};

TEST_F(RetentionTest, TimeRetentionDeletesExpiredBatchesAtTheCheck) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "180000"}}));
  SendBatches("t", 3);                   // Offsets 0..2, at t0.
  clock_.Advance(absl::Minutes(4));      // Expired, but no check yet.
  SendBatches("t", 2);                   // Offsets 3..4, at t0+4m.
  EXPECT_EQ(Describe("t").log_start_offset, 0);
  clock_.Advance(absl::Seconds(90));     // The check at t0+5m is due.
  const PartitionDescription d = Describe("t");
  EXPECT_EQ(d.log_start_offset, 3);      // 5.5 min old went; 1.5 min stays.
  EXPECT_EQ(d.log_end_offset, 5);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest),
            (std::vector<int64_t>{3, 4}));
  // The next check, 5 minutes later, finds the rest expired.
  clock_.Advance(kCheckInterval);
  EXPECT_EQ(Describe("t").log_start_offset, 5);
  EXPECT_EQ(Describe("t").log_end_offset, 5);
  EXPECT_TRUE(ReadAll("t", OffsetReset::kEarliest).empty());
  // Offsets continue from the end, after a restart too.
  Reopen();
  EXPECT_EQ(Describe("t").log_start_offset, 5);
  ProducerRecord r("t", "k", "after");
  auto md = producer_->Send(std::move(r)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 5);
}

TEST_F(RetentionTest, ForeverAndCompactTopicsKeepEverything) {
  ASSERT_OK(engine_->admin().CreateTopic("forever", 1,
                                         Properties{{"retention.ms", "-1"}}));
  ASSERT_OK(engine_->admin().CreateTopic(
      "compacted", 1,
      Properties{{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}));
  SendBatches("forever", 2);
  SendBatches("compacted", 2);
  clock_.Advance(absl::Hours(24 * 30));
  EXPECT_EQ(Describe("forever").log_start_offset, 0);
  EXPECT_EQ(Describe("compacted").log_start_offset, 0);
}

TEST_F(RetentionTest, DefaultRetentionIsSevenDays) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  SendBatches("t", 1);
  clock_.Advance(absl::Hours(24 * 7));
  EXPECT_EQ(Describe("t").log_start_offset, 0);
  clock_.Advance(kCheckInterval);
  EXPECT_EQ(Describe("t").log_start_offset, 1);
}

TEST_F(RetentionTest, SizeRetentionNeverGoesBelowTheLimit) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"retention.bytes", "1"}, {"retention.ms", "-1"}}));
  SendBatches("t", 1, 1000);
  auto cleaned = engine_->admin().CleanTopics({"t"});
  ASSERT_OK(cleaned);
  EXPECT_TRUE(cleaned->empty());  // Without its only batch it would.
  EXPECT_EQ(Describe("t").log_start_offset, 0);
}

TEST_F(RetentionTest, SizeRetentionDeletesTheOldestBatches) {
  // Measure one batch first: brook counts a batch's stored bytes.
  ASSERT_OK(engine_->admin().CreateTopic(
      "probe", 1, Properties{{"retention.bytes", "0"}, {"retention.ms", "-1"}}));
  SendBatches("probe", 1, 1000);
  auto probe = engine_->admin().CleanTopics({"probe"});
  ASSERT_OK(probe);
  ASSERT_EQ(probe->size(), 1u);
  const int64_t batch_bytes = (*probe)[0].bytes_removed;
  ASSERT_GT(batch_bytes, 1000);

  // Ten batches; keep at least 3.5 batches' worth: 4 stay (3 would be
  // below the limit), 6 go.
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1,
      Properties{{"retention.bytes", std::to_string(batch_bytes * 7 / 2)},
                 {"retention.ms", "-1"}}));
  SendBatches("t", 10, 1000);
  EXPECT_EQ(Describe("t").log_start_offset, 0);  // Not checked yet.
  clock_.Advance(kCheckInterval);
  EXPECT_EQ(Describe("t").log_start_offset, 6);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest),
            (std::vector<int64_t>{6, 7, 8, 9}));
  // Nothing more to remove: the remaining 4 are the limit's.
  auto again = engine_->admin().CleanTopics({"t"});
  ASSERT_OK(again);
  EXPECT_TRUE(again->empty());
  // The count kept since: two more batches push two old ones out.
  SendBatches("t", 2, 1000);
  again = engine_->admin().CleanTopics({"t"});
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].log_start_offset, 8);
  EXPECT_EQ((*again)[0].bytes_removed, batch_bytes * 2);

  // Exactly 4 batches' worth: the sixth may go too, leaving exactly that.
  ASSERT_OK(engine_->admin().CreateTopic(
      "exact", 1,
      Properties{{"retention.bytes", std::to_string(batch_bytes * 4)},
                 {"retention.ms", "-1"}}));
  SendBatches("exact", 10, 1000);
  auto exact = engine_->admin().CleanTopics({"exact"});
  ASSERT_OK(exact);
  ASSERT_EQ(exact->size(), 1u);
  EXPECT_EQ((*exact)[0].log_start_offset, 6);
  EXPECT_EQ((*exact)[0].bytes_removed, batch_bytes * 6);
}

TEST_F(RetentionTest, CleanTopicsReportsWhatItRemoved) {
  ASSERT_OK(engine_->admin().CreateTopic("a", 1,
                                         Properties{{"retention.ms", "1000"}}));
  ASSERT_OK(engine_->admin().CreateTopic("b", 1,
                                         Properties{{"retention.ms", "1000"}}));
  SendBatches("a", 4);
  SendBatches("b", 2);
  clock_.Advance(absl::Seconds(2));  // Expired; the check is minutes away.
  auto cleaned = engine_->admin().CleanTopics({"a"});
  ASSERT_OK(cleaned);
  ASSERT_EQ(cleaned->size(), 1u);
  EXPECT_EQ((*cleaned)[0].topic, "a");
  EXPECT_EQ((*cleaned)[0].partition, 0);
  EXPECT_EQ((*cleaned)[0].records_removed, 4);
  EXPECT_GT((*cleaned)[0].bytes_removed, 0);
  EXPECT_EQ((*cleaned)[0].log_start_offset, 4);
  EXPECT_EQ(Describe("b").log_start_offset, 0);  // Not named.
  auto all = engine_->admin().CleanTopics();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].topic, "b");
  EXPECT_THAT(engine_->admin().CleanTopics({"missing"}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(RetentionTest, AConsumerBehindTheLogStartResetsAsConfigured) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "60000"}}));
  SendBatches("t", 3);  // 0..2
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kNone;
  o.enable_auto_commit = false;
  auto none = engine_->CreateConsumer(o);
  ASSERT_OK(none);
  ASSERT_OK((*none)->Assign({{"t", 0}}));
  ASSERT_OK((*none)->Seek({"t", 0}, 1));
  clock_.Advance(kCheckInterval - absl::Seconds(30));
  SendBatches("t", 2);  // 3..4, 30 s old at the check.
  clock_.Advance(absl::Seconds(30));
  auto polled = (*none)->Poll(absl::ZeroDuration());
  EXPECT_THAT(polled, StatusIs(ErrorCode::kOffsetOutOfRange));
  EXPECT_THAT(std::string(polled.status().message()), HasSubstr("t-0"));
  ASSERT_OK((*none)->Close());

  for (OffsetReset reset : {OffsetReset::kEarliest, OffsetReset::kLatest}) {
    o.auto_offset_reset = reset;
    auto consumer = engine_->CreateConsumer(o);
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign({{"t", 0}}));
    ASSERT_OK((*consumer)->Seek({"t", 0}, 1));
    // As Kafka's: the seek target until a fetch finds it out of range.
    EXPECT_THAT((*consumer)->Position({"t", 0}), IsOkAndHolds(1));
    auto records = (*consumer)->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    if (reset == OffsetReset::kEarliest) {
      ASSERT_FALSE(records->empty());
      EXPECT_EQ(records->front().offset, 3);
    } else {
      EXPECT_TRUE(records->empty());
    }
    EXPECT_THAT((*consumer)->Position({"t", 0}), IsOkAndHolds(5));
    ASSERT_OK((*consumer)->Close());
  }
}

TEST_F(RetentionTest, ACommittedOffsetBelowTheLogStartResetsAndLagStays) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "60000"}}));
  SendBatches("t", 4);
  {
    ConsumerOptions o;
    o.group_id = "g";
    o.enable_auto_commit = false;
    auto consumer = engine_->CreateConsumer(o);
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign({{"t", 0}}));
    ASSERT_OK((*consumer)->CommitSync({{{"t", 0}, OffsetAndMetadata(1)}}));
    ASSERT_OK((*consumer)->Close());
  }
  clock_.Advance(kCheckInterval - absl::Seconds(30));
  SendBatches("t", 1);  // Offset 4, 30 s old at the check, stays.
  clock_.Advance(absl::Seconds(30));
  ASSERT_EQ(Describe("t").log_start_offset, 4);
  auto offsets = engine_->admin().ListGroupOffsets("g");
  ASSERT_OK(offsets);
  ASSERT_EQ(offsets->size(), 1u);
  EXPECT_EQ((*offsets)[0].committed_offset, 1);
  EXPECT_EQ((*offsets)[0].lag, 4);  // Log end - committed, as in Kafka.
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest, "g"),
            (std::vector<int64_t>{4}));
}

TEST_F(RetentionTest, ABlockedPollSeesTheLogStartMove) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "1000"}}));
  SendBatches("t", 2);
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kNone;
  o.enable_auto_commit = false;
  auto consumer = engine_->CreateConsumer(o);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 0}}));
  ASSERT_OK((*consumer)->Seek({"t", 0}, 0));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  ASSERT_OK((*consumer)->Seek({"t", 0}, 1));
  clock_.Advance(kCheckInterval);
  EXPECT_THAT((*consumer)->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kOffsetOutOfRange));
  ASSERT_OK((*consumer)->Close());
}

TEST_F(RetentionTest, DeleteRecordsMovesTheLogStart) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  // One batch of 5 records (offsets 0..4), then single ones (5..7).
  {
    ProducerOptions p;
    p.linger = absl::Seconds(10);  // Batched until Flush or Close.
    auto batching = engine_->CreateProducer(p);
    ASSERT_OK(batching);
    for (int i = 0; i < 5; ++i) {
      ProducerRecord r("t", "k", absl::StrCat("v", i));
      r.partition = 0;
      (*batching)->Send(std::move(r));
    }
    ASSERT_OK((*batching)->Flush());
    ASSERT_OK((*batching)->Close());
  }
  SendBatches("t", 3);
  Admin& admin = engine_->admin();
  // Inside the first batch: it stays, its records below 3 are gone.
  auto low = admin.DeleteRecords({{{"t", 0}, 3}});
  ASSERT_OK(low);
  EXPECT_EQ(low->at({"t", 0}), 3);
  EXPECT_EQ(Describe("t").log_start_offset, 3);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest),
            (std::vector<int64_t>{3, 4, 5, 6, 7}));
  // Below the log start: nothing changes.
  low = admin.DeleteRecords({{{"t", 0}, 1}});
  ASSERT_OK(low);
  EXPECT_EQ(low->at({"t", 0}), 3);
  // Past the first batch.
  low = admin.DeleteRecords({{{"t", 0}, 6}});
  ASSERT_OK(low);
  EXPECT_EQ(low->at({"t", 0}), 6);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest),
            (std::vector<int64_t>{6, 7}));
  // Errors: beyond the end, unknown partitions and topics; nothing applied.
  EXPECT_THAT(admin.DeleteRecords({{{"t", 0}, 9}}),
              StatusIs(ErrorCode::kOffsetOutOfRange));
  EXPECT_THAT(admin.DeleteRecords({{{"t", 0}, 7}, {{"t", 2}, 0}}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(Describe("t").log_start_offset, 6);
  EXPECT_THAT(admin.DeleteRecords({{{"missing", 0}, 0}}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  // -1: everything up to the high watermark; the partition stays empty
  // across a restart and continues from its end.
  low = admin.DeleteRecords({{{"t", 0}, -1}, {{"t", 1}, -1}});
  ASSERT_OK(low);
  EXPECT_EQ(low->at({"t", 0}), 8);
  EXPECT_EQ(low->at({"t", 1}), 0);
  Reopen();
  EXPECT_EQ(Describe("t").log_start_offset, 8);
  EXPECT_EQ(Describe("t").log_end_offset, 8);
  SendBatches("t", 1);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest), (std::vector<int64_t>{8}));
}

TEST_F(RetentionTest, ALogStartInsideABatchSurvivesARestart) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  {
    ProducerOptions p;
    p.linger = absl::Seconds(10);  // Batched until Flush or Close.
    auto batching = engine_->CreateProducer(p);
    ASSERT_OK(batching);
    for (int i = 0; i < 4; ++i) {
      (*batching)->Send(ProducerRecord("t", "k", absl::StrCat("v", i)));
    }
    ASSERT_OK((*batching)->Close());
  }
  ASSERT_OK(engine_->admin().DeleteRecords({{{"t", 0}, 2}}));
  Reopen();
  EXPECT_EQ(Describe("t").log_start_offset, 2);
  EXPECT_EQ(ReadAll("t", OffsetReset::kEarliest),
            (std::vector<int64_t>{2, 3}));
}

TEST_F(RetentionTest, SpaceIsReturned) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "1000"}}));
  SendBatches("t", 200, 10000);  // About 2 MB.
  const int64_t before = Describe("t").size_bytes;
  // RocksDB's estimate (memtables included) has measured 0.75-2 MB here.
  EXPECT_GT(before, 500000);
  clock_.Advance(absl::Seconds(2));
  auto cleaned = engine_->admin().CleanTopics({"t"});
  ASSERT_OK(cleaned);
  ASSERT_EQ(cleaned->size(), 1u);
  EXPECT_EQ((*cleaned)[0].records_removed, 200);
  EXPECT_LT(Describe("t").size_bytes, before / 10);
  // Cleaning again and again leaves no trail of write-ahead logs.
  for (int i = 0; i < 5; ++i) {
    SendBatches("t", 10, 10000);
    clock_.Advance(absl::Seconds(2));
    ASSERT_OK(engine_->admin().CleanTopics({"t"}));
  }
  int logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp_.Sub("data"))) {
    if (e.path().extension() == ".log") ++logs;
  }
  EXPECT_LE(logs, 2);
}

TEST_F(RetentionTest, ReadOnlyEnginesNeitherCleanNorDelete) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  SendBatches("t", 1);
  ASSERT_OK(producer_->Close());
  ASSERT_OK(engine_->Close());
  producer_.reset();
  engine_.reset();
  EngineOptions o;
  o.read_only = true;
  auto ro = Engine::Open(o, tmp_.Sub("data"));
  ASSERT_OK(ro);
  EXPECT_THAT((*ro)->admin().CleanTopics(),
              StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT((*ro)->admin().DeleteRecords({{{"t", 0}, 1}}),
              StatusIs(ErrorCode::kIllegalState));
  ASSERT_OK((*ro)->Close());
}

TEST(RetentionOptionsTest, TheCheckIntervalIsAProperty) {
  auto o = EngineOptions::FromProperties(
      {{"log.retention.check.interval.ms", "1000"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->log_retention_check_interval, absl::Seconds(1));
  EXPECT_THAT(EngineOptions::FromProperties(
                  {{"log.retention.check.interval.ms", "0"}}),
              StatusIs(ErrorCode::kInvalidConfig));
}

}  // namespace
}  // namespace brook
