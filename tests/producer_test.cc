// Tests of the producer: send paths (sync, async, fire-and-forget), offsets,
// partitioning, acks, size limits, buffer.memory blocking, linger.ms,
// delivery.timeout.ms, Close, concurrency, headers and timestamp types.
#include "brook/producer.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/partitioner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "log/batch_format.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"
#include "testing/threads.h"

namespace brook {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kLongLinger = absl::Hours(1);

// Options for a producer whose batches stay open until Flush/Close (or the
// ManualClock passes the linger).
ProducerOptions Lingering() {
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = kLongLinger;
  o.delivery_timeout = 2 * kLongLinger;
  return o;
}

ProducerRecord ToPartition(const std::string& topic, int32_t partition,
                           Bytes key, Bytes value) {
  ProducerRecord r(topic, std::move(key), std::move(value));
  r.partition = partition;
  return r;
}

class ProducerTest : public InMemoryEngineTest {};

// --- Send paths -------------------------------------------------------------

TEST_F(ProducerTest, SyncSendReportsMetadata) {
  ASSERT_OK(engine_->admin().CreateTopic("orders", 3));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ProducerRecord r =
      ToPartition("orders", 1, std::string("key"), std::string("value!"));
  const absl::Time ts = absl::FromUnixMillis(1700000000123);
  r.timestamp = ts;
  SendFuture f = producer->Send(std::move(r));
  ASSERT_TRUE(f.valid());
  auto md = f.Get();
  ASSERT_OK(md);
  EXPECT_TRUE(f.ready());
  EXPECT_EQ(md->topic, "orders");
  EXPECT_EQ(md->partition, 1);
  EXPECT_EQ(md->offset, 0);
  EXPECT_EQ(md->timestamp, ts);
  EXPECT_EQ(md->serialized_key_size, 3);
  EXPECT_EQ(md->serialized_value_size, 6);
}

TEST_F(ProducerTest, NullKeyAndValueReportMinusOneSizes) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  auto md =
      producer->Send(ProducerRecord("t", std::nullopt, std::nullopt)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->serialized_key_size, -1);
  EXPECT_EQ(md->serialized_value_size, -1);
  // Empty is not null.
  md = producer->Send(ProducerRecord("t", std::string(), std::string())).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->serialized_key_size, 0);
  EXPECT_EQ(md->serialized_value_size, 0);
  EXPECT_EQ(md->offset, 1);

  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 2u);
  EXPECT_FALSE(read[0].key.has_value());
  EXPECT_FALSE(read[0].value.has_value());
  EXPECT_EQ(read[0].serialized_key_size(), -1);
  ASSERT_TRUE(read[1].key.has_value());
  ASSERT_TRUE(read[1].value.has_value());
  EXPECT_EQ(*read[1].key, "");
  EXPECT_EQ(*read[1].value, "");
}

TEST_F(ProducerTest, RecordWithoutTimestampGetsSendTime) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  clock_.Advance(absl::Milliseconds(1234));
  const absl::Time sent_at = clock_.Now();
  auto md = producer->Send(ProducerRecord("t", std::string("v"))).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->timestamp, sent_at);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].timestamp, sent_at);
  EXPECT_EQ(read[0].timestamp_type, TimestampType::kCreateTime);
}

TEST_F(ProducerTest, AsyncCallbackGetsMetadata) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  absl::Notification done;
  absl::StatusOr<RecordMetadata> seen;
  producer->Send(ToPartition("t", 1, std::string("k"), std::string("v")),
                 [&](const absl::StatusOr<RecordMetadata>& md) {
                   seen = md;
                   done.Notify();
                 });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_OK(seen);
  EXPECT_EQ(seen->topic, "t");
  EXPECT_EQ(seen->partition, 1);
  EXPECT_EQ(seen->offset, 0);
}

TEST_F(ProducerTest, AsyncCallbackGetsError) {
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  int calls = 0;
  absl::Status seen;
  SendFuture f = producer->Send(ProducerRecord("missing", std::string("v")),
                                [&](const absl::StatusOr<RecordMetadata>& md) {
                                  ++calls;
                                  seen = md.status();
                                });
  EXPECT_THAT(f.Get(), StatusIs(ErrorCode::kUnknownTopicOrPartition));
  // Errors found at Send are reported on the sending thread, before it returns.
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(seen, StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(ProducerTest, FireAndForgetThenFlushWritesEverything) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 100; ++i) {
    producer->Send(ProducerRecord("t", absl::StrCat("v", i)));
  }
  ASSERT_OK(producer->Flush());
  EXPECT_EQ(EndOffset("t", 0), 100);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(read[i].offset, i);
    EXPECT_EQ(*read[i].value, absl::StrCat("v", i));
  }
}

TEST_F(ProducerTest, FlushCompletesEveryEarlierFuture) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 30; ++i) {
    futures.push_back(producer->Send(
        ToPartition("t", i % 3, std::nullopt, std::string("v"))));
  }
  ASSERT_OK(producer->Flush());
  for (const SendFuture& f : futures) {
    EXPECT_TRUE(f.ready());
    EXPECT_OK(f.Get());
  }
}

// Kafka's flush() post-condition: every earlier send has completed, and a
// send completes only after its callback ran. So callbacks have all run by
// the time Flush returns.
TEST_F(ProducerTest, FlushReturnsOnlyAfterCallbacksRan) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  absl::Notification callback_entered;
  absl::Notification release_callback;
  std::atomic<int> callbacks{0};
  producer->Send(
      ProducerRecord("t", std::string("a")),
      [&](const absl::StatusOr<RecordMetadata>&) {
        callback_entered.Notify();
        release_callback.WaitForNotificationWithTimeout(absl::Seconds(30));
        ++callbacks;
      });
  producer->Send(ProducerRecord("t", std::string("b")),
                 [&](const absl::StatusOr<RecordMetadata>&) { ++callbacks; });
  absl::Notification flushed;
  std::thread flusher([&] {
    EXPECT_OK(producer->Flush());
    flushed.Notify();
  });
  ASSERT_TRUE(
      callback_entered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  // The first callback is still running: Flush must not have returned.
  EXPECT_FALSE(flushed.WaitForNotificationWithTimeout(absl::Milliseconds(200)))
      << "Flush returned while a callback of an earlier send was still running";
  release_callback.Notify();
  flusher.join();
  EXPECT_EQ(callbacks.load(), 2);
}

// --- Offsets and partitioning ----------------------------------------------

TEST_F(ProducerTest, OffsetsAreContiguousFromZeroPerPartition) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<std::pair<int32_t, SendFuture>> futures;
  for (int i = 0; i < 30; ++i) {
    const int32_t p = (i * 7) % 3;
    futures.emplace_back(
        p, producer->Send(ToPartition("t", p, std::nullopt, absl::StrCat(i))));
    if (i % 10 == 9) {
      ASSERT_OK(producer->Flush());  // Several batches.
    }
  }
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (auto& [p, f] : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->partition, p);
    offsets[p].push_back(md->offset);
  }
  for (auto& [p, list] : offsets) {
    ASSERT_EQ(list.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(list[i], i) << "partition " << p;
  }
}

TEST_F(ProducerTest, ExplicitPartitionWinsOverKey) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 16));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  // "foobar" hashes to partition 14 of 16.
  ASSERT_EQ(PartitionForKey("foobar", 16), 14);
  auto md =
      producer
          ->Send(ToPartition("t", 3, std::string("foobar"), std::string("v")))
          .Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->partition, 3);
}

TEST_F(ProducerTest, ExplicitPartitionWinsOverCustomPartitioner) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 4));
  class Always0 : public Partitioner {
   public:
    int32_t Partition(absl::string_view, const Bytes&, const Bytes&,
                      int32_t) override {
      ++calls;
      return 0;
    }
    std::atomic<int> calls{0};
  };
  auto partitioner = std::make_shared<Always0>();
  ProducerOptions o = Immediate();
  o.partitioner = partitioner;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  auto md =
      producer->Send(ToPartition("t", 2, std::string("k"), std::string("v")))
          .Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->partition, 2);
  EXPECT_EQ(partitioner->calls.load(), 0);
}

TEST_F(ProducerTest, KeyedRecordsGoToMurmur2Partition) {
  constexpr int32_t kPartitions = 7;
  ASSERT_OK(engine_->admin().CreateTopic("t", kPartitions));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  // Vectors from Kafka's own partitioner (shared/conformance).
  EXPECT_EQ(PartitionForKey("21", kPartitions), 3);
  EXPECT_EQ(PartitionForKey("kafka", kPartitions), 3);
  EXPECT_EQ(PartitionForKey("a-little-bit-long-string", kPartitions), 1);
  std::vector<std::pair<std::string, SendFuture>> futures;
  for (int i = 0; i < 50; ++i) {
    std::string key = absl::StrCat("key-", i);
    futures.emplace_back(
        key, producer->Send(ProducerRecord("t", key, std::string("v"))));
  }
  for (const char* key : {"21", "kafka", "a-little-bit-long-string", ""}) {
    futures.emplace_back(key, producer->Send(ProducerRecord(
                                  "t", std::string(key), std::string("v"))));
  }
  ASSERT_OK(producer->Flush());
  for (auto& [key, f] : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->partition, PartitionForKey(key, kPartitions)) << key;
  }
}

TEST_F(ProducerTest, SameKeyAlwaysSamePartitionInOrder) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 5));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  const int32_t expected = PartitionForKey("user-42", 5);
  for (int i = 0; i < 20; ++i) {
    auto md =
        producer
            ->Send(ProducerRecord("t", std::string("user-42"), absl::StrCat(i)))
            .Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->partition, expected);
  }
  std::vector<ConsumerRecord> read = ReadAll({"t", expected});
  ASSERT_EQ(read.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(*read[i].value, absl::StrCat(i));
}

// Kafka's built-in partitioner: records without a key all go to one
// partition until about batch.size bytes went there, then to another one.
TEST_F(ProducerTest, NullKeysStickToOnePartitionUntilBatchIsFull) {
  constexpr int32_t kPartitions = 8;
  constexpr int32_t kBatchSize = 1000;
  ASSERT_OK(engine_->admin().CreateTopic("t", kPartitions));
  ProducerOptions o = Lingering();
  o.batch_size = kBatchSize;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  const std::string value(90, 'x');
  const int64_t ts = absl::ToUnixMillis(clock_.Now());
  const size_t record_size =
      EncodedRecordSize(ts, ts, 0, std::nullopt, value, {});
  std::vector<SendFuture> futures;
  for (int i = 0; i < 80; ++i) {
    futures.push_back(producer->Send(ProducerRecord("t", std::nullopt, value)));
  }
  ASSERT_OK(producer->Flush());
  std::vector<int32_t> partitions;
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    partitions.push_back(md->partition);
  }
  // Split into runs of the same partition.
  std::vector<std::pair<int32_t, int>> runs;
  for (int32_t p : partitions) {
    if (runs.empty() || runs.back().first != p) {
      runs.emplace_back(p, 0);
    }
    ++runs.back().second;
  }
  // About batch.size / record size records per run: at least what fits in a
  // batch after its header, at most what it takes to reach batch.size.
  const int min_run =
      static_cast<int>((kBatchSize - kBatchHeaderSize) / record_size) - 1;
  const int max_run =
      static_cast<int>((kBatchSize + record_size - 1) / record_size) + 1;
  ASSERT_GE(runs.size(), 4u) << "null-key records never moved on";
  for (size_t i = 0; i + 1 < runs.size(); ++i) {
    EXPECT_GE(runs[i].second, min_run) << "run " << i;
    EXPECT_LE(runs[i].second, max_run) << "run " << i;
    EXPECT_NE(runs[i].first, runs[i + 1].first);
  }
  EXPECT_LE(runs.back().second, max_run);
}

TEST_F(ProducerTest, NullKeysStayOnOnePartitionWhileBatchHasRoom) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 16));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 50; ++i) {
    futures.push_back(producer->Send(ProducerRecord("t", std::string("tiny"))));
  }
  ASSERT_OK(producer->Flush());
  std::set<int32_t> used;
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    used.insert(md->partition);
  }
  EXPECT_EQ(used.size(), 1u);
}

TEST_F(ProducerTest, PartitionerIgnoreKeysSpreadsKeyedRecordsLikeNullKeys) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 16));
  ProducerOptions o = Lingering();
  o.partitioner_ignore_keys = true;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 40; ++i) {
    futures.push_back(producer->Send(
        ProducerRecord("t", absl::StrCat("key-", i), std::string("v"))));
  }
  ASSERT_OK(producer->Flush());
  std::set<int32_t> used;
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    used.insert(md->partition);
  }
  // Sticky: one partition for these few small records, whatever the keys.
  EXPECT_EQ(used.size(), 1u);
}

TEST_F(ProducerTest, RoundRobinPartitionerCyclesThroughPartitions) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  ProducerOptions o = Lingering();
  o.partitioner = NewRoundRobinPartitioner();
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 12; ++i) {
    // Keys are ignored by round robin.
    futures.push_back(producer->Send(
        ProducerRecord("t", std::string("same"), absl::StrCat(i))));
  }
  ASSERT_OK(producer->Flush());
  std::vector<int32_t> partitions;
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    partitions.push_back(md->partition);
  }
  std::map<int32_t, int> counts;
  for (size_t i = 0; i < partitions.size(); ++i) {
    ++counts[partitions[i]];
    if (i > 0) {
      EXPECT_EQ(partitions[i], (partitions[i - 1] + 1) % 3) << i;
    }
  }
  EXPECT_EQ(counts, (std::map<int32_t, int>{{0, 4}, {1, 4}, {2, 4}}));
}

TEST_F(ProducerTest, RoundRobinFromProperties) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto o = ProducerOptions::FromProperties(
      {{"partitioner.class",
        "org.apache.kafka.clients.producer.RoundRobinPartitioner"},
       {"linger.ms", "0"},
       {"acks", "1"}});
  ASSERT_OK(o);
  auto producer = NewProducer(*o);
  ASSERT_NE(producer, nullptr);
  std::map<int32_t, int> counts;
  for (int i = 0; i < 6; ++i) {
    auto md = producer->Send(ProducerRecord("t", std::string("v"))).Get();
    ASSERT_OK(md);
    ++counts[md->partition];
  }
  EXPECT_EQ(counts, (std::map<int32_t, int>{{0, 3}, {1, 3}}));
}

class RecordingPartitioner : public Partitioner {
 public:
  int32_t Partition(absl::string_view topic, const Bytes& key,
                    const Bytes& value, int32_t num_partitions) override {
    absl::MutexLock lock(&mu_);
    topics_.push_back(std::string(topic));
    keys_.push_back(key);
    values_.push_back(value);
    counts_.push_back(num_partitions);
    return num_partitions - 1;
  }
  std::vector<std::string> topics() {
    absl::MutexLock lock(&mu_);
    return topics_;
  }
  std::vector<Bytes> keys() {
    absl::MutexLock lock(&mu_);
    return keys_;
  }
  std::vector<Bytes> values() {
    absl::MutexLock lock(&mu_);
    return values_;
  }
  std::vector<int32_t> counts() {
    absl::MutexLock lock(&mu_);
    return counts_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> topics_ ABSL_GUARDED_BY(mu_);
  std::vector<Bytes> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<Bytes> values_ ABSL_GUARDED_BY(mu_);
  std::vector<int32_t> counts_ ABSL_GUARDED_BY(mu_);
};

TEST_F(ProducerTest, CustomPartitionerChoosesPartition) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 5));
  auto partitioner = std::make_shared<RecordingPartitioner>();
  ProducerOptions o = Immediate();
  o.partitioner = partitioner;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  auto md =
      producer->Send(ProducerRecord("t", std::string("k1"), std::string("v1")))
          .Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->partition, 4);
  md = producer->Send(ProducerRecord("t", std::nullopt, std::string("v2")))
           .Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->partition, 4);
  EXPECT_THAT(partitioner->topics(), ElementsAre("t", "t"));
  EXPECT_THAT(partitioner->keys(), ElementsAre(Bytes("k1"), Bytes()));
  EXPECT_THAT(partitioner->values(), ElementsAre(Bytes("v1"), Bytes("v2")));
  EXPECT_THAT(partitioner->counts(), ElementsAre(5, 5));
}

TEST_F(ProducerTest, CustomPartitionerMayDeferToSticky) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 8));
  class Sticky : public Partitioner {
   public:
    int32_t Partition(absl::string_view, const Bytes&, const Bytes&,
                      int32_t) override {
      return kUseSticky;
    }
  };
  ProducerOptions o = Lingering();
  o.partitioner = std::make_shared<Sticky>();
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 10; ++i) {
    futures.push_back(
        producer->Send(ProducerRecord("t", absl::StrCat(i), std::string("v"))));
  }
  ASSERT_OK(producer->Flush());
  std::set<int32_t> used;
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    EXPECT_GE(md->partition, 0);
    EXPECT_LT(md->partition, 8);
    used.insert(md->partition);
  }
  EXPECT_EQ(used.size(), 1u);
}

TEST_F(ProducerTest, CustomPartitionerOutOfRangeIsAnError) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  class Bad : public Partitioner {
   public:
    int32_t Partition(absl::string_view, const Bytes&, const Bytes&,
                      int32_t n) override {
      return n + 3;
    }
  };
  ProducerOptions o = Immediate();
  o.partitioner = std::make_shared<Bad>();
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  auto md = producer->Send(ProducerRecord("t", std::string("v"))).Get();
  EXPECT_FALSE(md.ok());
  EXPECT_EQ(EndOffset("t", 0) + EndOffset("t", 1), 0);
}

// --- acks -------------------------------------------------------------------

TEST_F(ProducerTest, AcksZeroCompletesAtOnceWithoutOffset) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o = Lingering();
  o.acks = Acks::kNone;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  int calls = 0;
  absl::StatusOr<RecordMetadata> from_callback;
  SendFuture f = producer->Send(
      ProducerRecord("t", std::string("k"), std::string("value")),
      [&](const absl::StatusOr<RecordMetadata>& md) {
        ++calls;
        from_callback = md;
      });
  // Complete before anything was written (the batch is still lingering).
  EXPECT_TRUE(f.ready());
  auto md = f.Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, -1);
  EXPECT_EQ(md->topic, "t");
  EXPECT_EQ(md->partition, 0);
  EXPECT_EQ(md->serialized_key_size, 1);
  EXPECT_EQ(md->serialized_value_size, 5);
  EXPECT_EQ(calls, 1);
  ASSERT_OK(from_callback);
  EXPECT_EQ(from_callback->offset, -1);
  EXPECT_EQ(EndOffset("t", 0), 0);
  // The record is still written.
  ASSERT_OK(producer->Flush());
  EXPECT_EQ(EndOffset("t", 0), 1);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(*read[0].value, "value");
}

TEST_F(ProducerTest, AcksOneAndAllReportOffsets) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  for (Acks acks : {Acks::kLeader, Acks::kAll}) {
    ProducerOptions o = Immediate();
    o.acks = acks;
    auto producer = NewProducer(o);
    ASSERT_NE(producer, nullptr);
    for (int i = 0; i < 3; ++i) {
      auto md = producer->Send(ProducerRecord("t", std::string("v"))).Get();
      ASSERT_OK(md);
      EXPECT_GE(md->offset, 0);
    }
  }
  EXPECT_EQ(EndOffset("t", 0), 6);
}

TEST_F(ProducerTest, AcksAllSurvivesReopen) {
  TempDir dir;
  EngineOptions eo;
  eo.clock = &clock_;
  {
    auto engine = Engine::Open(eo, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    ProducerOptions o = Immediate();
    o.acks = Acks::kAll;
    auto producer = (*engine)->CreateProducer(o);
    ASSERT_OK(producer);
    for (int i = 0; i < 5; ++i) {
      auto md = (*producer)->Send(ProducerRecord("t", absl::StrCat(i))).Get();
      ASSERT_OK(md);
      EXPECT_EQ(md->offset, i);
    }
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  auto d = (*engine)->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_end_offset, 5);
}

TEST_F(ProducerTest, OffsetsContinueAfterReopen) {
  TempDir dir;
  EngineOptions eo;
  eo.clock = &clock_;
  {
    auto engine = Engine::Open(eo, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 2));
    auto producer = (*engine)->CreateProducer(Immediate());
    ASSERT_OK(producer);
    for (int i = 0; i < 5; ++i) {
      ASSERT_OK((*producer)
                    ->Send(ToPartition("t", 1, std::nullopt, absl::StrCat(i)))
                    .Get());
    }
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  auto producer = (*engine)->CreateProducer(Immediate());
  ASSERT_OK(producer);
  for (int i = 5; i < 8; ++i) {
    auto md = (*producer)
                  ->Send(ToPartition("t", 1, std::nullopt, absl::StrCat(i)))
                  .Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->offset, i);
  }
  auto md = (*producer)->Send(ToPartition("t", 0, std::nullopt, "p0")).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 0);
}

// --- Errors at Send ---------------------------------------------------------

TEST_F(ProducerTest, UnknownTopicFails) {
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->Send(ProducerRecord("nope", std::string("v"))).Get(),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(producer->PartitionsFor("nope"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(ProducerTest, PartitionOutOfRangeFails) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  for (int32_t p : {3, 4, 1000, -1}) {
    int calls = 0;
    auto md =
        producer
            ->Send(ToPartition("t", p, std::nullopt, std::string("v")),
                   [&](const absl::StatusOr<RecordMetadata>& r) {
                     ++calls;
                     EXPECT_THAT(r,
                                 StatusIs(ErrorCode::kUnknownTopicOrPartition));
                   })
            .Get();
    EXPECT_THAT(md, StatusIs(ErrorCode::kUnknownTopicOrPartition)) << p;
    EXPECT_EQ(calls, 1);
  }
  for (int32_t p = 0; p < 3; ++p) EXPECT_EQ(EndOffset("t", p), 0);
}

TEST_F(ProducerTest, PartitionsForReportsCount) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 6));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  auto n = producer->PartitionsFor("t");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 6);
}

TEST_F(ProducerTest, AutoCreatesTopicWhenEnabled) {
  EngineOptions eo;
  eo.auto_create_topics = true;
  eo.default_partitions = 4;
  OpenEngine(eo);
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  auto md = producer->Send(ProducerRecord("fresh", std::string("v"))).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->topic, "fresh");
  auto d = engine_->admin().DescribeTopic("fresh");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 4u);
  auto n = producer->PartitionsFor("fresh");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 4);
  // Auto-creation still obeys the naming rules.
  EXPECT_FALSE(
      producer->Send(ProducerRecord("bad name!", std::string("v"))).Get().ok());
}

TEST_F(ProducerTest, NoAutoCreateByDefault) {
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->Send(ProducerRecord("fresh", std::string("v"))).Get(),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  auto topics = engine_->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_TRUE(topics->empty());
}

TEST_F(ProducerTest, RecordOverMaxRequestSizeIsTooLarge) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o = Immediate();
  o.max_request_size = 1000;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  int calls = 0;
  auto md = producer
                ->Send(ProducerRecord("t", std::string(2000, 'x')),
                       [&](const absl::StatusOr<RecordMetadata>& r) {
                         ++calls;
                         EXPECT_THAT(r, StatusIs(ErrorCode::kMessageTooLarge));
                       })
                .Get();
  EXPECT_THAT(md, StatusIs(ErrorCode::kMessageTooLarge));
  EXPECT_THAT(std::string(md.status().message()),
              HasSubstr("max.request.size"));
  EXPECT_EQ(calls, 1);
  // A large key counts too.
  EXPECT_THAT(
      producer
          ->Send(ProducerRecord("t", std::string(2000, 'k'), std::string("v")))
          .Get(),
      StatusIs(ErrorCode::kMessageTooLarge));
  EXPECT_OK(producer->Send(ProducerRecord("t", std::string(500, 'x'))).Get());
  EXPECT_EQ(EndOffset("t", 0), 1);
}

TEST_F(ProducerTest, RecordOverTopicMaxMessageBytesIsTooLarge) {
  TopicConfig config;
  config.max_message_bytes = 1000;
  ASSERT_OK(engine_->admin().CreateTopic("small", 1, config));
  ASSERT_OK(engine_->admin().CreateTopic("big", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(
      producer->Send(ProducerRecord("small", std::string(2000, 'x'))).Get(),
      StatusIs(ErrorCode::kMessageTooLarge));
  EXPECT_OK(
      producer->Send(ProducerRecord("big", std::string(2000, 'x'))).Get());
  EXPECT_OK(
      producer->Send(ProducerRecord("small", std::string(100, 'x'))).Get());
  EXPECT_EQ(EndOffset("small", 0), 1);
}

TEST_F(ProducerTest, ManySmallRecordsToSmallMaxMessageBytesTopicAllArrive) {
  TopicConfig config;
  config.max_message_bytes = 500;
  ASSERT_OK(engine_->admin().CreateTopic("small", 1, config));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 100; ++i) {
    futures.push_back(
        producer->Send(ProducerRecord("small", std::string(50, 'x'))));
  }
  ASSERT_OK(producer->Flush());
  for (const SendFuture& f : futures) EXPECT_OK(f.Get());
  EXPECT_EQ(ReadAll({"small", 0}).size(), 100u);
}

TEST_F(ProducerTest, RecordOverBufferMemoryIsTooLarge) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o = Immediate();
  o.buffer_memory = 1000;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  // Fails at once instead of blocking for max.block.ms (which would never end
  // on this ManualClock).
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string(2000, 'x'))).Get(),
              StatusIs(ErrorCode::kMessageTooLarge));
}

TEST_F(ProducerTest, RecordLargerThanBatchSizeGoesInItsOwnBatch) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o = Immediate();
  o.batch_size = 100;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  const std::string big(5000, 'b');
  ASSERT_OK(producer->Send(ProducerRecord("t", std::string("small"))).Get());
  auto md = producer->Send(ProducerRecord("t", big)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 1);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(*read[1].value, big);
}

// --- buffer.memory / max.block.ms -------------------------------------------

TEST_F(ProducerTest, FullBufferBlocksSendThenTimesOut) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const std::string value(100, 'x');
  const int64_t ts = absl::ToUnixMillis(clock_.Now());
  const int64_t record_size = static_cast<int64_t>(
      EncodedRecordSize(ts, ts, 0, std::nullopt, value, {}));
  ProducerOptions o = Lingering();
  o.buffer_memory = 10 * record_size;
  o.max_block = absl::Seconds(2);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> held;
  for (int i = 0; i < 10; ++i) {
    held.push_back(producer->Send(ProducerRecord("t", std::nullopt, value)));
    ASSERT_FALSE(held.back().ready());
  }

  absl::Notification returned;
  absl::StatusOr<RecordMetadata> result;
  int callback_calls = 0;
  std::thread sender([&] {
    SendFuture f = producer->Send(
        ProducerRecord("t", std::nullopt, value),
        [&](const absl::StatusOr<RecordMetadata>&) { ++callback_calls; });
    result = f.Get();
    returned.Notify();
  });
  // No room and no time passes: the sender stays blocked.
  EXPECT_FALSE(
      returned.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  clock_.Advance(absl::Seconds(1));
  EXPECT_FALSE(returned.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  // Past max.block.ms: Timeout. (Repeat in case the sender was not waiting
  // yet; each step alone exceeds max.block.ms.)
  int steps = 0;
  while (!returned.WaitForNotificationWithTimeout(absl::Milliseconds(20))) {
    clock_.Advance(absl::Seconds(3));
    ASSERT_LT(++steps, 500);
  }
  sender.join();
  EXPECT_THAT(result, StatusIs(ErrorCode::kTimeout));
  EXPECT_EQ(callback_calls, 1);
  // The buffered records are unaffected.
  ASSERT_OK(producer->Flush());
  for (const SendFuture& f : held) EXPECT_OK(f.Get());
  EXPECT_EQ(EndOffset("t", 0), 10);
}

TEST_F(ProducerTest, BlockedSendResumesWhenBufferFrees) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const std::string value(100, 'x');
  const int64_t ts = absl::ToUnixMillis(clock_.Now());
  const int64_t record_size = static_cast<int64_t>(
      EncodedRecordSize(ts, ts, 0, std::nullopt, value, {}));
  ProducerOptions o = Lingering();
  o.buffer_memory = 4 * record_size;
  o.max_block = absl::Seconds(2);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 4; ++i) {
    producer->Send(ProducerRecord("t", std::nullopt, value));
  }
  absl::Notification returned;
  SendFuture blocked;
  std::thread sender([&] {
    blocked =
        producer->Send(ProducerRecord("t", std::nullopt, std::string(value)));
    returned.Notify();
  });
  EXPECT_FALSE(
      returned.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  // Writing the held batch frees the buffer; the sender proceeds.
  ASSERT_OK(producer->Flush());
  ASSERT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(30)));
  sender.join();
  ASSERT_OK(producer->Flush());
  auto md = blocked.Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 4);
}

// --- linger.ms and delivery.timeout.ms --------------------------------------

TEST_F(ProducerTest, LingerHoldsRecordUntilItPasses) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = absl::Milliseconds(100);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  SendFuture f = producer->Send(ProducerRecord("t", std::string("v")));

  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = engine_->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("t", 0)}));

  clock_.Advance(absl::Milliseconds(60));
  EXPECT_THAT(f.Get(absl::Milliseconds(100)), StatusIs(ErrorCode::kTimeout))
      << "written before linger.ms passed";
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_TRUE(records->empty());

  clock_.Advance(absl::Milliseconds(40));
  auto md = f.Get(absl::Seconds(30));
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 0);
  records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(*(*records)[0].value, "v");
}

TEST_F(ProducerTest, PollWakesWhenLingerPasses) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = absl::Milliseconds(100);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = engine_->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("t", 0)}));
  producer->Send(ProducerRecord("t", std::string("v")));
  clock_.Advance(absl::Milliseconds(100));
  // Blocks (in manual time, which no longer moves) until the appender writes.
  auto records = (*consumer)->Poll(absl::Hours(1));
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
}

TEST_F(ProducerTest, DeliveryTimeoutExpiresUnwrittenRecords) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = absl::Seconds(1);
  o.delivery_timeout = absl::Seconds(2);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  absl::Notification called;
  absl::Status from_callback;
  SendFuture f = producer->Send(ProducerRecord("t", std::string("v")),
                                [&](const absl::StatusOr<RecordMetadata>& r) {
                                  from_callback = r.status();
                                  called.Notify();
                                });
  clock_.Advance(absl::Seconds(3));
  EXPECT_THAT(f.Get(absl::Seconds(30)), StatusIs(ErrorCode::kTimeout));
  ASSERT_TRUE(called.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_THAT(from_callback, StatusIs(ErrorCode::kTimeout));
  EXPECT_EQ(EndOffset("t", 0), 0);
}

// --- Close ------------------------------------------------------------------

TEST_F(ProducerTest, CloseDeliversPendingRecords) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 6; ++i) {
    futures.push_back(
        producer->Send(ToPartition("t", i % 2, std::nullopt, absl::StrCat(i))));
  }
  ASSERT_OK(producer->Close(absl::Seconds(30)));
  for (const SendFuture& f : futures) {
    EXPECT_TRUE(f.ready());
    EXPECT_OK(f.Get());
  }
  EXPECT_EQ(ReadAll({"t", 0}).size(), 3u);
  EXPECT_EQ(ReadAll({"t", 1}).size(), 3u);
}

// Kafka's close(timeout): records not delivered in time fail, and close
// reports it. The appender is held up inside a callback so that a second
// batch cannot be written before the deadline.
TEST_F(ProducerTest, CloseTimeoutFailsUndeliveredRecords) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  absl::Notification callback_entered;
  absl::Notification release_callback;
  SendFuture first = producer->Send(
      ProducerRecord("t", std::string("a")),
      [&](const absl::StatusOr<RecordMetadata>&) {
        callback_entered.Notify();
        release_callback.WaitForNotificationWithTimeout(absl::Seconds(60));
      });
  ASSERT_TRUE(
      callback_entered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  SendFuture second = producer->Send(ProducerRecord("t", std::string("b")));

  absl::Status close_status;
  absl::Notification closed;
  std::thread closer([&] {
    close_status = producer->Close(absl::Seconds(1));
    closed.Notify();
  });
  // Each step passes the Close deadline, whenever Close computed it.
  int steps = 0;
  while (!second.ready()) {
    clock_.Advance(absl::Seconds(2));
    absl::SleepFor(absl::Milliseconds(10));
    ASSERT_LT(++steps, 1000) << "the undelivered record never failed";
  }
  EXPECT_THAT(second.Get(), StatusIs(ErrorCode::kInterrupted));
  release_callback.Notify();
  ASSERT_TRUE(closed.WaitForNotificationWithTimeout(absl::Seconds(30)));
  closer.join();
  EXPECT_THAT(close_status, StatusIs(ErrorCode::kTimeout));
  EXPECT_OK(first.Get());
  // Later calls: Close is OK at once, Send is Closed.
  EXPECT_OK(producer->Close(absl::ZeroDuration()));
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string("c"))).Get(),
              StatusIs(ErrorCode::kClosed));
  EXPECT_EQ(EndOffset("t", 0), 1);
}

TEST_F(ProducerTest, DefaultSendFutureIsInvalid) {
  SendFuture f;
  EXPECT_FALSE(f.valid());
  EXPECT_FALSE(f.ready());
}

TEST_F(ProducerTest, DestructorDeliversPendingRecords) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  {
    auto producer = NewProducer(Lingering());
    ASSERT_NE(producer, nullptr);
    for (int i = 0; i < 4; ++i)
      producer->Send(ProducerRecord("t", absl::StrCat(i)));
  }
  EXPECT_EQ(ReadAll({"t", 0}).size(), 4u);
}

TEST_F(ProducerTest, SendAfterCloseIsClosed) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ASSERT_OK(producer->Close());
  int calls = 0;
  SendFuture f = producer->Send(ProducerRecord("t", std::string("v")),
                                [&](const absl::StatusOr<RecordMetadata>& r) {
                                  ++calls;
                                  EXPECT_THAT(r, StatusIs(ErrorCode::kClosed));
                                });
  EXPECT_THAT(f.Get(), StatusIs(ErrorCode::kClosed));
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(producer->Flush(), StatusIs(ErrorCode::kClosed));
  // Close again is a no-op.
  EXPECT_OK(producer->Close());
  EXPECT_EQ(EndOffset("t", 0), 0);
}

TEST_F(ProducerTest, SendToDeletedTopicFails) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ASSERT_OK(producer->Send(ProducerRecord("t", std::string("v"))).Get());
  ASSERT_OK(engine_->admin().DeleteTopic("t"));
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string("v"))).Get(),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  // A re-created topic is a new, empty one; the producer finds it.
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto md =
      producer->Send(ToPartition("t", 1, std::nullopt, std::string("v"))).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 0);
}

// --- Concurrency ------------------------------------------------------------

TEST_F(ProducerTest, ConcurrentSendersGetEveryRecordAcknowledgedOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  constexpr int32_t kPartitions = 4;
  ASSERT_OK(engine_->admin().CreateTopic("t", kPartitions));
  ProducerOptions o = Immediate();
  o.batch_size = 2048;  // Many batches.
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);

  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  for (auto& c : calls) c.store(0);
  std::vector<std::vector<SendFuture>> futures(kThreads);
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      const int id = t * kPerThread + i;
      ProducerRecord r("t", std::nullopt, absl::StrCat(id));
      switch (t % 3) {
        case 0:
          r.partition = i % kPartitions;
          break;
        case 1:
          r.key = absl::StrCat("key-", i);
          break;
        default:
          break;  // Sticky.
      }
      futures[t].push_back(producer->Send(
          std::move(r), [&calls, id](const absl::StatusOr<RecordMetadata>& md) {
            EXPECT_OK(md);
            calls[id].fetch_add(1);
          }));
    }
  });
  ASSERT_OK(producer->Flush());

  // offset -> record id, per partition.
  std::map<int32_t, std::map<int64_t, int>> by_offset;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto md = futures[t][i].Get();
      ASSERT_OK(md);
      const bool fresh = by_offset[md->partition]
                             .emplace(md->offset, t * kPerThread + i)
                             .second;
      EXPECT_TRUE(fresh) << "offset " << md->offset << " of partition "
                         << md->partition << " reported twice";
    }
  }
  // Callbacks run on the appender thread, each exactly once, all before
  // Flush returned (Kafka's flush post-condition).
  for (int id = 0; id < kThreads * kPerThread; ++id) {
    EXPECT_EQ(calls[id].load(), 1) << "record " << id;
  }
  size_t total = 0;
  for (int32_t p = 0; p < kPartitions; ++p) {
    const auto& offsets = by_offset[p];
    total += offsets.size();
    int64_t expected = 0;
    for (const auto& [offset, id] : offsets) {
      EXPECT_EQ(offset, expected++) << "gap in partition " << p;
    }
    // The log holds the records the futures said.
    std::vector<ConsumerRecord> read = ReadAll({"t", p});
    ASSERT_EQ(read.size(), offsets.size());
    for (const ConsumerRecord& r : read) {
      EXPECT_EQ(*r.value, absl::StrCat(offsets.at(r.offset)));
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(ProducerTest, ConcurrentSendsAutoCreateTopicOnce) {
  EngineOptions eo;
  eo.auto_create_topics = true;
  eo.default_partitions = 3;
  OpenEngine(eo);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  std::atomic<int> failures{0};
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto md = producer
                    ->Send(ProducerRecord("auto", absl::StrCat(t, "-", i),
                                          std::string("v")))
                    .Get();
      if (!md.ok()) failures.fetch_add(1);
    }
  });
  EXPECT_EQ(failures.load(), 0);
  auto topics = engine_->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ElementsAre("auto"));
  int64_t total = 0;
  for (int32_t p = 0; p < 3; ++p) total += EndOffset("auto", p);
  EXPECT_EQ(total, kThreads * kPerThread);
}

TEST_F(ProducerTest, PerThreadOrderIsKeptWithinAPartition) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  RunTogether(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      producer->Send(ProducerRecord("t", absl::StrCat(t), absl::StrCat(i)));
    }
  });
  ASSERT_OK(producer->Flush());
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, int> next;
  for (const ConsumerRecord& r : read) {
    EXPECT_EQ(*r.value, absl::StrCat(next[*r.key]++)) << "thread " << *r.key;
  }
}

// --- Headers and timestamps -------------------------------------------------

TEST_F(ProducerTest, HeadersRoundTrip) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ProducerRecord r("t", std::string("k"), std::string("v"));
  r.headers = {Header{"trace", std::string("abc")},
               Header{"null-valued", std::nullopt},
               Header{"empty", std::string()},
               Header{"trace", std::string("duplicate key kept")},
               Header{"bin", std::string("\0\x01\xff", 3)}};
  const std::vector<Header> sent = r.headers;
  ASSERT_OK(producer->Send(std::move(r)).Get());
  ASSERT_OK(
      producer->Send(ProducerRecord("t", std::string("no headers"))).Get());
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].headers, sent);
  EXPECT_TRUE(read[1].headers.empty());
}

TEST_F(ProducerTest, CreateTimeKeepsRecordTimestamp) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  const absl::Time old = clock_.Now() - absl::Hours(5);
  ProducerRecord r("t", std::string("v"));
  r.timestamp = old;
  clock_.Advance(absl::Seconds(7));
  auto md = producer->Send(std::move(r)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->timestamp, old);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].timestamp, old);
  EXPECT_EQ(read[0].timestamp_type, TimestampType::kCreateTime);
}

TEST_F(ProducerTest, LogAppendTimeTopicReportsAppendTime) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"message.timestamp.type", "LogAppendTime"}}));
  auto producer = NewProducer(Lingering());
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  for (int i = 0; i < 3; ++i) {
    ProducerRecord r("t", absl::StrCat(i));
    r.timestamp = clock_.Now() - absl::Hours(1 + i);
    futures.push_back(producer->Send(std::move(r)));
  }
  clock_.Advance(absl::Seconds(30));
  const absl::Time append_time = clock_.Now();
  ASSERT_OK(producer->Flush());
  for (const SendFuture& f : futures) {
    auto md = f.Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->timestamp, append_time);
  }
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 3u);
  for (const ConsumerRecord& r : read) {
    EXPECT_EQ(r.timestamp, append_time);
    EXPECT_EQ(r.timestamp_type, TimestampType::kLogAppendTime);
  }
}

}  // namespace
}  // namespace brook
