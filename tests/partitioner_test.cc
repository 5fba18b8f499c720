// Tests of partitioning: Murmur2 and PartitionForKey bit for bit against
// Kafka's Java client (vectors from shared/conformance/public-sample.json),
// the default partitioner (murmur2 for keys, sticky for null keys) and the
// round-robin partitioner.
#include "brook/partitioner.h"

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/threads.h"

namespace brook {
namespace {

struct Murmur2Vector {
  std::string key;
  int32_t murmur2;
  std::vector<std::pair<int32_t, int32_t>> partitions;  // count -> partition
};

// Copied from shared/conformance/public-sample.json ("murmur2"): Kafka's
// Utils.murmur2 and BuiltInPartitioner.partitionForKey results.
const std::vector<Murmur2Vector>& Vectors() {
  static const auto* vectors = new std::vector<Murmur2Vector>{
      // murmur2/utils_test/21
      {std::string("21", 2),
       -973932308,
       {{1, 0},
        {3, 0},
        {6, 0},
        {7, 3},
        {10, 0},
        {16, 12},
        {1000, 340},
        {2147483647, 1173551340}}},
      // murmur2/utils_test/foobar
      {std::string("foobar", 6),
       -790332482,
       {{1, 0},
        {3, 0},
        {6, 0},
        {7, 0},
        {10, 6},
        {16, 14},
        {1000, 166},
        {2147483647, 1357151166}}},
      // murmur2/utils_test/a-little-bit-long-string
      {std::string("a-little-bit-long-string", 24),
       -985981536,
       {{1, 0},
        {3, 2},
        {6, 2},
        {7, 1},
        {10, 2},
        {16, 0},
        {1000, 112},
        {2147483647, 1161502112}}},
      // murmur2/utils_test/a-little-bit-longer-string
      {std::string("a-little-bit-longer-string", 26),
       -1486304829,
       {{1, 0},
        {3, 2},
        {6, 5},
        {7, 0},
        {10, 9},
        {16, 3},
        {1000, 819},
        {2147483647, 661178819}}},
      // murmur2/utils_test/lkjh234lh9fiuh90y23oiuhs...
      {std::string("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 48),
       -58897971,
       {{1, 0},
        {3, 2},
        {6, 5},
        {7, 3},
        {10, 7},
        {16, 13},
        {1000, 677},
        {2147483647, 2088585677}}},
      // murmur2/utils_test/abc_bytes
      {std::string("abc", 3),
       479470107,
       {{1, 0},
        {3, 0},
        {6, 3},
        {7, 4},
        {10, 7},
        {16, 11},
        {1000, 107},
        {2147483647, 479470107}}},
      // murmur2/librdkafka/kafka
      {std::string("kafka", 5),
       -798503068,
       {{1, 0},
        {3, 1},
        {6, 4},
        {7, 3},
        {10, 0},
        {16, 4},
        {1000, 580},
        {2147483647, 1348980580}}},
      // murmur2/librdkafka/PreAmbleWillBeRemoved,ThePrePartThatIs
      {std::string("PreAmbleWillBeRemoved,ThePrePartThatIs", 38),
       2017611548,
       {{1, 0},
        {3, 2},
        {6, 2},
        {7, 1},
        {10, 8},
        {16, 12},
        {1000, 548},
        {2147483647, 2017611548}}},
      // murmur2/empty_key: an empty, non-null key is hashed.
      {std::string("", 0),
       275646681,
       {{1, 0},
        {3, 0},
        {6, 3},
        {7, 2},
        {10, 1},
        {16, 9},
        {1000, 681},
        {2147483647, 275646681}}},
      // murmur2/sarama_bytes (hex 0c2a38186d6f)
      {std::string("\x0c*8\x18mo", 6),
       274204207,
       {{1, 0},
        {3, 1},
        {6, 1},
        {7, 4},
        {10, 7},
        {16, 15},
        {1000, 207},
        {2147483647, 274204207}}},
      // murmur2/text/été (UTF-8)
      {std::string("\xc3\xa9t\xc3\xa9", 5),
       -2101193575,
       {{1, 0},
        {3, 1},
        {6, 1},
        {7, 4},
        {10, 3},
        {16, 9},
        {1000, 73},
        {2147483647, 46290073}}},
      // murmur2/bytes/ff: high bit set, read as unsigned.
      {std::string("\xff", 1),
       -311467685,
       {{1, 0},
        {3, 0},
        {6, 3},
        {7, 5},
        {10, 3},
        {16, 11},
        {1000, 963},
        {2147483647, 1836015963}}},
      // murmur2/random_bytes/len7 (hex 6cd21db2d5ee3f)
      {std::string("l\xd2\x1d\xb2\xd5\xee?", 7),
       -1111891654,
       {{1, 0},
        {3, 1},
        {6, 4},
        {7, 3},
        {10, 4},
        {16, 10},
        {1000, 994},
        {2147483647, 1035591994}}},
  };
  return *vectors;
}

TEST(Murmur2Test, MatchesKafka) {
  for (const Murmur2Vector& v : Vectors()) {
    EXPECT_EQ(Murmur2(v.key), v.murmur2)
        << "key of " << v.key.size() << " bytes";
  }
}

TEST(Murmur2Test, PartitionForKeyMatchesKafka) {
  for (const Murmur2Vector& v : Vectors()) {
    for (const auto& [count, partition] : v.partitions) {
      EXPECT_EQ(PartitionForKey(v.key, count), partition)
          << "key of " << v.key.size() << " bytes, " << count << " partitions";
    }
  }
}

TEST(Murmur2Test, PartitionForKeyUsesSignBitMaskNotAbs) {
  // Kafka's toPositive clears the sign bit: for negative hashes the result
  // differs from abs(). "21" hashes to -973932308.
  const int32_t h = Murmur2("21");
  ASSERT_LT(h, 0);
  EXPECT_EQ(PartitionForKey("21", 2147483647), (h & 0x7fffffff) % 2147483647);
  EXPECT_NE(PartitionForKey("21", 1000), (-h) % 1000);
}

TEST(Murmur2Test, EveryTailLength) {
  // Lengths 0..8 walk every tail case (0-3 leftover bytes); results stay in
  // range and differ from their neighbours.
  std::set<int32_t> hashes;
  for (int len = 0; len <= 8; ++len) {
    const std::string key(len, 'k');
    hashes.insert(Murmur2(key));
    const int32_t p = PartitionForKey(key, 13);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 13);
  }
  EXPECT_EQ(hashes.size(), 9u);
}

// --- Default partitioner ----------------------------------------------------

TEST(DefaultPartitionerTest, KeyedRecordsUseMurmur2) {
  auto partitioner = NewDefaultPartitioner();
  ASSERT_NE(partitioner, nullptr);
  for (const Murmur2Vector& v : Vectors()) {
    for (const auto& [count, partition] : v.partitions) {
      EXPECT_EQ(
          partitioner->Partition("topic", v.key, std::string("value"), count),
          partition);
    }
  }
}

TEST(DefaultPartitionerTest, NullKeyDefersToSticky) {
  auto partitioner = NewDefaultPartitioner();
  for (int32_t n : {1, 2, 16}) {
    EXPECT_EQ(
        partitioner->Partition("topic", std::nullopt, std::string("v"), n),
        Partitioner::kUseSticky);
    EXPECT_EQ(partitioner->Partition("topic", std::nullopt, std::nullopt, n),
              Partitioner::kUseSticky);
  }
  // An empty key is a key.
  EXPECT_EQ(partitioner->Partition("topic", std::string(), std::nullopt, 10),
            1);
}

TEST(DefaultPartitionerTest, NullKeyRecordsStickThroughAProducer) {
  EngineOptions eo;
  eo.in_memory = true;
  auto engine = Engine::Open(eo, "/mem/default-partitioner-sticky");
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->admin().CreateTopic("t", 12));
  ProducerOptions po;
  po.acks = Acks::kLeader;
  po.linger = absl::Hours(1);
  po.delivery_timeout = absl::Hours(2);
  po.partitioner = NewDefaultPartitioner();  // Explicit, same as nullptr.
  auto producer = (*engine)->CreateProducer(po);
  ASSERT_OK(producer);
  std::vector<SendFuture> null_keyed;
  std::vector<std::pair<std::string, SendFuture>> keyed;
  for (int i = 0; i < 30; ++i) {
    null_keyed.push_back(
        (*producer)->Send(ProducerRecord("t", std::string("v"))));
    std::string key = absl::StrCat("key-", i);
    keyed.emplace_back(
        key, (*producer)->Send(ProducerRecord("t", key, std::string("v"))));
  }
  ASSERT_OK((*producer)->Flush());
  std::set<int32_t> used;
  for (const SendFuture& f : null_keyed) {
    auto md = f.Get();
    ASSERT_OK(md);
    used.insert(md->partition);
  }
  EXPECT_EQ(used.size(), 1u)
      << "small null-key records spread before a batch filled";
  for (auto& [key, f] : keyed) {
    auto md = f.Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->partition, PartitionForKey(key, 12));
  }
}

// --- Round robin ------------------------------------------------------------

TEST(RoundRobinPartitionerTest, CyclesAndIgnoresKeys) {
  auto partitioner = NewRoundRobinPartitioner();
  ASSERT_NE(partitioner, nullptr);
  std::vector<int32_t> chosen;
  for (int i = 0; i < 10; ++i) {
    chosen.push_back(partitioner->Partition("t", i % 2 ? Bytes("k") : Bytes(),
                                            std::string("v"), 4));
  }
  EXPECT_EQ(chosen[0], 0);  // Kafka's counter starts at 0.
  for (size_t i = 1; i < chosen.size(); ++i) {
    EXPECT_EQ(chosen[i], (chosen[i - 1] + 1) % 4) << i;
  }
}

TEST(RoundRobinPartitionerTest, CountsPerTopic) {
  auto partitioner = NewRoundRobinPartitioner();
  std::vector<int32_t> a, b;
  for (int i = 0; i < 6; ++i) {
    a.push_back(partitioner->Partition("a", std::nullopt, std::nullopt, 3));
    if (i % 2 == 0)
      b.push_back(partitioner->Partition("b", std::nullopt, std::nullopt, 3));
  }
  EXPECT_THAT(a, ::testing::ElementsAre(0, 1, 2, 0, 1, 2));
  EXPECT_THAT(b, ::testing::ElementsAre(0, 1, 2));
}

TEST(RoundRobinPartitionerTest, StaysInRangeWhenPartitionCountChanges) {
  auto partitioner = NewRoundRobinPartitioner();
  for (int i = 0; i < 20; ++i) {
    const int32_t n = 1 + i % 5;
    const int32_t p =
        partitioner->Partition("t", std::nullopt, std::nullopt, n);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, n);
  }
}

TEST(RoundRobinPartitionerTest, EvenSpreadAcrossThreads) {
  constexpr int kThreads = 6;
  constexpr int kCalls = 1000;
  constexpr int32_t kPartitions = 5;
  auto partitioner = NewRoundRobinPartitioner();
  std::vector<std::atomic<int>> counts(kPartitions);
  for (auto& c : counts) c.store(0);
  RunTogether(kThreads, [&](int) {
    for (int i = 0; i < kCalls; ++i) {
      const int32_t p =
          partitioner->Partition("t", std::nullopt, std::nullopt, kPartitions);
      ASSERT_GE(p, 0);
      ASSERT_LT(p, kPartitions);
      counts[p].fetch_add(1);
    }
  });
  // 6000 calls over 5 partitions: exactly 1200 each.
  for (int32_t p = 0; p < kPartitions; ++p) {
    EXPECT_EQ(counts[p].load(), kThreads * kCalls / kPartitions) << p;
  }
}

}  // namespace
}  // namespace brook
