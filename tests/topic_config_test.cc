// Topic configuration changes after creation: IncrementalAlterConfigs and
// DescribeConfigs, each setting taking effect without a restart and kept
// across one, and the error paths.
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
using Op = AlterConfigOp;

class TopicConfigTest : public DiskEngineTest {
 protected:
  // The value DescribeConfigs gives `name`, and whether it is the default.
  std::pair<std::string, bool> Setting(const std::string& topic,
                                       const std::string& name) {
    auto entries = engine_->admin().DescribeConfigs(topic);
    EXPECT_OK(entries);
    if (!entries.ok()) return {};
    for (const ConfigEntry& e : *entries) {
      if (e.name == name) return {e.value, e.is_default};
    }
    ADD_FAILURE() << "no setting " << name;
    return {};
  }

  absl::StatusOr<RecordMetadata> Send(ProducerRecord record) {
    return producer_->Send(std::move(record)).Get();
  }
  absl::StatusOr<RecordMetadata> Send(const std::string& topic,
                                      const std::string& value) {
    return Send(ProducerRecord(topic, "k", value));
  }
};

TEST_F(TopicConfigTest, DescribeConfigsListsEverySettingAndItsSource) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "1000"}}));
  auto entries = engine_->admin().DescribeConfigs("t");
  ASSERT_OK(entries);
  ASSERT_EQ(entries->size(), TopicConfig().ToProperties().size());
  EXPECT_TRUE(std::is_sorted(entries->begin(), entries->end(),
                             [](const ConfigEntry& a, const ConfigEntry& b) {
                               return a.name < b.name;
                             }));
  EXPECT_EQ(Setting("t", "retention.ms"),
            (std::pair<std::string, bool>{"1000", false}));
  EXPECT_EQ(Setting("t", "cleanup.policy"),
            (std::pair<std::string, bool>{"delete", true}));
  EXPECT_THAT(engine_->admin().DescribeConfigs("missing"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(TopicConfigTest, ASetAndADeleteApplyAtOnceAndSurviveARestart) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1,
                                         Properties{{"retention.ms", "1000"}}));
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"retention.bytes", "4096", Op::Type::kSet},
            Op{"retention.ms", "", Op::Type::kDelete}}));
  EXPECT_EQ(Setting("t", "retention.bytes"),
            (std::pair<std::string, bool>{"4096", false}));
  EXPECT_EQ(Setting("t", "retention.ms"),
            (std::pair<std::string, bool>{"604800000", true}));
  auto d = engine_->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->config.retention_bytes, 4096);
  Reopen();
  EXPECT_EQ(Setting("t", "retention.bytes").first, "4096");
  EXPECT_EQ(Setting("t", "retention.ms").first, "604800000");
}

TEST_F(TopicConfigTest, AShorterRetentionDeletesAtTheNextCheck) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));  // 7 days.
  ASSERT_OK(Send("t", "old"));
  clock_.Advance(absl::Minutes(5));
  auto d = engine_->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_start_offset, 0);
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"retention.ms", "60000", Op::Type::kSet}}));
  clock_.Advance(absl::Minutes(5));
  d = engine_->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_start_offset, 1);
}

TEST_F(TopicConfigTest, SendSettingsApplyToTheNextRecord) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ASSERT_OK(Send("t", std::string(2000, 'v')));
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"max.message.bytes", "1000", Op::Type::kSet},
            Op{"message.timestamp.type", "LogAppendTime", Op::Type::kSet}}));
  EXPECT_THAT(Send("t", std::string(2000, 'v')),
              StatusIs(ErrorCode::kMessageTooLarge));
  // LogAppendTime: the record gets the engine's time, not the producer's.
  ProducerRecord r("t", "k", "v");
  r.timestamp = absl::FromUnixSeconds(1000);
  auto md = Send(std::move(r));
  ASSERT_OK(md);
  EXPECT_EQ(md->timestamp, clock_.Now());
}

TEST_F(TopicConfigTest, ACompressionChangeKeepsEveryRecordReadable) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ASSERT_OK(Send("t", "before"));
  ASSERT_OK(engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"compression.type", "zstd", Op::Type::kSet}}));
  ASSERT_OK(Send("t", "after"));
  Reopen();
  EXPECT_EQ(Setting("t", "compression.type").first, "zstd");
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = engine_->CreateConsumer(o);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 0}}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].value, "before");
  EXPECT_EQ((*records)[1].value, "after");
  ASSERT_OK((*consumer)->Close());
}

TEST_F(TopicConfigTest, BadChangesAreRefusedWholeNamingTheSetting) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  absl::Status s = engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"retention.ms", "5", Op::Type::kSet},
            Op{"retention.bytes", "lots", Op::Type::kSet}});
  EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(s.message()), HasSubstr("retention.bytes"));
  EXPECT_EQ(Setting("t", "retention.ms").first, "604800000");  // Unchanged.
  s = engine_->admin().IncrementalAlterConfigs(
      "t", {Op{"no.such.setting", "1", Op::Type::kSet}});
  EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(s.message()), HasSubstr("no.such.setting"));
  EXPECT_THAT(engine_->admin().IncrementalAlterConfigs(
                  "t", {Op{"no.such.setting", "", Op::Type::kDelete}}),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(engine_->admin().IncrementalAlterConfigs(
                  "missing", {Op{"retention.ms", "1", Op::Type::kSet}}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

}  // namespace
}  // namespace brook
