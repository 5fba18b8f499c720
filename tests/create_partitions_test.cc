// Admin::CreatePartitions: a topic grows, keeps its records and offsets,
// its new partitions work like the first ones (written, read, retained),
// the count survives a restart, and every refusal is Kafka's.
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/disk_engine_test.h"

namespace brook {
namespace {

using ::testing::HasSubstr;

class CreatePartitionsTest : public DiskEngineTest {
 protected:
  int64_t SendTo(const std::string& topic, int32_t partition) {
    ProducerRecord r(topic, "k", std::to_string(partition));
    r.partition = partition;
    auto md = producer_->Send(std::move(r)).Get();
    EXPECT_OK(md);
    return md.ok() ? md->offset : -1;
  }

  std::vector<int64_t> Ends(const std::string& topic) {
    auto d = engine_->admin().DescribeTopic(topic);
    EXPECT_OK(d);
    std::vector<int64_t> ends;
    if (d.ok()) {
      for (const PartitionDescription& p : d->partitions) {
        ends.push_back(p.log_end_offset);
      }
    }
    return ends;
  }

};

TEST_F(CreatePartitionsTest, NewPartitionsStartEmptyAndTheOldKeepTheirOffsets) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  SendTo("t", 0);
  SendTo("t", 0);
  SendTo("t", 1);
  ASSERT_OK(engine_->admin().CreatePartitions("t", 5));
  EXPECT_EQ(Ends("t"), (std::vector<int64_t>{2, 1, 0, 0, 0}));
  EXPECT_EQ(SendTo("t", 4), 0);
  EXPECT_EQ(SendTo("t", 0), 2);
  auto count = producer_->PartitionsFor("t");
  ASSERT_OK(count);
  EXPECT_EQ(*count, 5);
  // Keyed records spread over every partition now.
  std::vector<bool> used(5);
  for (int i = 0; i < 200; ++i) {
    auto md = producer_->Send({"t", "key-" + std::to_string(i), "v"}).Get();
    ASSERT_OK(md);
    used[md->partition] = true;
  }
  EXPECT_EQ(used, std::vector<bool>(5, true));
  // Kept across a restart, records and all.
  const std::vector<int64_t> before = Ends("t");
  Reopen();
  EXPECT_EQ(Ends("t"), before);
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = engine_->CreateConsumer(o);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 4}}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_FALSE(records->empty());
  EXPECT_EQ((*records)[0].offset, 0);
  EXPECT_EQ((*records)[0].value, "4");
  ASSERT_OK((*consumer)->Close());
}

// Growth in many steps, from one partition to a thousand: each partition
// keeps its own state wherever it was added.
TEST_F(CreatePartitionsTest, ManySmallGrowthsKeepEveryPartitionApart) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  SendTo("t", 0);
  int32_t count = 1;
  for (int32_t next : {2, 3, 5, 9, 17, 100, 1000}) {
    ASSERT_OK(engine_->admin().CreatePartitions("t", next));
    for (int32_t p = count; p < next; ++p) {
      ASSERT_EQ(SendTo("t", p), 0) << p;
    }
    count = next;
  }
  for (int32_t p = 0; p < count; p += 7) ASSERT_EQ(SendTo("t", p), 1) << p;
  std::vector<int64_t> want(count);
  for (int32_t p = 0; p < count; ++p) want[p] = p % 7 == 0 ? 2 : 1;
  EXPECT_EQ(Ends("t"), want);
  Reopen();
  EXPECT_EQ(Ends("t"), want);
}

TEST_F(CreatePartitionsTest, RefusalsAreKafkas) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 3));
  absl::Status same = engine_->admin().CreatePartitions("t", 3);
  EXPECT_THAT(same, StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(same.message(), "Topic already has 3 partitions.");
  absl::Status fewer = engine_->admin().CreatePartitions("t", 2);
  EXPECT_THAT(fewer, StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(fewer.message(),
            "Topic currently has 3 partitions, which is higher than the "
            "requested 2.");
  EXPECT_THAT(engine_->admin().CreatePartitions("t", kMaxPartitionsPerTopic + 1),
              StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_THAT(engine_->admin().CreatePartitions("missing", 4),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(Ends("t").size(), 3u);
  // A send to a partition that does not exist yet fails as before.
  ProducerRecord r("t", "k", "v");
  r.partition = 3;
  EXPECT_THAT(producer_->Send(std::move(r)).Get(),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(CreatePartitionsTest, NewPartitionsFollowRetention) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"retention.ms", "60000"}}));
  ASSERT_OK(engine_->admin().CreatePartitions("t", 3));
  SendTo("t", 2);
  clock_.Advance(absl::Minutes(2));
  auto cleaned = engine_->admin().CleanTopics({"t"});
  ASSERT_OK(cleaned);
  ASSERT_EQ(cleaned->size(), 1u);
  EXPECT_EQ((*cleaned)[0].partition, 2);
  EXPECT_EQ((*cleaned)[0].log_start_offset, 1);
}

}  // namespace
}  // namespace brook
