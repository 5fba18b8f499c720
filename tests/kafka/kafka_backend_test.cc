// The Kafka backend's client, producer and Admin against a real Kafka
// broker. BROOK_KAFKA_BOOTSTRAP names it (the broker fixture sets it);
// without it the tests that need a broker skip. Records are read back with
// librdkafka's own consumer, so what the producer wrote is checked as the
// cluster stores it, not as brook reports it.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/client.h"
#include "brook/error.h"
#include "brook/partitioner.h"
#include "brook/producer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kafka/broker_env.h"
#include "kafka/kafka_config.h"
#include "testing/status_matchers.h"
#include "util/record_size.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The test broker (tests/kafka/broker_env.h); empty without one.
std::string Bootstrap() {
  absl::StatusOr<std::string> b = KafkaBrokerBootstrap();
  return b.ok() ? *b : "";
}

#define REQUIRE_BROKER()                                                 \
  do {                                                                   \
    if (Bootstrap().empty()) {                                           \
      GTEST_SKIP() << KafkaBrokerBootstrap().status().message();        \
    }                                                                    \
  } while (0)

// A topic name no other test (or earlier run against the same broker) uses.
std::string UniqueTopic(absl::string_view what) {
  static std::atomic<int> counter{0};
  return absl::StrCat("brook-", what, "-", absl::ToUnixMicros(absl::Now()),
                      "-", counter.fetch_add(1));
}

struct ReadRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  Bytes key;
  Bytes value;
  std::vector<Header> headers;
};

// Reads `count` records of `topic`-`partition` from offset 0 with
// librdkafka's consumer (no group).
std::vector<ReadRecord> ReadBack(const std::string& topic, int32_t partition,
                                 int count) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", Bootstrap().c_str(), errstr,
                    sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", "brook-test-reader", errstr,
                    sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr,
                    sizeof errstr);
  rd_kafka_t* rk =
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  EXPECT_NE(rk, nullptr) << errstr;
  if (rk == nullptr) return {};
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset =
      0;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<ReadRecord> out;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (static_cast<int>(out.size()) < count && absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ReadRecord r;
      r.partition = m->partition;
      r.offset = m->offset;
      r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
      if (m->key != nullptr) {
        r.key = std::string(static_cast<const char*>(m->key), m->key_len);
      }
      if (m->payload != nullptr) {
        r.value = std::string(static_cast<const char*>(m->payload), m->len);
      }
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* val;
        size_t size;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
             RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          Header h;
          h.key = name;
          if (val != nullptr) {
            h.value = std::string(static_cast<const char*>(val), size);
          }
          r.headers.push_back(std::move(h));
        }
      }
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// Options for fast tests: no linger.
ProducerOptions FastProducer() {
  ProducerOptions o;
  o.linger = absl::ZeroDuration();
  return o;
}

class KafkaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_BROKER();
    absl::StatusOr<std::unique_ptr<Client>> client =
        Client::Open({{"bootstrap.servers", Bootstrap()}});
    ASSERT_THAT(client, IsOk());
    client_ = *std::move(client);
  }

  // Creates a topic with `partitions` partitions and returns its name.
  std::string NewTopic(absl::string_view what, int32_t partitions) {
    std::string name = UniqueTopic(what);
    EXPECT_THAT(client_->admin().CreateTopic(name, partitions, TopicConfig{}),
                IsOk());
    return name;
  }

  std::unique_ptr<Producer> NewProducer(
      const ProducerOptions& o = FastProducer()) {
    absl::StatusOr<std::unique_ptr<Producer>> p = client_->CreateProducer(o);
    EXPECT_THAT(p, IsOk());
    return p.ok() ? *std::move(p) : nullptr;
  }

  std::unique_ptr<Client> client_;
};

// --- Without a broker: opening and configuration. ---

TEST(KafkaClientTest, BootstrapServersOpensTheKafkaBackend) {
  // Opening contacts nothing, so no broker is needed.
  absl::StatusOr<std::unique_ptr<Client>> client =
      Client::Open({{"bootstrap.servers", "127.0.0.1:1"}});
  ASSERT_THAT(client, IsOk());
  EXPECT_EQ((*client)->backend(), Backend::kKafka);
  EXPECT_EQ(BackendName((*client)->backend()), "kafka");
  // A consumer is created without contacting the cluster too.
  EXPECT_THAT((*client)->CreateConsumer(ConsumerOptions{}).status(), IsOk());
  EXPECT_THAT((*client)->admin().CleanTopics({}),
              StatusIs(ErrorCode::kUnsupported));
  EXPECT_THAT((*client)->Close(), IsOk());
  EXPECT_THAT((*client)->admin().ListTopics(), StatusIs(ErrorCode::kClosed));
}

TEST(KafkaClientTest, InvalidClientPropertyNamesTheKey) {
  absl::StatusOr<std::unique_ptr<Client>> client =
      Client::Open({{"bootstrap.servers", "127.0.0.1:1"},
                    {"socket.timeout.ms", "soon"}});
  EXPECT_THAT(client, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(client.status().message()),
              HasSubstr("socket.timeout.ms"));
}

TEST(KafkaClientTest, InvalidProducerPropertyNamesTheKey) {
  absl::StatusOr<std::unique_ptr<Client>> client =
      Client::Open({{"bootstrap.servers", "127.0.0.1:1"}});
  ASSERT_THAT(client, IsOk());
  ProducerOptions o;
  o.cluster["ssl.truststore.location"] = "/etc/truststore.jks";
  absl::StatusOr<std::unique_ptr<Producer>> p = (*client)->CreateProducer(o);
  EXPECT_THAT(p, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(p.status().message()),
              HasSubstr("ssl.truststore.location"));
  // Java-only keys are dropped, Java spellings translated.
  ProducerOptions java;
  java.cluster = {{"key.serializer", "org.apache.kafka.StringSerializer"},
                  {"send.buffer.bytes", "-1"},
                  {"metadata.max.age.ms", "1000"}};
  EXPECT_THAT((*client)->CreateProducer(java), IsOk());
  // brook's own checks come first.
  ProducerOptions bad;
  bad.linger = absl::Seconds(10);
  bad.delivery_timeout = absl::Seconds(5);
  EXPECT_THAT((*client)->CreateProducer(bad),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST(KafkaConfigTest, AssignmentStrategiesMapOntoLibrdkafka) {
  EXPECT_THAT(KafkaAssignmentStrategy({"range", "cooperative-sticky"}),
              IsOkAndHolds(std::string("range")));
  EXPECT_THAT(KafkaAssignmentStrategy({"roundrobin", "range"}),
              IsOkAndHolds(std::string("roundrobin,range")));
  EXPECT_THAT(KafkaAssignmentStrategy(
                  {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor"}),
              IsOkAndHolds(std::string("cooperative-sticky")));
  EXPECT_THAT(KafkaAssignmentStrategy({"sticky"}),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(KafkaAssignmentStrategy({"roundrobin", "cooperative-sticky"}),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(KafkaAssignmentStrategy({"my-assignor"}),
              StatusIs(ErrorCode::kInvalidConfig));
}

// --- Producer. ---

TEST_F(KafkaBackendTest, KeyedRecordsLandWhereMurmur2PutsThem) {
  const std::string topic = NewTopic("murmur2", 6);
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  std::vector<SendFuture> futures;
  std::vector<std::string> keys;
  for (int i = 0; i < 60; ++i) {
    keys.push_back(absl::StrCat("key-", i * 7919));
    futures.push_back(producer->Send({topic, keys.back(), "v"}));
  }
  for (size_t i = 0; i < futures.size(); ++i) {
    absl::StatusOr<RecordMetadata> md = futures[i].Get();
    ASSERT_THAT(md, IsOk());
    // The embedded engine's placement (lib/util/partitioner.cc), which is
    // Kafka's Java client's.
    EXPECT_EQ(md->partition, PartitionForKey(keys[i], 6)) << keys[i];
  }
}

TEST_F(KafkaBackendTest, NullAndEmptyKeysValuesHeadersAndTimestampsKept) {
  const std::string topic = NewTopic("fields", 1);
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  ProducerRecord nulls(topic, std::nullopt, std::nullopt);
  ProducerRecord empties(topic, std::string(), std::string());
  ProducerRecord full(topic, std::string("k"), std::string("value"));
  full.headers = {{"h1", std::string("a")}, {"null", std::nullopt},
                  {"h1", std::string()}};
  full.timestamp = absl::FromUnixMillis(1700000000123);
  absl::StatusOr<RecordMetadata> m0 = producer->Send(nulls).Get();
  absl::StatusOr<RecordMetadata> m1 = producer->Send(empties).Get();
  absl::StatusOr<RecordMetadata> m2 = producer->Send(full).Get();
  ASSERT_THAT(m0, IsOk());
  ASSERT_THAT(m1, IsOk());
  ASSERT_THAT(m2, IsOk());
  EXPECT_EQ(m0->topic, topic);
  EXPECT_EQ(m0->serialized_key_size, -1);
  EXPECT_EQ(m0->serialized_value_size, -1);
  EXPECT_EQ(m1->serialized_key_size, 0);
  EXPECT_EQ(m1->serialized_value_size, 0);
  EXPECT_EQ(m2->serialized_key_size, 1);
  EXPECT_EQ(m2->serialized_value_size, 5);
  EXPECT_EQ(m0->offset, 0);
  EXPECT_EQ(m1->offset, 1);
  EXPECT_EQ(m2->offset, 2);
  EXPECT_EQ(m2->timestamp, absl::FromUnixMillis(1700000000123));
  // Without a timestamp: the send time.
  EXPECT_LT(absl::AbsDuration(m0->timestamp - absl::Now()), absl::Minutes(1));

  std::vector<ReadRecord> read = ReadBack(topic, 0, 3);
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].key, std::nullopt);
  EXPECT_EQ(read[0].value, std::nullopt);
  EXPECT_EQ(read[1].key, std::string());
  EXPECT_EQ(read[1].value, std::string());
  EXPECT_EQ(read[2].key, std::string("k"));
  EXPECT_EQ(read[2].value, std::string("value"));
  EXPECT_EQ(read[2].timestamp_ms, 1700000000123);
  EXPECT_EQ(read[0].timestamp_ms, absl::ToUnixMillis(m0->timestamp));
  EXPECT_THAT(read[2].headers,
              ElementsAre(Header{"h1", std::string("a")},
                          Header{"null", std::nullopt},
                          Header{"h1", std::string()}));
}

TEST_F(KafkaBackendTest, AcksZeroReportsNoOffset) {
  const std::string topic = NewTopic("acks0", 1);
  ProducerOptions o = FastProducer();
  o.acks = Acks::kNone;
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  absl::StatusOr<RecordMetadata> md = producer->Send({topic, "v"}).Get();
  ASSERT_THAT(md, IsOk());
  EXPECT_EQ(md->offset, -1);
  EXPECT_EQ(md->partition, 0);
}

TEST_F(KafkaBackendTest, CallbacksRunOnOneThreadAndFlushWaitsForThem) {
  const std::string topic = NewTopic("flush", 3);
  ProducerOptions o;
  o.linger = absl::Milliseconds(200);  // Flush must not wait for it.
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::atomic<int> completed{0};
  std::vector<SendFuture> futures;
  for (int i = 0; i < 100; ++i) {
    futures.push_back(producer->Send(
        {topic, absl::StrCat(i), "v"}, [&completed](const auto& md) {
          EXPECT_THAT(md, IsOk());
          absl::SleepFor(absl::Microseconds(100));
          completed.fetch_add(1);
        }));
  }
  const absl::Time start = absl::Now();
  EXPECT_THAT(producer->Flush(), IsOk());
  EXPECT_EQ(completed.load(), 100);  // Callbacks returned before Flush.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  for (const SendFuture& f : futures) EXPECT_TRUE(f.ready());

  // Get() of an unfinished send from a callback would deadlock.
  absl::Notification checked;
  SendFuture later;
  absl::Mutex mu;
  absl::Status in_callback;
  producer->Send({topic, "first"}, [&](const auto&) {
    SendFuture f;
    {
      absl::MutexLock lock(&mu);
      f = later;
    }
    if (f.valid() && !f.ready()) {
      in_callback = f.Get().status();
    } else {
      in_callback = Error(ErrorCode::kIllegalState, "not tested");
    }
    EXPECT_THAT(producer->Flush(), StatusIs(ErrorCode::kIllegalState));
    checked.Notify();
  });
  {
    absl::MutexLock lock(&mu);
    later = producer->Send({topic, "second"});
  }
  checked.WaitForNotification();
  EXPECT_THAT(in_callback, StatusIs(ErrorCode::kIllegalState));
}

TEST_F(KafkaBackendTest, CloseDeliversPendingThenRefusesSends) {
  const std::string topic = NewTopic("close", 1);
  ProducerOptions o;
  o.linger = absl::Seconds(2);
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  SendFuture f = producer->Send({topic, "v"});
  EXPECT_THAT(producer->Close(absl::Seconds(30)), IsOk());
  EXPECT_TRUE(f.ready());
  EXPECT_THAT(f.Get(), IsOk());
  EXPECT_THAT(producer->Send({topic, "late"}).Get(),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(producer->Flush(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT(producer->Close(absl::Seconds(1)), IsOk());
}

// Senders blocked on a full librdkafka queue (max.block.ms) and threads in
// Get() must each be woken by the delivery that lets them go on.
TEST_F(KafkaBackendTest, SendersWaitingForRoomAndInGetAreWoken) {
  const std::string topic = NewTopic("room", 2);
  ProducerOptions o = FastProducer();
  o.max_block = absl::Seconds(60);
  o.cluster["queue.buffering.max.messages"] = "8";  // Room for 8 records.
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::atomic<int> called{0};
  std::vector<std::vector<SendFuture>> futures(kThreads);
  std::vector<std::thread> senders;
  const absl::Time start = absl::Now();
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        SendFuture f =
            producer->Send({topic, absl::StrCat(t, "-", i), "v"},
                           [&called](const auto&) { called.fetch_add(1); });
        // Every third send is waited for at once, the others at the end.
        if (i % 3 == 0) EXPECT_THAT(f.Get(absl::Seconds(60)), IsOk());
        futures[t].push_back(std::move(f));
      }
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_THAT(producer->Flush(), IsOk());
  EXPECT_EQ(called.load(), kThreads * kPerThread);
  for (const std::vector<SendFuture>& each : futures) {
    for (const SendFuture& f : each) {
      EXPECT_THAT(f.Get(absl::Seconds(1)), IsOk());
    }
  }
  // A lost wake-up would hold a sender or a Get() until its 60 s bound.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

TEST(KafkaProducerTest, MaxBlockBoundsSendWhileTheClusterIsUnreachable) {
  // A client whose cluster never answers: the record cannot be delivered.
  absl::StatusOr<std::unique_ptr<Client>> dead =
      Client::Open({{"bootstrap.servers", "127.0.0.1:1"}});
  ASSERT_THAT(dead, IsOk());
  ProducerOptions o = FastProducer();
  o.max_block = absl::Milliseconds(300);
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*dead)->CreateProducer(o);
  ASSERT_THAT(producer, IsOk());
  // Metadata cannot arrive: max.block.ms bounds the send.
  const absl::Time start = absl::Now();
  EXPECT_THAT((*producer)->Send({"t", "v"}).Get(),
              StatusIs(ErrorCode::kTimeout));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_THAT((*producer)->Close(absl::Milliseconds(100)), IsOk());
}

TEST_F(KafkaBackendTest, UnknownTopicAndPartitionFailAtSend) {
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  absl::Status cb_status;
  const absl::Time start = absl::Now();
  SendFuture f = producer->Send(
      {UniqueTopic("missing"), "v"},
      [&](const absl::StatusOr<RecordMetadata>& md) { cb_status = md.status(); });
  EXPECT_TRUE(f.ready());
  EXPECT_THAT(f.Get(), StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(cb_status, StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));

  const std::string topic = NewTopic("range", 2);
  ProducerRecord r(topic, "v");
  r.partition = 2;
  EXPECT_THAT(producer->Send(r).Get(),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  r.partition = 1;
  EXPECT_THAT(producer->Send(r).Get(), IsOk());
  EXPECT_THAT(producer->PartitionsFor(topic), IsOkAndHolds(2));
  EXPECT_THAT(producer->PartitionsFor(UniqueTopic("missing")),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(KafkaBackendTest, RecordTooLargeFailsWithKafkasArithmetic) {
  const std::string topic = NewTopic("large", 1);
  ProducerOptions o = FastProducer();
  o.max_request_size = 10000;
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  // Kafka's bound: 61 (batch header) + 21 (record overhead at its
  // largest) + 1 (null key) + 3 (value length) + value + 1 (no headers).
  ASSERT_EQ(KafkaBatchSizeUpperBound(std::nullopt, std::string(9913, 'x'), {}),
            10000u);
  EXPECT_THAT(producer->Send({topic, std::string(9913, 'x')}).Get(), IsOk());
  absl::StatusOr<RecordMetadata> md =
      producer->Send({topic, std::string(9914, 'x')}).Get();
  EXPECT_THAT(md, StatusIs(ErrorCode::kMessageTooLarge));
  EXPECT_THAT(std::string(md.status().message()),
              HasSubstr("max.request.size"));
  // The topic's max.message.bytes is the broker's check.
  const std::string small = UniqueTopic("small");
  ASSERT_THAT(client_->admin().CreateTopic(
                  small, 1, Properties{{"max.message.bytes", "2000"}}),
              IsOk());
  EXPECT_THAT(producer->Send({small, std::string(5000, 'x')}).Get(),
              StatusIs(ErrorCode::kMessageTooLarge));
}

TEST_F(KafkaBackendTest, CustomAndRoundRobinPartitionersChooseThePartition) {
  const std::string topic = NewTopic("custom", 4);
  ProducerOptions o = FastProducer();
  o.partitioner = NewRoundRobinPartitioner();
  std::unique_ptr<Producer> producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  std::vector<int32_t> partitions;
  for (int i = 0; i < 8; ++i) {
    absl::StatusOr<RecordMetadata> md =
        producer->Send({topic, std::string("same-key"), "v"}).Get();
    ASSERT_THAT(md, IsOk());
    partitions.push_back(md->partition);
  }
  EXPECT_THAT(partitions, ElementsAre(0, 1, 2, 3, 0, 1, 2, 3));

  // kUseSticky: one partition until batch.size bytes went to it.
  class StickyPartitioner : public Partitioner {
   public:
    int32_t Partition(absl::string_view, const Bytes&, const Bytes&,
                      int32_t) override {
      return kUseSticky;
    }
  };
  ProducerOptions s = FastProducer();
  s.partitioner = std::make_shared<StickyPartitioner>();
  s.batch_size = 1000;
  std::unique_ptr<Producer> sticky = NewProducer(s);
  ASSERT_NE(sticky, nullptr);
  std::map<int32_t, int> counts;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<RecordMetadata> md =
        sticky->Send({topic, std::string(98, 'x')}).Get();
    ASSERT_THAT(md, IsOk());
    ++counts[md->partition];
  }
  // 107 bytes a record (util/record_size.h): after ten records (1070 bytes)
  // the next goes to another partition.
  ASSERT_EQ(EncodedRecordSize(0, 0, 0, std::nullopt, std::string(98, 'x'), {}),
            107u);
  EXPECT_EQ(counts.size(), 2u);
  for (const auto& [p, n] : counts) EXPECT_EQ(n, 10) << p;
}

// --- Admin. ---

TEST_F(KafkaBackendTest, CreateDescribeListAndDeleteTopics) {
  Admin& admin = client_->admin();
  const std::string topic = UniqueTopic("admin");
  TopicConfig config;
  config.retention_ms = 3600000;
  ASSERT_THAT(admin.CreateTopic(topic, 3, config), IsOk());
  EXPECT_THAT(admin.CreateTopic(topic, 3, TopicConfig{}),
              StatusIs(ErrorCode::kTopicAlreadyExists));
  EXPECT_THAT(admin.CreateTopic("bad/name", 1, TopicConfig{}),
              StatusIs(ErrorCode::kInvalidTopic));
  EXPECT_THAT(admin.CreateTopic(UniqueTopic("zero"), 0, TopicConfig{}),
              StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_THAT(admin.CreateTopic(UniqueTopic("cfg"), 1,
                                Properties{{"retention.ms", "soon"}}),
              StatusIs(ErrorCode::kInvalidConfig));

  absl::StatusOr<std::vector<std::string>> topics = admin.ListTopics();
  ASSERT_THAT(topics, IsOk());
  EXPECT_THAT(*topics, ::testing::Contains(topic));
  EXPECT_THAT(*topics, ::testing::Not(::testing::Contains("__consumer_offsets")));

  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  ProducerRecord r(topic, "v");
  r.partition = 1;
  ASSERT_THAT(producer->Send(r).Get(), IsOk());
  ASSERT_THAT(producer->Send(r).Get(), IsOk());

  absl::StatusOr<TopicDescription> d = admin.DescribeTopic(topic);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->name, topic);
  ASSERT_EQ(d->partitions.size(), 3u);
  for (const PartitionDescription& p : d->partitions) {
    EXPECT_GE(p.leader, 0);
    EXPECT_THAT(p.replicas, ElementsAre(p.leader));
    EXPECT_THAT(p.isr, ElementsAre(p.leader));
    EXPECT_EQ(p.size_bytes, -1);
    EXPECT_EQ(p.log_start_offset, 0);
    EXPECT_EQ(p.log_end_offset, p.partition == 1 ? 2 : 0);
  }
  EXPECT_EQ(d->config.retention_ms, 3600000);
  EXPECT_EQ(d->config.cleanup_policy, "delete");

  ASSERT_THAT(admin.DeleteTopic(topic), IsOk());
  EXPECT_THAT(admin.DescribeTopic(topic),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_THAT(admin.DeleteTopic(topic),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(KafkaBackendTest, CreateTopicsReportsEachTopic) {
  const std::string a = UniqueTopic("batch-a"), b = UniqueTopic("batch-b");
  std::vector<brook::NewTopic> topics(3);
  topics[0].name = a;
  topics[0].partitions = 2;
  topics[1].name = "..";
  topics[2].name = b;
  topics[2].partitions = -1;  // The broker's num.partitions (1).
  std::vector<absl::Status> results = client_->admin().CreateTopics(topics);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], StatusIs(ErrorCode::kInvalidTopic));
  EXPECT_THAT(results[2], IsOk());
  absl::StatusOr<TopicDescription> d = client_->admin().DescribeTopic(b);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->partitions.size(), 1u);
}

TEST_F(KafkaBackendTest, DescribeAndAlterConfigs) {
  Admin& admin = client_->admin();
  const std::string topic = NewTopic("configs", 1);
  absl::StatusOr<std::vector<ConfigEntry>> entries =
      admin.DescribeConfigs(topic);
  ASSERT_THAT(entries, IsOk());
  std::map<std::string, ConfigEntry> by_name;
  for (const ConfigEntry& e : *entries) by_name[e.name] = e;
  ASSERT_EQ(by_name.count("retention.ms"), 1u);
  EXPECT_EQ(by_name["retention.ms"].value, "604800000");
  EXPECT_TRUE(by_name["retention.ms"].is_default);
  EXPECT_TRUE(std::is_sorted(entries->begin(), entries->end(),
                             [](const auto& a, const auto& b) {
                               return a.name < b.name;
                             }));

  // Incremental: a second change keeps the first.
  ASSERT_THAT(admin.IncrementalAlterConfigs(
                  topic, {{"retention.ms", "1000", AlterConfigOp::Type::kSet}}),
              IsOk());
  ASSERT_THAT(
      admin.IncrementalAlterConfigs(
          topic, {{"cleanup.policy", "compact", AlterConfigOp::Type::kSet}}),
      IsOk());
  absl::StatusOr<TopicDescription> d = admin.DescribeTopic(topic);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->config.retention_ms, 1000);
  EXPECT_EQ(d->config.cleanup_policy, "compact");
  ASSERT_THAT(
      admin.IncrementalAlterConfigs(
          topic, {{"retention.ms", "", AlterConfigOp::Type::kDelete}}),
      IsOk());
  d = admin.DescribeTopic(topic);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->config.retention_ms, 604800000);
  EXPECT_EQ(d->config.cleanup_policy, "compact");
  EXPECT_THAT(admin.IncrementalAlterConfigs(
                  topic, {{"no.such.setting", "1", AlterConfigOp::Type::kSet}}),
              StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(admin.DescribeConfigs(UniqueTopic("missing")),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

TEST_F(KafkaBackendTest, CreatePartitionsGrowsTheTopic) {
  Admin& admin = client_->admin();
  const std::string topic = NewTopic("grow", 1);
  ASSERT_THAT(admin.CreatePartitions(topic, 3), IsOk());
  absl::StatusOr<TopicDescription> d = admin.DescribeTopic(topic);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->partitions.size(), 3u);
  EXPECT_THAT(admin.CreatePartitions(topic, 2),
              StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_THAT(admin.CreatePartitions(UniqueTopic("missing"), 2),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->PartitionsFor(topic), IsOkAndHolds(3));
}

TEST_F(KafkaBackendTest, DeleteRecordsMovesTheLogStart) {
  Admin& admin = client_->admin();
  const std::string topic = NewTopic("delrec", 2);
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 5; ++i) {
    ProducerRecord r(topic, "v");
    r.partition = 0;
    ASSERT_THAT(producer->Send(r).Get(), IsOk());
  }
  ProducerRecord r(topic, "v");
  r.partition = 1;
  ASSERT_THAT(producer->Send(r).Get(), IsOk());
  absl::StatusOr<std::map<TopicPartition, int64_t>> low = admin.DeleteRecords(
      {{TopicPartition(topic, 0), 3}, {TopicPartition(topic, 1), -1}});
  ASSERT_THAT(low, IsOk());
  EXPECT_EQ((*low)[TopicPartition(topic, 0)], 3);
  EXPECT_EQ((*low)[TopicPartition(topic, 1)], 1);
  absl::StatusOr<TopicDescription> d = admin.DescribeTopic(topic);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->partitions[0].log_start_offset, 3);
  EXPECT_EQ(d->partitions[0].log_end_offset, 5);
  EXPECT_EQ(d->partitions[1].log_start_offset, 1);
  EXPECT_THAT(admin.DeleteRecords({{TopicPartition(topic, 0), 99}}),
              StatusIs(ErrorCode::kOffsetOutOfRange));
  EXPECT_THAT(admin.DeleteRecords({{TopicPartition(topic, 0), -2}}),
              StatusIs(ErrorCode::kOffsetOutOfRange));
}

TEST_F(KafkaBackendTest, UnknownGroups) {
  Admin& admin = client_->admin();
  const std::string group = UniqueTopic("group");
  absl::StatusOr<std::vector<std::string>> groups = admin.ListGroups();
  ASSERT_THAT(groups, IsOk());
  EXPECT_THAT(*groups, ::testing::Not(::testing::Contains(group)));
  absl::StatusOr<ConsumerGroupDescription> d = admin.DescribeGroup(group);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->group_id, group);
  EXPECT_EQ(d->state, ConsumerGroupState::kDead);
  EXPECT_TRUE(d->members.empty());
  EXPECT_EQ(d->generation, std::nullopt);
  EXPECT_EQ(d->leader, std::nullopt);
  EXPECT_THAT(admin.DeleteGroup(group),
              StatusIs(ErrorCode::kGroupIdNotFound));
  absl::StatusOr<std::vector<GroupPartitionOffset>> offsets =
      admin.ListGroupOffsets(group);
  ASSERT_THAT(offsets, IsOk());
  EXPECT_TRUE(offsets->empty());
}

TEST_F(KafkaBackendTest, ResetOffsetsOfAnEmptyGroup) {
  Admin& admin = client_->admin();
  const std::string topic = NewTopic("reset", 2);
  const std::string group = UniqueTopic("reset-group");
  std::unique_ptr<Producer> producer = NewProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 4; ++i) {
    ProducerRecord r(topic, "v");
    r.partition = i % 2;
    ASSERT_THAT(producer->Send(r).Get(), IsOk());
  }
  // A plan for a group without offsets, then written.
  absl::StatusOr<std::vector<OffsetResetPlanEntry>> plan = admin.ResetOffsets(
      group, topic, OffsetResetSpec::ToLatest(), /*dry_run=*/true);
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].old_offset, -1);
  EXPECT_EQ((*plan)[0].new_offset, 2);
  EXPECT_THAT(admin.ListGroupOffsets(group),
              IsOkAndHolds(::testing::IsEmpty()));
  ASSERT_THAT(admin.ResetOffsets(group, topic, OffsetResetSpec::ToOffset(1),
                                 /*dry_run=*/false),
              IsOk());
  absl::StatusOr<std::vector<GroupPartitionOffset>> offsets =
      admin.ListGroupOffsets(group);
  ASSERT_THAT(offsets, IsOk());
  ASSERT_EQ(offsets->size(), 2u);
  EXPECT_EQ((*offsets)[0].committed_offset, 1);
  EXPECT_EQ((*offsets)[0].log_end_offset, 2);
  EXPECT_EQ((*offsets)[0].lag, 1);
  absl::StatusOr<std::vector<std::string>> groups = admin.ListGroups();
  ASSERT_THAT(groups, IsOk());
  EXPECT_THAT(*groups, ::testing::Contains(group));
  EXPECT_THAT(admin.DescribeGroup(group),
              IsOkAndHolds(::testing::Field(&ConsumerGroupDescription::state,
                                            ConsumerGroupState::kEmpty)));
  EXPECT_THAT(admin.DeleteGroup(group), IsOk());
  EXPECT_THAT(admin.DeleteGroup(group), StatusIs(ErrorCode::kGroupIdNotFound));
}

}  // namespace
}  // namespace brook
