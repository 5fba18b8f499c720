#include "brook/engine.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

TEST(EngineTest, ProduceThenConsumeAcrossReopen) {
  TempDir dir;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("orders", 2));
    ProducerOptions po;
    po.acks = Acks::kLeader;
    auto producer = (*engine)->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < 10; ++i) {
      ProducerRecord r("orders", std::string("k"), "v" + std::to_string(i));
      r.partition = 1;
      auto md = (*producer)->Send(std::move(r)).Get();
      ASSERT_OK(md);
      EXPECT_EQ(md->offset, i);
      EXPECT_EQ(md->partition, 1);
    }
  }
  auto engine = Engine::Open({}, dir.path());
  ASSERT_OK(engine);
  auto d = (*engine)->admin().DescribeTopic("orders");
  ASSERT_OK(d);
  ASSERT_EQ(d->partitions.size(), 2u);
  EXPECT_EQ(d->partitions[1].log_end_offset, 10);
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = (*engine)->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("orders", 1)}));
  auto records = (*consumer)->Poll(absl::Seconds(1));
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 10u);
  EXPECT_EQ((*records)[3].offset, 3);
  EXPECT_EQ(*(*records)[3].value, "v3");
  EXPECT_EQ(*(*records)[3].key, "k");
}

}  // namespace
}  // namespace brook
