// Log compaction (cleanup.policy compact, compact,delete): the latest record
// of each key survives with its offset, tombstones go after
// delete.retention.ms, min.compaction.lag.ms protects recent batches, reads
// from the start and from inside gaps, the periodic schedule, restarts,
// keyless and out-of-range records at Send, and compaction racing with
// producers and consumers. Time is a ManualClock.
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/disk_engine_test.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// What a reader saw of one record.
struct Seen {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;
};

class CompactionTest : public DiskEngineTest {
 protected:
  void CreateCompacted(const std::string& topic, Properties extra = {}) {
    extra["cleanup.policy"] = extra.count("cleanup.policy") > 0
                                  ? extra["cleanup.policy"]
                                  : "compact";
    ASSERT_OK(engine_->admin().CreateTopic(topic, 1, extra));
  }

  // Sends one record to partition 0 and waits for it (its own batch);
  // returns its offset. `value` nullopt: a tombstone.
  int64_t Put(const std::string& topic, const std::string& key,
              std::optional<std::string> value) {
    ProducerRecord r(topic, key, std::move(value));
    r.partition = 0;
    auto md = producer_->Send(std::move(r)).Get();
    EXPECT_OK(md);
    return md.ok() ? md->offset : -1;
  }

  // Sends `records` (key, value) to partition 0 without waiting for each,
  // so that they share batches, then flushes.
  void PutMany(const std::string& topic,
               const std::vector<std::pair<std::string, std::string>>& kvs) {
    std::vector<SendFuture> futures;
    for (const auto& kv : kvs) {
      ProducerRecord r(topic, kv.first, kv.second);
      r.partition = 0;
      futures.push_back(producer_->Send(std::move(r)));
    }
    ASSERT_OK(producer_->Flush());
    for (SendFuture& f : futures) ASSERT_OK(f.Get());
  }

  std::vector<CleanedPartition> Clean(const std::string& topic) {
    auto cleaned = engine_->admin().CleanTopics({topic});
    EXPECT_OK(cleaned);
    return cleaned.ok() ? *cleaned : std::vector<CleanedPartition>{};
  }

  // Everything a consumer reads from partition 0, from `from` (the
  // beginning when nullopt) to the end.
  std::vector<Seen> Read(const std::string& topic,
                         std::optional<int64_t> from = std::nullopt) {
    ConsumerOptions o;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.enable_auto_commit = false;
    auto consumer = engine_->CreateConsumer(o);
    EXPECT_OK(consumer);
    std::vector<Seen> seen;
    if (!consumer.ok()) return seen;
    const TopicPartition tp{topic, 0};
    EXPECT_OK((*consumer)->Assign({tp}));
    if (from) {
      EXPECT_OK((*consumer)->Seek(tp, *from));
    }
    for (;;) {
      auto records = (*consumer)->Poll(absl::ZeroDuration());
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) break;
      for (const ConsumerRecord& r : *records) {
        seen.push_back({r.offset, r.key.value_or("<null>"), r.value});
      }
    }
    EXPECT_OK((*consumer)->Close());
    return seen;
  }

  static std::vector<int64_t> Offsets(const std::vector<Seen>& seen) {
    std::vector<int64_t> out;
    for (const Seen& s : seen) out.push_back(s.offset);
    return out;
  }

  PartitionDescription Describe(const std::string& topic) {
    auto d = engine_->admin().DescribeTopic(topic);
    EXPECT_OK(d);
    return d.ok() ? d->partitions[0] : PartitionDescription{};
  }

};

TEST_F(CompactionTest, TenThousandUpdatesOverAHundredKeysLeaveTheLatest) {
  CreateCompacted("t");
  std::vector<std::pair<std::string, std::string>> kvs;
  std::map<std::string, int64_t> latest_offset;  // By the order sent.
  for (int i = 0; i < 10000; ++i) {
    const std::string key = absl::StrCat("key-", (i * 37) % 100);
    kvs.emplace_back(key, absl::StrCat("value-", i));
    latest_offset[key] = i;
  }
  PutMany("t", kvs);
  // The last batch stays as it is: one record of a key of its own.
  const int64_t head = Put("t", "head", "h");
  ASSERT_EQ(head, 10000);
  const int64_t size_before = Describe("t").size_bytes;

  const std::vector<CleanedPartition> cleaned = Clean("t");
  ASSERT_EQ(cleaned.size(), 1u);
  EXPECT_EQ(cleaned[0].records_removed, 9900);
  EXPECT_GT(cleaned[0].bytes_removed, 0);
  EXPECT_EQ(cleaned[0].log_start_offset, 0);

  const std::vector<Seen> seen = Read("t");
  ASSERT_EQ(seen.size(), 101u);
  std::map<std::string, int64_t> got;
  int64_t previous = -1;
  for (const Seen& s : seen) {
    EXPECT_GT(s.offset, previous);  // In offset order, each once.
    previous = s.offset;
    if (s.key == "head") continue;
    got[s.key] = s.offset;
    ASSERT_TRUE(s.value.has_value());
    EXPECT_EQ(*s.value, absl::StrCat("value-", s.offset));  // Its own value.
  }
  EXPECT_EQ(got, latest_offset);
  // Offsets are unchanged: the log start and end too.
  const PartitionDescription d = Describe("t");
  EXPECT_EQ(d.log_start_offset, 0);
  EXPECT_EQ(d.log_end_offset, 10001);
  // Little more than the 101 records (1%) remain on disk. The size is
  // RocksDB's estimate over compressed files, which varies with file
  // boundaries (6% seen on a loaded machine): a tenth is the bound.
  EXPECT_LT(d.size_bytes, size_before / 10) << size_before;
  // Cleaning again finds nothing to remove.
  EXPECT_THAT(Clean("t"), IsEmpty());
}

TEST_F(CompactionTest, SeekIntoAGapContinuesAtTheNextSurvivor) {
  CreateCompacted("t");
  Put("t", "a", "a0");  // 0
  Put("t", "b", "b1");  // 1
  Put("t", "a", "a2");  // 2
  Put("t", "a", "a3");  // 3
  Put("t", "b", "b4");  // 4
  Put("t", "c", "c5");  // 5, the head.
  Clean("t");
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(3, 4, 5));
  EXPECT_THAT(Offsets(Read("t", 0)), ElementsAre(3, 4, 5));
  EXPECT_THAT(Offsets(Read("t", 1)), ElementsAre(3, 4, 5));
  EXPECT_THAT(Offsets(Read("t", 4)), ElementsAre(4, 5));
  EXPECT_THAT(Offsets(Read("t", 6)), IsEmpty());
  // Beginning and end offsets do not move.
  EXPECT_EQ(Describe("t").log_start_offset, 0);
  EXPECT_EQ(Describe("t").log_end_offset, 6);
}

TEST_F(CompactionTest, ReadsInsideACompactedBatchSkipOnlyWhatIsGone) {
  CreateCompacted("t");
  // One batch: a0 b1 a2 d3 b4 c5 d6, then the head.
  PutMany("t", {{"a", "a0"}, {"b", "b1"}, {"a", "a2"}, {"d", "d3"},
                {"b", "b4"}, {"c", "c5"}, {"d", "d6"}});
  Put("t", "head", "h");  // 7
  Clean("t");
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(2, 4, 5, 6, 7));
  EXPECT_THAT(Offsets(Read("t", 1)), ElementsAre(2, 4, 5, 6, 7));
  EXPECT_THAT(Offsets(Read("t", 3)), ElementsAre(4, 5, 6, 7));
  EXPECT_THAT(Offsets(Read("t", 5)), ElementsAre(5, 6, 7));
  const std::vector<Seen> seen = Read("t", 4);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].key, "b");
  EXPECT_EQ(seen[0].value, "b4");
}

TEST_F(CompactionTest, TombstonesGoAfterDeleteRetention) {
  CreateCompacted("t", {{"delete.retention.ms", "3600000"}});
  Put("t", "a", "a0");           // 0
  Put("t", "b", "b1");           // 1
  Put("t", "a", std::nullopt);   // 2: deletes a.
  Put("t", "c", "c3");           // 3
  Put("t", "head", "h");         // 4
  Clean("t");
  // The tombstone stays for consumers that read from the start.
  std::vector<Seen> seen = Read("t");
  ASSERT_THAT(Offsets(seen), ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(seen[1].key, "a");
  EXPECT_FALSE(seen[1].value.has_value());
  // Still there just before its delete horizon, after another cleaning.
  clock_.Advance(absl::Hours(1) - absl::Milliseconds(1));
  Clean("t");
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(1, 2, 3, 4));
  // Gone after it; offsets of the others unchanged.
  clock_.Advance(absl::Milliseconds(1));
  const std::vector<CleanedPartition> cleaned = Clean("t");
  ASSERT_EQ(cleaned.size(), 1u);
  EXPECT_EQ(cleaned[0].records_removed, 1);
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(1, 3, 4));
  // Survives a restart as it is; offsets continue from the end.
  Reopen();
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(1, 3, 4));
  EXPECT_EQ(Describe("t").log_start_offset, 0);
  EXPECT_EQ(Put("t", "d", "d5"), 5);
}

TEST_F(CompactionTest, ATombstoneAndItsValuesGoTogether) {
  CreateCompacted("t", {{"delete.retention.ms", "0"}});
  Put("t", "a", "a0");
  Put("t", "a", std::nullopt);
  Put("t", "head", "h");
  Clean("t");  // Sets the horizon (now + 0).
  Clean("t");  // Passed: the tombstone goes.
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(2));
}

TEST_F(CompactionTest, AnEmptiedFirstBatchKeepsTheLogStartAcrossARestart) {
  CreateCompacted("t");
  Put("t", "a", "a0");
  Put("t", "b", "b1");
  Put("t", "a", "a2");
  Put("t", "b", "b3");
  Put("t", "head", "h");
  Clean("t");
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(2, 3, 4));
  Reopen();
  EXPECT_EQ(Describe("t").log_start_offset, 0);
  EXPECT_EQ(Describe("t").log_end_offset, 5);
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(2, 3, 4));
}

TEST_F(CompactionTest, MinCompactionLagProtectsRecentBatches) {
  CreateCompacted("t", {{"min.compaction.lag.ms", "3600000"}});
  Put("t", "a", "a0");
  Put("t", "a", "a1");
  Put("t", "a", "a2");
  EXPECT_THAT(Clean("t"), IsEmpty());
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(0, 1, 2));
  clock_.Advance(absl::Hours(1));
  Put("t", "head", "h");
  Clean("t");
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(2, 3));
}

TEST_F(CompactionTest, ThePeriodicCheckFollowsTheDirtyRatio) {
  CreateCompacted("t");
  const std::string big(1000, 'v');
  for (int i = 0; i < 10; ++i) Put("t", "a", big);
  Put("t", "head", "h");  // 10
  // The first check compacts what was never compacted.
  clock_.Advance(kCheckInterval);
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(9, 10));
  // Two small records are far less than half the bytes: not compacted.
  Put("t", "a", "small");
  Put("t", "head", "h");
  clock_.Advance(kCheckInterval);
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(9, 10, 11, 12));
  // Now most bytes are dirty.
  for (int i = 0; i < 10; ++i) Put("t", "a", big);
  Put("t", "head", "h");  // 23
  clock_.Advance(kCheckInterval);
  // 12 stays: the latest "head" outside the last batch (23), which is
  // not compacted, so its keys do not count yet (as Kafka's active
  // segment).
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(12, 22, 23));
}

TEST_F(CompactionTest, MaxCompactionLagForcesACompaction) {
  CreateCompacted("t", {{"min.cleanable.dirty.ratio", "0.99"},
                        {"max.compaction.lag.ms", "1200000"}});
  for (int i = 0; i < 4; ++i) Put("t", "a", std::string(1000, 'v'));
  Put("t", "head", "h");
  clock_.Advance(kCheckInterval);  // First check: compacted.
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(3, 4));
  Put("t", "a", "a5");
  Put("t", "head", "h");
  clock_.Advance(kCheckInterval);  // Not dirty enough, not lagging enough.
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(3, 4, 5, 6));
  clock_.Advance(absl::Minutes(15));  // 20 minutes since the compaction.
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(4, 5, 6));
}

TEST_F(CompactionTest, CompactDeleteAppliesBoth) {
  CreateCompacted("t", {{"cleanup.policy", "compact,delete"},
                        {"retention.ms", "60000"}});
  Put("t", "a", "a0");
  Put("t", "b", "b1");
  clock_.Advance(absl::Seconds(61));  // Before the periodic check.
  Put("t", "a", "a2");
  Put("t", "a", "a3");
  Put("t", "head", "h");
  const std::vector<CleanedPartition> cleaned = Clean("t");
  ASSERT_EQ(cleaned.size(), 1u);
  EXPECT_EQ(cleaned[0].log_start_offset, 2);  // Retention.
  EXPECT_EQ(cleaned[0].records_removed, 3);   // Two offsets, one record.
  EXPECT_THAT(Offsets(Read("t")), ElementsAre(3, 4));
}

TEST_F(CompactionTest, KeylessRecordsAreRejectedAtSend) {
  CreateCompacted("t");
  ProducerRecord keyless("t", std::nullopt, "v");
  auto sent = producer_->Send(keyless).Get();
  EXPECT_THAT(sent, StatusIs(ErrorCode::kInvalidRecord));
  EXPECT_THAT(std::string(sent.status().message()), HasSubstr("without a key"));
  // A topic switched to compaction rejects them from then on, and one
  // switched back takes them again.
  ASSERT_OK(engine_->admin().CreateTopic("d", 1));
  ProducerRecord to_d("d", std::nullopt, "v");
  EXPECT_OK(producer_->Send(to_d).Get());
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "d", {{"cleanup.policy", "compact,delete"}}));
  EXPECT_THAT(producer_->Send(to_d).Get(),
              StatusIs(ErrorCode::kInvalidRecord));
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "d", {{"cleanup.policy", "", AlterConfigOp::Type::kDelete}}));
  EXPECT_OK(producer_->Send(to_d).Get());
  // Keyless records stored before the switch are dropped by compaction,
  // as Kafka's cleaner drops them.
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "d", {{"cleanup.policy", "compact"}}));
  Put("d", "head", "h");
  Clean("d");
  EXPECT_THAT(Offsets(Read("d")), ElementsAre(2));
}

TEST_F(CompactionTest, TimestampsOutsideTheTopicsBoundsAreRejected) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"message.timestamp.before.max.ms", "60000"}}));
  ProducerRecord future("t", "k", "v");
  future.timestamp = clock_.Now() + absl::Hours(1) + absl::Milliseconds(1);
  auto sent = producer_->Send(future).Get();
  EXPECT_THAT(sent, StatusIs(ErrorCode::kInvalidTimestamp));
  EXPECT_THAT(std::string(sent.status().message()),
              HasSubstr("message.timestamp.after.max.ms"));
  future.timestamp = clock_.Now() + absl::Hours(1);
  EXPECT_OK(producer_->Send(future).Get());
  ProducerRecord past("t", "k", "v");
  past.timestamp = clock_.Now() - absl::Minutes(2);
  EXPECT_THAT(producer_->Send(past).Get(),
              StatusIs(ErrorCode::kInvalidTimestamp));
  past.timestamp = absl::UnixEpoch();  // The oldest timestamp Kafka takes.
  EXPECT_THAT(producer_->Send(past).Get(),
              StatusIs(ErrorCode::kInvalidTimestamp));
  // LogAppendTime replaces the timestamp: nothing to check.
  ASSERT_OK(engine_->admin().CreateTopic(
      "la", 1,
      Properties{{"message.timestamp.type", "LogAppendTime"},
                 {"message.timestamp.before.max.ms", "0"}}));
  ProducerRecord old("la", "k", "v");
  old.timestamp = clock_.Now() - absl::Hours(24);
  EXPECT_OK(producer_->Send(old).Get());
}

TEST_F(CompactionTest, CompactionSettingsAreValidated) {
  const absl::Status conflict = engine_->admin().CreateTopic(
      "t", 1,
      Properties{{"min.compaction.lag.ms", "10"},
                 {"max.compaction.lag.ms", "5"}});
  EXPECT_THAT(conflict, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(conflict.message()),
              HasSubstr("max.compaction.lag.ms"));
  EXPECT_THAT(engine_->admin().CreateTopic(
                  "t", 1, Properties{{"min.cleanable.dirty.ratio", "1.5"}}),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(engine_->admin().CreateTopic(
                  "t", 1, Properties{{"delete.retention.ms", "-1"}}),
              StatusIs(ErrorCode::kInvalidConfig));
  // Segment settings are accepted and shown.
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"segment.bytes", "1048576"}, {"segment.ms", "1000"}}));
  auto entries = engine_->admin().DescribeConfigs("t");
  ASSERT_OK(entries);
  std::map<std::string, std::string> values;
  for (const ConfigEntry& e : *entries) values[e.name] = e.value;
  EXPECT_EQ(values["segment.bytes"], "1048576");
  EXPECT_EQ(values["delete.retention.ms"], "86400000");
  EXPECT_EQ(values["min.cleanable.dirty.ratio"], "0.5");
  EXPECT_EQ(values["message.timestamp.after.max.ms"], "3600000");
}

// Producers keep updating keys while a cleaner compacts in a loop and
// readers read from the start: no reader sees an offset twice or a key's
// value go back in time, and at the end every key reads its last value.
TEST_F(CompactionTest, CompactionRacingWithProducersAndConsumersLosesNothing) {
  CreateCompacted("t", {{"delete.retention.ms", "0"}});
  constexpr int kKeys = 20;
  constexpr int kUpdates = 3000;
  std::atomic<bool> done{false};
  std::thread cleaner([&] {
    while (!done.load()) {
      auto cleaned = engine_->admin().CleanTopics({"t"});
      EXPECT_OK(cleaned);
    }
  });
  auto reader = [&] {
    while (!done.load()) {
      std::map<std::string, int64_t> last_seq;
      int64_t previous = -1;
      for (const Seen& s : Read("t")) {
        EXPECT_GT(s.offset, previous);
        previous = s.offset;
        if (!s.value) continue;
        int64_t seq;
        ASSERT_TRUE(absl::SimpleAtoi(*s.value, &seq));
        EXPECT_GT(seq, last_seq[s.key]) << s.key;
        last_seq[s.key] = seq;
      }
    }
  };
  std::thread reader1(reader), reader2(reader);
  std::map<std::string, int64_t> last_sent;
  for (int i = 1; i <= kUpdates; ++i) {
    const std::string key = absl::StrCat("k", i % kKeys);
    ProducerRecord r("t", key, absl::StrCat(i));
    r.partition = 0;
    ASSERT_OK(producer_->Send(std::move(r)).Get());
    last_sent[key] = i;
  }
  done.store(true);
  cleaner.join();
  reader1.join();
  reader2.join();
  Clean("t");
  std::map<std::string, int64_t> last_read;
  for (const Seen& s : Read("t")) {
    ASSERT_TRUE(s.value.has_value());
    int64_t seq;
    ASSERT_TRUE(absl::SimpleAtoi(*s.value, &seq));
    last_read[s.key] = seq;
  }
  EXPECT_EQ(last_read, last_sent);
}

}  // namespace
}  // namespace brook
