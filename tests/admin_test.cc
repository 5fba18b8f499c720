// Tests of topic administration: create, delete, list, describe, Kafka's
// naming rules, per-topic configs, and persistence across reopen.
#include "brook/admin.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"
#include "testing/threads.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void ExpectSameConfig(const TopicConfig& a, const TopicConfig& b) {
  EXPECT_EQ(a.compression_type, b.compression_type);
  EXPECT_EQ(a.message_timestamp_type, b.message_timestamp_type);
  EXPECT_EQ(a.max_message_bytes, b.max_message_bytes);
  EXPECT_EQ(a.retention_ms, b.retention_ms);
  EXPECT_EQ(a.retention_bytes, b.retention_bytes);
  EXPECT_EQ(a.cleanup_policy, b.cleanup_policy);
}

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.in_memory = true;
    o.clock = &clock_;
    auto engine = Engine::Open(
        o, std::string("/mem/") +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  Admin& admin() { return engine_->admin(); }

  void Produce(const std::string& topic, int32_t partition, int n) {
    ProducerOptions po;
    po.acks = Acks::kLeader;
    po.linger = absl::ZeroDuration();
    auto producer = engine_->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < n; ++i) {
      ProducerRecord r(topic, absl::StrCat("v", i));
      r.partition = partition;
      (*producer)->Send(std::move(r));
    }
    ASSERT_OK((*producer)->Flush());
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(AdminTest, CreateListDescribe) {
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, IsEmpty());
  ASSERT_OK(admin().CreateTopic("orders", 3));
  ASSERT_OK(admin().CreateTopic("audit", 1));
  ASSERT_OK(admin().CreateTopic("Zeta", 2));
  topics = admin().ListTopics();
  ASSERT_OK(topics);
  // Sorted (plain byte order: upper case first).
  EXPECT_THAT(*topics, ElementsAre("Zeta", "audit", "orders"));

  auto d = admin().DescribeTopic("orders");
  ASSERT_OK(d);
  EXPECT_EQ(d->name, "orders");
  ASSERT_EQ(d->partitions.size(), 3u);
  for (int32_t p = 0; p < 3; ++p) {
    EXPECT_EQ(d->partitions[p].partition, p);
    EXPECT_EQ(d->partitions[p].log_start_offset, 0);
    EXPECT_EQ(d->partitions[p].log_end_offset, 0);
  }
  ExpectSameConfig(d->config, TopicConfig());
}

TEST_F(AdminTest, DescribeReportsLogEndOffsets) {
  ASSERT_OK(admin().CreateTopic("t", 3));
  Produce("t", 0, 4);
  Produce("t", 2, 7);
  auto d = admin().DescribeTopic("t");
  ASSERT_OK(d);
  ASSERT_EQ(d->partitions.size(), 3u);
  EXPECT_EQ(d->partitions[0].log_end_offset, 4);
  EXPECT_EQ(d->partitions[1].log_end_offset, 0);
  EXPECT_EQ(d->partitions[2].log_end_offset, 7);
  for (const PartitionDescription& p : d->partitions) {
    EXPECT_EQ(p.log_start_offset, 0);
  }
}

TEST_F(AdminTest, DescribeUnknownTopic) {
  EXPECT_THAT(admin().DescribeTopic("missing"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(AdminTest, TopicAlreadyExists) {
  ASSERT_OK(admin().CreateTopic("t", 2));
  absl::Status s = admin().CreateTopic("t", 5);
  EXPECT_THAT(s, StatusIs(ErrorCode::kTopicAlreadyExists));
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(s.message()), HasSubstr("t"));
  EXPECT_THAT(admin().CreateTopic("t", 2, Properties{}),
              StatusIs(ErrorCode::kTopicAlreadyExists));
  // The original is untouched.
  auto d = admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 2u);
}

TEST_F(AdminTest, ConcurrentCreatesOfOneNameHaveOneWinner) {
  constexpr int kThreads = 8;
  std::vector<absl::Status> results(kThreads);
  RunTogether(kThreads, [&](int t) {
    results[t] = admin().CreateTopic("contended", t + 1);
  });
  int winner = -1;
  for (int t = 0; t < kThreads; ++t) {
    if (results[t].ok()) {
      EXPECT_EQ(winner, -1) << "two creates succeeded";
      winner = t;
    } else {
      EXPECT_THAT(results[t], StatusIs(ErrorCode::kTopicAlreadyExists));
    }
  }
  ASSERT_NE(winner, -1);
  auto d = admin().DescribeTopic("contended");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), static_cast<size_t>(winner + 1));
}

TEST_F(AdminTest, NamesDifferingOnlyInCaseAreDifferentTopics) {
  ASSERT_OK(admin().CreateTopic("Orders", 1));
  ASSERT_OK(admin().CreateTopic("orders", 2));
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_EQ(topics->size(), 2u);
}

TEST_F(AdminTest, InvalidPartitions) {
  // -1 is the engine's default (KIP-464): kafka_fidelity_test.
  for (int32_t n : {0, -2, -100}) {
    absl::Status s = admin().CreateTopic("t", n);
    EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidPartitions)) << n;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  }
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, IsEmpty());
}

TEST_F(AdminTest, LegalTopicNames) {
  const std::vector<std::string> names = {
      "a",        "Z",       "0",   "orders", "my.topic", "your_topic",
      "my-topic", "A.b_C-9", "...", "_", "-", std::string(249, 'x'),
      "a..b"};
  for (const std::string& name : names) {
    EXPECT_OK(admin().CreateTopic(name, 1)) << name;
  }
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_EQ(topics->size(), names.size());
}

TEST_F(AdminTest, IllegalTopicNames) {
  std::vector<std::string> names = {
      "",           ".",           "..",          std::string(250, 'x'),
      "with space", "slash/name",  "back\\slash", "colon:name",
      "star*",      "plus+",       "comma,",      "tab\tname",
      "new\nline",  "caf\xc3\xa9", "quote\"",     "hash#",
      "at@"};
  names.push_back(std::string("nul\0x", 5));
  for (const std::string& name : names) {
    absl::Status s = admin().CreateTopic(name, 1);
    EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidTopic)) << "'" << name << "'";
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  }
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, IsEmpty());
}

TEST_F(AdminTest, ConfigIsStoredAndDescribed) {
  TopicConfig config;
  config.compression_type = "zstd";
  config.message_timestamp_type = "LogAppendTime";
  config.max_message_bytes = 5000;
  config.retention_ms = -1;
  config.retention_bytes = 1 << 30;
  config.cleanup_policy = "compact";
  ASSERT_OK(admin().CreateTopic("t", 2, config));
  auto d = admin().DescribeTopic("t");
  ASSERT_OK(d);
  ExpectSameConfig(d->config, config);
}

TEST_F(AdminTest, ConfigFromProperties) {
  ASSERT_OK(
      admin().CreateTopic("t", 1,
                          Properties{{"compression.type", "gzip"},
                                     {"retention.ms", "60000"},
                                     {"cleanup.policy", "compact,delete"}}));
  auto d = admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->config.compression_type, "gzip");
  EXPECT_EQ(d->config.retention_ms, 60000);
  EXPECT_EQ(d->config.cleanup_policy, "compact,delete");
  // Unset keys keep their defaults.
  EXPECT_EQ(d->config.message_timestamp_type, "CreateTime");
  EXPECT_EQ(d->config.max_message_bytes, 1048588);
  EXPECT_EQ(d->config.retention_bytes, -1);
}

TEST_F(AdminTest, InvalidConfigFromProperties) {
  struct Case {
    Properties props;
    std::string key;
  };
  const std::vector<Case> cases = {
      {{{"no.such.config", "1"}}, "no.such.config"},
      {{{"compression.type", "brotli"}}, "compression.type"},
      {{{"message.timestamp.type", "createtime"}}, "message.timestamp.type"},
      {{{"max.message.bytes", "lots"}}, "max.message.bytes"},
      {{{"max.message.bytes", "-5"}}, "max.message.bytes"},
      {{{"retention.ms", "-2"}}, "retention.ms"},
      {{{"retention.bytes", "1.5"}}, "retention.bytes"},
      {{{"cleanup.policy", "shred"}}, "cleanup.policy"},
  };
  for (const Case& c : cases) {
    absl::Status s = admin().CreateTopic("t", 1, c.props);
    EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidConfig)) << c.key;
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.key));
  }
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, IsEmpty()) << "a topic was created despite a bad config";
}

TEST_F(AdminTest, InvalidConfigStruct) {
  TopicConfig bad_compression;
  bad_compression.compression_type = "brotli";
  EXPECT_THAT(admin().CreateTopic("a", 1, bad_compression),
              StatusIs(ErrorCode::kInvalidConfig));
  TopicConfig bad_type;
  bad_type.message_timestamp_type = "WallClock";
  EXPECT_THAT(admin().CreateTopic("b", 1, bad_type),
              StatusIs(ErrorCode::kInvalidConfig));
  TopicConfig bad_retention;
  bad_retention.retention_ms = -7;
  EXPECT_THAT(admin().CreateTopic("c", 1, bad_retention),
              StatusIs(ErrorCode::kInvalidConfig));
  TopicConfig bad_size;
  bad_size.max_message_bytes = -1;
  EXPECT_THAT(admin().CreateTopic("d", 1, bad_size),
              StatusIs(ErrorCode::kInvalidConfig));
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, IsEmpty());
}

TEST_F(AdminTest, EveryCompressionTypeStoresAndReadsData) {
  for (const char* codec :
       {"producer", "uncompressed", "none", "gzip", "snappy", "lz4", "zstd"}) {
    const std::string topic = absl::StrCat("t-", codec);
    ASSERT_OK(
        admin().CreateTopic(topic, 1, Properties{{"compression.type", codec}}))
        << codec;
    Produce(topic, 0, 20);
    ConsumerOptions co;
    co.auto_offset_reset = OffsetReset::kEarliest;
    auto consumer = engine_->CreateConsumer(co);
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign({TopicPartition(topic, 0)}));
    auto records = (*consumer)->Poll(absl::ZeroDuration());
    ASSERT_OK(records);
    EXPECT_EQ(records->size(), 20u) << codec;
  }
}

TEST_F(AdminTest, DeleteTopic) {
  ASSERT_OK(admin().CreateTopic("a", 1));
  ASSERT_OK(admin().CreateTopic("b", 1));
  ASSERT_OK(admin().DeleteTopic("a"));
  auto topics = admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ElementsAre("b"));
  EXPECT_THAT(admin().DescribeTopic("a"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(AdminTest, DeleteUnknownTopic) {
  // As Kafka's deleteTopics: UnknownTopicOrPartition.
  EXPECT_THAT(admin().DeleteTopic("missing"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  ASSERT_OK(admin().CreateTopic("t", 1));
  ASSERT_OK(admin().DeleteTopic("t"));
  EXPECT_THAT(admin().DeleteTopic("t"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(AdminTest, DeleteThenRecreateGivesEmptyPartitions) {
  ASSERT_OK(admin().CreateTopic("t", 2));
  Produce("t", 0, 10);
  Produce("t", 1, 3);
  ConsumerOptions co;
  co.group_id = "g";
  co.enable_auto_commit = false;
  co.auto_offset_reset = OffsetReset::kEarliest;
  {
    auto consumer = engine_->CreateConsumer(co);
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->CommitSync(
        {{TopicPartition("t", 0), OffsetAndMetadata(7)}}));
  }
  ASSERT_OK(admin().DeleteTopic("t"));
  TopicConfig config;
  config.retention_ms = 1000;
  ASSERT_OK(admin().CreateTopic("t", 3, config));
  auto d = admin().DescribeTopic("t");
  ASSERT_OK(d);
  ASSERT_EQ(d->partitions.size(), 3u);
  for (const PartitionDescription& p : d->partitions) {
    EXPECT_EQ(p.log_start_offset, 0);
    EXPECT_EQ(p.log_end_offset, 0);
  }
  EXPECT_EQ(d->config.retention_ms, 1000);

  auto consumer = engine_->CreateConsumer(co);
  ASSERT_OK(consumer);
  // The old topic's committed offsets went with it.
  auto committed = (*consumer)->Committed({TopicPartition("t", 0)});
  ASSERT_OK(committed);
  EXPECT_THAT(*committed, IsEmpty());
  ASSERT_OK((*consumer)->Assign({TopicPartition("t", 0)}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_THAT(*records, IsEmpty());

  Produce("t", 0, 1);
  records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].offset, 0);
}

TEST_F(AdminTest, TopicsAndConfigsSurviveReopen) {
  TempDir dir;
  EngineOptions eo;
  eo.clock = &clock_;
  TopicConfig config;
  config.compression_type = "lz4";
  config.message_timestamp_type = "LogAppendTime";
  config.max_message_bytes = 4096;
  config.retention_ms = 3600000;
  config.retention_bytes = 123456;
  config.cleanup_policy = "compact,delete";
  {
    auto engine = Engine::Open(eo, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("configured", 4, config));
    ASSERT_OK((*engine)->admin().CreateTopic("plain", 1));
    ASSERT_OK((*engine)->admin().CreateTopic("gone", 2));
    ASSERT_OK((*engine)->admin().DeleteTopic("gone"));
    ASSERT_OK((*engine)->Close());
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  auto topics = (*engine)->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ElementsAre("configured", "plain"));
  auto d = (*engine)->admin().DescribeTopic("configured");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 4u);
  ExpectSameConfig(d->config, config);
  d = (*engine)->admin().DescribeTopic("plain");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 1u);
  ExpectSameConfig(d->config, TopicConfig());
  EXPECT_THAT((*engine)->admin().DescribeTopic("gone"),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(AdminTest, DeleteAndRecreateSurvivesReopen) {
  TempDir dir;
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
    for (int i = 0; i < 5; ++i) {
      ASSERT_OK(
          (*producer)->Send(ProducerRecord("t", std::string("old"))).Get());
    }
    ASSERT_OK((*engine)->admin().DeleteTopic("t"));
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    ASSERT_OK((*producer)->Send(ProducerRecord("t", std::string("new"))).Get());
    ASSERT_OK((*producer)->Close());
    ASSERT_OK((*engine)->Close());
  }
  auto engine = Engine::Open(eo, dir.path());
  ASSERT_OK(engine);
  auto d = (*engine)->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_end_offset, 1);
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = (*engine)->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("t", 0)}));
  auto records = (*consumer)->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].value, Bytes("new"));
}

TEST_F(AdminTest, CallsAfterEngineCloseAreClosed) {
  ASSERT_OK(admin().CreateTopic("t", 1));
  ASSERT_OK(engine_->Close());
  EXPECT_THAT(admin().CreateTopic("u", 1), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(admin().DeleteTopic("t"), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(admin().ListTopics(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(admin().DescribeTopic("t"), StatusIs(ErrorCode::kClosed));
}

}  // namespace
}  // namespace brook
