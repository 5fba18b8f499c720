// Tests of the option structs: defaults (Kafka's Java client unless noted),
// FromProperties for every Kafka property name, unknown keys (ignored and
// listed, or InvalidConfig with UnknownKeys::kReject; always InvalidConfig
// for topics) and InvalidConfig for bad values, with the key named in the
// message. Also the checks the factories apply to hand-filled structs.
// config_keys_test.cc has the warnings and Kafka's keys brook ignores or
// refuses.
#include "brook/options.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/partitioner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Expects `result` to be InvalidConfig naming `key`.
template <typename T>
void ExpectInvalid(const absl::StatusOr<T>& result, const std::string& key,
                   const std::string& context) {
  EXPECT_THAT(result, StatusIs(ErrorCode::kInvalidConfig)) << context;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << context;
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(key))
      << context;
}

// --- EngineOptions ----------------------------------------------------------

TEST(EngineOptionsTest, Defaults) {
  EngineOptions o;
  EXPECT_FALSE(o.in_memory);
  EXPECT_TRUE(o.create_if_missing);
  EXPECT_FALSE(o.auto_create_topics);
  EXPECT_EQ(o.default_partitions, 1);
  EXPECT_EQ(o.clock, nullptr);
  auto parsed = EngineOptions::FromProperties({});
  ASSERT_OK(parsed);
  EXPECT_FALSE(parsed->in_memory);
  EXPECT_TRUE(parsed->create_if_missing);
  EXPECT_FALSE(parsed->auto_create_topics);
  EXPECT_EQ(parsed->default_partitions, 1);
  EXPECT_EQ(parsed->clock, nullptr);
}

TEST(EngineOptionsTest, EveryKey) {
  auto o = EngineOptions::FromProperties(
      {{"auto.create.topics.enable", "true"}, {"num.partitions", "12"}});
  ASSERT_OK(o);
  EXPECT_TRUE(o->auto_create_topics);
  EXPECT_EQ(o->default_partitions, 12);
  o = EngineOptions::FromProperties({{"auto.create.topics.enable", "false"}});
  ASSERT_OK(o);
  EXPECT_FALSE(o->auto_create_topics);
}

TEST(EngineOptionsTest, BadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"auto.create.topics.enable", "yes"},
      {"auto.create.topics.enable", ""},
      {"num.partitions", "0"},
      {"num.partitions", "-3"},
      {"num.partitions", "many"},
      {"num.partitions", "2.5"},
      {"num.partitions", "99999999999"},
  };
  for (const auto& [key, value] : bad) {
    ExpectInvalid(EngineOptions::FromProperties({{key, value}}), key,
                  absl::StrCat(key, "=", value));
  }
}

TEST(EngineOptionsTest, UnknownKey) {
  // Ignored and listed, as Kafka; refused in strict mode. Producer and
  // consumer keys are not engine keys.
  std::vector<std::string> unused;
  ASSERT_OK(EngineOptions::FromProperties(
      {{"log.dirs", "/tmp"}, {"linger.ms", "5"}}, UnknownKeys::kWarn,
      &unused));
  EXPECT_THAT(unused, ElementsAre("linger.ms", "log.dirs"));
  ExpectInvalid(EngineOptions::FromProperties({{"log.dirs", "/tmp"}},
                                              UnknownKeys::kReject),
                "log.dirs", "unknown key");
  ExpectInvalid(EngineOptions::FromProperties({{"linger.ms", "5"}},
                                              UnknownKeys::kReject),
                "linger.ms", "producer key");
}

// --- TopicConfig ------------------------------------------------------------

void ExpectDefaultTopicConfig(const TopicConfig& c) {
  EXPECT_EQ(c.compression_type, "producer");
  EXPECT_EQ(c.message_timestamp_type, "CreateTime");
  EXPECT_EQ(c.max_message_bytes, 1048588);
  EXPECT_EQ(c.retention_ms, 604800000);
  EXPECT_EQ(c.retention_bytes, -1);
  EXPECT_EQ(c.cleanup_policy, "delete");
}

TEST(TopicConfigTest, Defaults) {
  ExpectDefaultTopicConfig(TopicConfig());
  auto parsed = TopicConfig::FromProperties({});
  ASSERT_OK(parsed);
  ExpectDefaultTopicConfig(*parsed);
}

TEST(TopicConfigTest, EveryKey) {
  auto c =
      TopicConfig::FromProperties({{"compression.type", "snappy"},
                                   {"message.timestamp.type", "LogAppendTime"},
                                   {"max.message.bytes", "2048"},
                                   {"retention.ms", "-1"},
                                   {"retention.bytes", "1099511627776"},
                                   {"cleanup.policy", "compact"}});
  ASSERT_OK(c);
  EXPECT_EQ(c->compression_type, "snappy");
  EXPECT_EQ(c->message_timestamp_type, "LogAppendTime");
  EXPECT_EQ(c->max_message_bytes, 2048);
  EXPECT_EQ(c->retention_ms, -1);
  EXPECT_EQ(c->retention_bytes, int64_t{1} << 40);
  EXPECT_EQ(c->cleanup_policy, "compact");
}

TEST(TopicConfigTest, EveryAllowedEnumValue) {
  for (const char* v :
       {"producer", "uncompressed", "none", "gzip", "snappy", "lz4", "zstd"}) {
    auto c = TopicConfig::FromProperties({{"compression.type", v}});
    ASSERT_OK(c) << v;
    EXPECT_EQ(c->compression_type, v);
  }
  for (const char* v : {"CreateTime", "LogAppendTime"}) {
    auto c = TopicConfig::FromProperties({{"message.timestamp.type", v}});
    ASSERT_OK(c) << v;
    EXPECT_EQ(c->message_timestamp_type, v);
  }
  for (const char* v : {"delete", "compact", "compact,delete"}) {
    auto c = TopicConfig::FromProperties({{"cleanup.policy", v}});
    ASSERT_OK(c) << v;
    EXPECT_EQ(c->cleanup_policy, v);
  }
}

TEST(TopicConfigTest, ToPropertiesRoundTrips) {
  TopicConfig c;
  c.compression_type = "zstd";
  c.message_timestamp_type = "LogAppendTime";
  c.max_message_bytes = 777;
  c.retention_ms = 42;
  c.retention_bytes = 4242;
  c.cleanup_policy = "compact,delete";
  Properties props = c.ToProperties();
  EXPECT_EQ(props.at("compression.type"), "zstd");
  EXPECT_EQ(props.at("message.timestamp.type"), "LogAppendTime");
  EXPECT_EQ(props.at("max.message.bytes"), "777");
  EXPECT_EQ(props.at("retention.ms"), "42");
  EXPECT_EQ(props.at("retention.bytes"), "4242");
  EXPECT_EQ(props.at("cleanup.policy"), "compact,delete");
  auto back = TopicConfig::FromProperties(props);
  ASSERT_OK(back);
  EXPECT_EQ(back->compression_type, c.compression_type);
  EXPECT_EQ(back->message_timestamp_type, c.message_timestamp_type);
  EXPECT_EQ(back->max_message_bytes, c.max_message_bytes);
  EXPECT_EQ(back->retention_ms, c.retention_ms);
  EXPECT_EQ(back->retention_bytes, c.retention_bytes);
  EXPECT_EQ(back->cleanup_policy, c.cleanup_policy);
}

TEST(TopicConfigTest, BadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"compression.type", "brotli"},
      {"compression.type", "GZIP"},
      {"message.timestamp.type", "AppendTime"},
      {"max.message.bytes", "-1"},
      {"max.message.bytes", "1MB"},
      {"max.message.bytes", "4294967296"},
      {"retention.ms", "-2"},
      {"retention.ms", "week"},
      {"retention.bytes", "-9"},
      {"cleanup.policy", "archive"},
      {"cleanup.policy", ""},
  };
  for (const auto& [key, value] : bad) {
    ExpectInvalid(TopicConfig::FromProperties({{key, value}}), key,
                  absl::StrCat(key, "=", value));
  }
}

TEST(TopicConfigTest, UnknownKey) {
  // Always refused, as Kafka's broker refuses an unknown topic config.
  ExpectInvalid(TopicConfig::FromProperties({{"segment.bytes.typo", "1"}}),
                "segment.bytes.typo", "unknown key");
  ExpectInvalid(TopicConfig::FromProperties({{"linger.ms", "5"}}),
                "linger.ms", "producer key");
}

// --- ProducerOptions --------------------------------------------------------

void ExpectDefaultProducerOptions(const ProducerOptions& o) {
  EXPECT_EQ(o.client_id, "");
  EXPECT_EQ(o.acks, Acks::kAll);
  EXPECT_EQ(o.delivery_timeout, absl::Seconds(120));
  EXPECT_EQ(o.partitioner, nullptr);
  EXPECT_FALSE(o.partitioner_ignore_keys);
  EXPECT_TRUE(o.enable_idempotence);
  EXPECT_EQ(o.compression_type, "none");
  EXPECT_EQ(o.linger, absl::Milliseconds(5));
  EXPECT_EQ(o.batch_size, 16384);
  EXPECT_EQ(o.buffer_memory, 33554432);
  EXPECT_EQ(o.max_block, absl::Seconds(60));
  EXPECT_EQ(o.max_request_size, 1048576);
}

TEST(ProducerOptionsTest, Defaults) {
  ExpectDefaultProducerOptions(ProducerOptions());
  auto parsed = ProducerOptions::FromProperties({});
  ASSERT_OK(parsed);
  ExpectDefaultProducerOptions(*parsed);
}

TEST(ProducerOptionsTest, EveryKey) {
  auto o =
      ProducerOptions::FromProperties({{"client.id", "billing"},
                                       {"acks", "1"},
                                       {"delivery.timeout.ms", "30000"},
                                       {"partitioner.class", "round_robin"},
                                       {"partitioner.ignore.keys", "true"},
                                       {"enable.idempotence", "false"},
                                       {"compression.type", "lz4"},
                                       {"linger.ms", "25"},
                                       {"batch.size", "65536"},
                                       {"buffer.memory", "1048576"},
                                       {"max.block.ms", "1500"},
                                       {"max.request.size", "2097152"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->client_id, "billing");
  EXPECT_EQ(o->acks, Acks::kLeader);
  EXPECT_EQ(o->delivery_timeout, absl::Seconds(30));
  ASSERT_NE(o->partitioner, nullptr);
  EXPECT_TRUE(o->partitioner_ignore_keys);
  EXPECT_FALSE(o->enable_idempotence);
  EXPECT_EQ(o->compression_type, "lz4");
  EXPECT_EQ(o->linger, absl::Milliseconds(25));
  EXPECT_EQ(o->batch_size, 65536);
  EXPECT_EQ(o->buffer_memory, 1048576);
  EXPECT_EQ(o->max_block, absl::Milliseconds(1500));
  EXPECT_EQ(o->max_request_size, 2097152);
}

TEST(ProducerOptionsTest, Acks) {
  const std::vector<std::pair<std::string, Acks>> cases = {{"0", Acks::kNone},
                                                           {"1", Acks::kLeader},
                                                           {"all", Acks::kAll},
                                                           {"-1", Acks::kAll}};
  for (const auto& [text, acks] : cases) {
    auto o = ProducerOptions::FromProperties({{"acks", text}});
    ASSERT_OK(o) << text;
    EXPECT_EQ(o->acks, acks) << text;
  }
  for (const char* bad : {"2", "none", "ALL?", ""}) {
    ExpectInvalid(ProducerOptions::FromProperties({{"acks", bad}}), "acks",
                  bad);
  }
}

TEST(ProducerOptionsTest, PartitionerClass) {
  auto o = ProducerOptions::FromProperties({{"partitioner.class", "default"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->partitioner, nullptr);
  for (const char* name :
       {"round_robin",
        "org.apache.kafka.clients.producer.RoundRobinPartitioner"}) {
    o = ProducerOptions::FromProperties({{"partitioner.class", name}});
    ASSERT_OK(o) << name;
    ASSERT_NE(o->partitioner, nullptr) << name;
    // It is a round robin partitioner: keys ignored, partitions in turn.
    std::vector<int32_t> chosen;
    for (int i = 0; i < 6; ++i) {
      chosen.push_back(o->partitioner->Partition("t", std::string("same-key"),
                                                 std::nullopt, 3));
    }
    for (size_t i = 1; i < chosen.size(); ++i) {
      EXPECT_EQ(chosen[i], (chosen[i - 1] + 1) % 3) << name;
    }
  }
  ExpectInvalid(ProducerOptions::FromProperties(
                    {{"partitioner.class", "com.example.MyPartitioner"}}),
                "partitioner.class", "custom class");
}

TEST(ProducerOptionsTest, AcceptedAndIgnoredKeys) {
  auto o = ProducerOptions::FromProperties(
      {{"key.serializer",
        "org.apache.kafka.common.serialization.StringSerializer"},
       {"value.serializer",
        "org.apache.kafka.common.serialization.ByteArraySerializer"},
       {"retries", "2147483647"},
       {"request.timeout.ms", "30000"},
       {"max.in.flight.requests.per.connection", "5"},
       {"bootstrap.servers", "localhost:9092"}});
  ASSERT_OK(o);
  ExpectDefaultProducerOptions(*o);
}

TEST(ProducerOptionsTest, BadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"delivery.timeout.ms", "-1"},
      {"delivery.timeout.ms", "2m"},
      {"partitioner.ignore.keys", "maybe"},
      {"enable.idempotence", "1"},
      {"compression.type", "producer"},  // A topic-level value only.
      {"compression.type", "brotli"},
      {"linger.ms", "-5"},
      {"linger.ms", "five"},
      {"batch.size", "-1"},
      {"batch.size", "16KB"},
      {"batch.size", "3000000000"},
      {"buffer.memory", "-1"},
      {"max.block.ms", "-1"},
      {"max.request.size", "-1"},
      {"max.request.size", "1e6"},
  };
  for (const auto& [key, value] : bad) {
    ExpectInvalid(ProducerOptions::FromProperties({{key, value}}), key,
                  absl::StrCat(key, "=", value));
  }
}

TEST(ProducerOptionsTest, UnknownKey) {
  // Ignored and listed, as Kafka; refused in strict mode. A consumer key is
  // not a producer key.
  std::vector<std::string> unused;
  auto o = ProducerOptions::FromProperties(
      {{"linger.mss", "5"}, {"group.id", "g"}}, UnknownKeys::kWarn, &unused);
  ASSERT_OK(o);
  ExpectDefaultProducerOptions(*o);
  EXPECT_THAT(unused, ElementsAre("group.id", "linger.mss"));
  ExpectInvalid(ProducerOptions::FromProperties({{"linger.mss", "5"}},
                                                UnknownKeys::kReject),
                "linger.mss", "typo");
  ExpectInvalid(ProducerOptions::FromProperties({{"group.id", "g"}},
                                                UnknownKeys::kReject),
                "group.id", "consumer key");
}

TEST(ProducerOptionsTest, ValuesAreTrimmedAndBooleansCaseInsensitive) {
  // As Kafka's ConfigDef: surrounding whitespace is ignored, booleans ignore
  // case.
  auto o = ProducerOptions::FromProperties({{"linger.ms", " 7 "},
                                            {"enable.idempotence", "FALSE"},
                                            {"acks", " all"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->linger, absl::Milliseconds(7));
  EXPECT_FALSE(o->enable_idempotence);
  EXPECT_EQ(o->acks, Acks::kAll);
}

// --- ConsumerOptions --------------------------------------------------------

void ExpectDefaultConsumerOptions(const ConsumerOptions& o) {
  EXPECT_EQ(o.group_id, "");
  EXPECT_EQ(o.client_id, "");
  EXPECT_EQ(o.group_instance_id, "");
  EXPECT_EQ(o.auto_offset_reset, OffsetReset::kLatest);
  EXPECT_TRUE(o.enable_auto_commit);
  EXPECT_EQ(o.auto_commit_interval, absl::Seconds(5));
  EXPECT_EQ(o.session_timeout, absl::Seconds(45));
  EXPECT_EQ(o.max_poll_interval, absl::Seconds(300));
  EXPECT_EQ(o.heartbeat_interval, absl::Seconds(3));
  EXPECT_EQ(o.max_poll_records, 500);
  EXPECT_EQ(o.assignment_strategies,
            (std::vector<std::string>{"range", "cooperative-sticky"}));
}

TEST(ConsumerOptionsTest, Defaults) {
  ExpectDefaultConsumerOptions(ConsumerOptions());
  auto parsed = ConsumerOptions::FromProperties({});
  ASSERT_OK(parsed);
  ExpectDefaultConsumerOptions(*parsed);
}

TEST(ConsumerOptionsTest, EveryKey) {
  auto o = ConsumerOptions::FromProperties({{"group.id", "billing"},
                                            {"client.id", "c-1"},
                                            {"group.instance.id", "host-7"},
                                            {"auto.offset.reset", "earliest"},
                                            {"enable.auto.commit", "false"},
                                            {"auto.commit.interval.ms", "1000"},
                                            {"session.timeout.ms", "10000"},
                                            {"max.poll.interval.ms", "60000"},
                                            {"heartbeat.interval.ms", "500"},
                                            {"max.poll.records", "42"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->group_id, "billing");
  EXPECT_EQ(o->client_id, "c-1");
  EXPECT_EQ(o->group_instance_id, "host-7");
  EXPECT_EQ(o->auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_FALSE(o->enable_auto_commit);
  EXPECT_EQ(o->auto_commit_interval, absl::Seconds(1));
  EXPECT_EQ(o->session_timeout, absl::Seconds(10));
  EXPECT_EQ(o->max_poll_interval, absl::Minutes(1));
  EXPECT_EQ(o->heartbeat_interval, absl::Milliseconds(500));
  EXPECT_EQ(o->max_poll_records, 42);
}

TEST(ConsumerOptionsTest, PartitionAssignmentStrategy) {
  auto o = ConsumerOptions::FromProperties(
      {{"partition.assignment.strategy",
        " roundrobin, org.apache.kafka.clients.consumer."
        "CooperativeStickyAssignor,sticky,range,roundrobin"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->assignment_strategies,
            (std::vector<std::string>{"roundrobin", "cooperative-sticky",
                                      "sticky", "range"}));
  EXPECT_THAT(ConsumerOptions::FromProperties(
                  {{"partition.assignment.strategy", "fastest"}})
                  .status(),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(
      ConsumerOptions::FromProperties({{"partition.assignment.strategy", ""}})
          .status(),
      StatusIs(ErrorCode::kInvalidConfig));
}

TEST(ConsumerOptionsTest, AutoOffsetReset) {
  const std::vector<std::pair<std::string, OffsetReset>> cases = {
      {"earliest", OffsetReset::kEarliest},
      {"latest", OffsetReset::kLatest},
      {"none", OffsetReset::kNone}};
  for (const auto& [text, reset] : cases) {
    auto o = ConsumerOptions::FromProperties({{"auto.offset.reset", text}});
    ASSERT_OK(o) << text;
    EXPECT_EQ(o->auto_offset_reset, reset) << text;
  }
  // Kafka's pre-0.9 names are not accepted.
  for (const char* bad : {"smallest", "largest", "Earliest"}) {
    ExpectInvalid(ConsumerOptions::FromProperties({{"auto.offset.reset", bad}}),
                  "auto.offset.reset", bad);
  }
}

TEST(ConsumerOptionsTest, AcceptedAndIgnoredKeys) {
  auto o = ConsumerOptions::FromProperties(
      {{"isolation.level", "read_committed"},
       {"fetch.min.bytes", "1"},
       {"fetch.max.bytes", "52428800"},
       {"max.partition.fetch.bytes", "1048576"},
       {"fetch.max.wait.ms", "500"},
       {"key.deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer"},
       {"value.deserializer",
        "org.apache.kafka.common.serialization.StringDeserializer"},
       {"bootstrap.servers", "localhost:9092"}});
  ASSERT_OK(o);
  ExpectDefaultConsumerOptions(*o);
  ASSERT_OK(ConsumerOptions::FromProperties(
      {{"isolation.level", "read_uncommitted"}}));
}

TEST(ConsumerOptionsTest, BadValues) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"enable.auto.commit", "on"},        {"auto.commit.interval.ms", "-1"},
      {"auto.commit.interval.ms", "soon"}, {"session.timeout.ms", "0"},
      {"session.timeout.ms", "-100"},      {"max.poll.interval.ms", "0"},
      {"heartbeat.interval.ms", "0"},      {"max.poll.records", "0"},
      {"max.poll.records", "-1"},          {"max.poll.records", "ten"},
      {"isolation.level", "serializable"},
  };
  for (const auto& [key, value] : bad) {
    ExpectInvalid(ConsumerOptions::FromProperties({{key, value}}), key,
                  absl::StrCat(key, "=", value));
  }
}

TEST(ConsumerOptionsTest, UnknownKey) {
  // Ignored and listed, as Kafka; refused in strict mode. A producer key is
  // not a consumer key.
  std::vector<std::string> unused;
  auto o = ConsumerOptions::FromProperties(
      {{"group.idd", "g"}, {"acks", "all"}}, UnknownKeys::kWarn, &unused);
  ASSERT_OK(o);
  EXPECT_EQ(o->group_id, "");
  EXPECT_THAT(unused, ElementsAre("acks", "group.idd"));
  ExpectInvalid(ConsumerOptions::FromProperties({{"group.idd", "g"}},
                                                UnknownKeys::kReject),
                "group.idd", "typo");
  ExpectInvalid(
      ConsumerOptions::FromProperties({{"acks", "all"}}, UnknownKeys::kReject),
      "acks", "producer key");
}

TEST(ConsumerOptionsTest, FirstBadKeyFailsTheWholeSet) {
  auto o = ConsumerOptions::FromProperties(
      {{"group.id", "g"}, {"max.poll.records", "0"}, {"client.id", "c"}});
  ExpectInvalid(o, "max.poll.records", "mixed");
}

// --- Checks on hand-filled structs, at the factories ------------------------

class OptionsValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.in_memory = true;
    auto engine = Engine::Open(o, "/mem/options-validation");
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }
  std::unique_ptr<Engine> engine_;
};

TEST_F(OptionsValidationTest, EngineRejectsNonPositiveDefaultPartitions) {
  EngineOptions o;
  o.in_memory = true;
  o.default_partitions = 0;
  EXPECT_THAT(Engine::Open(o, "/mem/bad-partitions"),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(OptionsValidationTest, ProducerRejectsNegativeSizesAndTimes) {
  {
    ProducerOptions o;
    o.batch_size = -1;
    EXPECT_THAT(engine_->CreateProducer(o),
                StatusIs(ErrorCode::kInvalidConfig));
  }
  {
    ProducerOptions o;
    o.buffer_memory = -1;
    EXPECT_THAT(engine_->CreateProducer(o),
                StatusIs(ErrorCode::kInvalidConfig));
  }
  {
    ProducerOptions o;
    o.linger = absl::Milliseconds(-1);
    EXPECT_THAT(engine_->CreateProducer(o),
                StatusIs(ErrorCode::kInvalidConfig));
  }
  {
    ProducerOptions o;
    o.max_block = absl::Milliseconds(-1);
    EXPECT_THAT(engine_->CreateProducer(o),
                StatusIs(ErrorCode::kInvalidConfig));
  }
}

TEST_F(OptionsValidationTest, ProducerRejectsDeliveryTimeoutBelowLinger) {
  // Kafka: delivery.timeout.ms should be at least linger.ms (+ request time).
  ProducerOptions o;
  o.linger = absl::Seconds(10);
  o.delivery_timeout = absl::Seconds(5);
  auto p = engine_->CreateProducer(o);
  EXPECT_THAT(p, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("delivery.timeout.ms"));
}

TEST_F(OptionsValidationTest, ConsumerRejectsNonPositiveMaxPollRecords) {
  ConsumerOptions o;
  o.max_poll_records = 0;
  auto c = engine_->CreateConsumer(o);
  EXPECT_THAT(c, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("max.poll.records"));
}

// A hand-filled struct gets exactly the error its property would: the same
// code and message as FromProperties for `key` = `value`.
template <typename Options, typename Result>
void ExpectSameErrorAsProperty(const Result& result, const std::string& key,
                               const std::string& value) {
  absl::StatusOr<Options> parsed = Options::FromProperties({{key, value}});
  ASSERT_THAT(parsed, StatusIs(ErrorCode::kInvalidConfig)) << key;
  EXPECT_THAT(result, StatusIs(ErrorCode::kInvalidConfig)) << key;
  EXPECT_EQ(result.status().message(), parsed.status().message());
}

TEST_F(OptionsValidationTest, ProducerRejectsAnAcksValueOutsideTheEnum) {
  ProducerOptions o;
  o.acks = static_cast<Acks>(7);
  ExpectSameErrorAsProperty<ProducerOptions>(engine_->CreateProducer(o),
                                             "acks", "7");
}

TEST_F(OptionsValidationTest, ProducerRejectsAnUnknownCompressionType) {
  ProducerOptions o;
  o.compression_type = "brotli";
  ExpectSameErrorAsProperty<ProducerOptions>(engine_->CreateProducer(o),
                                             "compression.type", "brotli");
}

TEST_F(OptionsValidationTest, ProducerRejectsANegativeFractionOfAMillisecond) {
  ProducerOptions o;
  o.linger = absl::Microseconds(-1);
  ExpectSameErrorAsProperty<ProducerOptions>(engine_->CreateProducer(o),
                                             "linger.ms", "-1");
}

TEST_F(OptionsValidationTest, ConsumerRejectsAZeroSessionTimeout) {
  ConsumerOptions o;
  o.group_id = "g";
  o.session_timeout = absl::ZeroDuration();
  ExpectSameErrorAsProperty<ConsumerOptions>(engine_->CreateConsumer(o),
                                             "session.timeout.ms", "0");
}

TEST_F(OptionsValidationTest, ConsumerRejectsANegativeAutoCommitInterval) {
  ConsumerOptions o;
  o.group_id = "g";
  o.auto_commit_interval = absl::Milliseconds(-5);
  ExpectSameErrorAsProperty<ConsumerOptions>(
      engine_->CreateConsumer(o), "auto.commit.interval.ms", "-5");
}

TEST_F(OptionsValidationTest, ConsumerRejectsAnOffsetResetOutsideTheEnum) {
  ConsumerOptions o;
  o.auto_offset_reset = static_cast<OffsetReset>(9);
  ExpectSameErrorAsProperty<ConsumerOptions>(engine_->CreateConsumer(o),
                                             "auto.offset.reset", "9");
}

TEST_F(OptionsValidationTest, ConsumerRejectsAnUnknownAssignor) {
  ConsumerOptions o;
  o.assignment_strategies = {"range", "fastest"};
  ExpectSameErrorAsProperty<ConsumerOptions>(engine_->CreateConsumer(o),
                                             "partition.assignment.strategy",
                                             "range,fastest");
}

TEST_F(OptionsValidationTest, ConsumerAcceptsKafkaAssignorClassNames) {
  ConsumerOptions o;
  o.group_id = "g";
  o.assignment_strategies = {
      "org.apache.kafka.clients.consumer.RoundRobinAssignor"};
  EXPECT_OK(engine_->CreateConsumer(o));
}

TEST_F(OptionsValidationTest, EngineRejectsNegativeDefaultPartitionsAsProperty) {
  EngineOptions o;
  o.in_memory = true;
  o.default_partitions = -3;
  ExpectSameErrorAsProperty<EngineOptions>(Engine::Open(o, "/mem/negative"),
                                           "num.partitions", "-3");
}

TEST(OptionsToPropertiesTest, DefaultsRoundTrip) {
  auto p = ProducerOptions::FromProperties(ProducerOptions().ToProperties());
  ASSERT_OK(p);
  EXPECT_EQ(p->ToProperties(), ProducerOptions().ToProperties());
  auto c = ConsumerOptions::FromProperties(ConsumerOptions().ToProperties());
  ASSERT_OK(c);
  EXPECT_EQ(c->ToProperties(), ConsumerOptions().ToProperties());
  auto e = EngineOptions::FromProperties(EngineOptions().ToProperties());
  ASSERT_OK(e);
  EXPECT_EQ(e->ToProperties(), EngineOptions().ToProperties());
}

TEST_F(OptionsValidationTest, ParsedDefaultsCreateWorkingClients) {
  auto po = ProducerOptions::FromProperties({});
  ASSERT_OK(po);
  EXPECT_OK(engine_->CreateProducer(*po));
  auto co = ConsumerOptions::FromProperties({});
  ASSERT_OK(co);
  EXPECT_OK(engine_->CreateConsumer(*co));
}

}  // namespace
}  // namespace brook
