// Tests of serializers and the typed clients: the built-in serdes match
// Kafka's byte layouts, nulls bypass (de)serializers, a serializer failure
// sends nothing, and a deserialization failure leaves the position at the
// bad record (as Kafka's RecordDeserializationException does).
#include "brook/serde.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Built-in serdes --------------------------------------------------------

TEST(Int64SerdeTest, BigEndianLikeKafkaLongSerializer) {
  Int64Serde serde;
  auto bytes = serde.Serialize("t", 1);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string("\0\0\0\0\0\0\0\x01", 8));
  bytes = serde.Serialize("t", -1);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string(8, '\xff'));
  bytes = serde.Serialize("t", 0x0102030405060708);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  for (int64_t v :
       {int64_t{0}, int64_t{-42}, INT64_MIN, INT64_MAX, int64_t{1} << 40}) {
    auto b = serde.Serialize("t", v);
    ASSERT_OK(b);
    auto back = serde.Deserialize("t", *b);
    ASSERT_OK(back);
    EXPECT_EQ(*back, v);
  }
}

TEST(Int64SerdeTest, WrongSizeIsSerializationError) {
  Int64Serde serde;
  for (const std::string& bad :
       {std::string(), std::string(7, 'x'), std::string(9, 'x')}) {
    auto v = serde.Deserialize("orders", bad);
    EXPECT_THAT(v, StatusIs(ErrorCode::kSerialization)) << bad.size();
    EXPECT_THAT(std::string(v.status().message()), HasSubstr("orders"));
  }
}

TEST(Int32SerdeTest, BigEndianLikeKafkaIntegerSerializer) {
  Int32Serde serde;
  auto bytes = serde.Serialize("t", 0x01020304);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string("\x01\x02\x03\x04", 4));
  bytes = serde.Serialize("t", -2);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, std::string("\xff\xff\xff\xfe", 4));
  for (int32_t v : {0, 1, -1, INT32_MIN, INT32_MAX}) {
    auto b = serde.Serialize("t", v);
    ASSERT_OK(b);
    auto back = serde.Deserialize("t", *b);
    ASSERT_OK(back);
    EXPECT_EQ(*back, v);
  }
  EXPECT_THAT(serde.Deserialize("t", std::string(8, '\0')),
              StatusIs(ErrorCode::kSerialization));
  EXPECT_THAT(serde.Deserialize("t", std::string(3, '\0')),
              StatusIs(ErrorCode::kSerialization));
}

TEST(StringSerdeTest, BytesUnchanged) {
  StringSerde serde;
  const std::string raw("a\0b\xff", 4);
  auto bytes = serde.Serialize("t", raw);
  ASSERT_OK(bytes);
  EXPECT_EQ(*bytes, raw);
  auto back = serde.Deserialize("t", raw);
  ASSERT_OK(back);
  EXPECT_EQ(*back, raw);
  auto empty = serde.Deserialize("t", "");
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, "");
}

// --- Typed clients ----------------------------------------------------------

// Counts calls; fails to serialize negative numbers.
class CountingSerde : public Serializer<int64_t>, public Deserializer<int64_t> {
 public:
  absl::StatusOr<std::string> Serialize(absl::string_view topic,
                                        const int64_t& value) override {
    ++serialize_calls;
    if (value < 0) return absl::InvalidArgumentError("negative");
    return inner_.Serialize(topic, value);
  }
  absl::StatusOr<int64_t> Deserialize(absl::string_view topic,
                                      absl::string_view bytes) override {
    ++deserialize_calls;
    return inner_.Deserialize(topic, bytes);
  }
  std::atomic<int> serialize_calls{0};
  std::atomic<int> deserialize_calls{0};

 private:
  Int64Serde inner_;
};

class TypedClientTest : public ::testing::Test {
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
    ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  }

  std::unique_ptr<Producer> RawProducer() {
    ProducerOptions po;
    po.acks = Acks::kLeader;
    po.linger = absl::ZeroDuration();
    auto p = engine_->CreateProducer(po);
    EXPECT_OK(p);
    return p.ok() ? std::move(*p) : nullptr;
  }

  std::unique_ptr<Consumer> RawConsumer(int max_poll_records = 500) {
    ConsumerOptions co;
    co.auto_offset_reset = OffsetReset::kEarliest;
    co.max_poll_records = max_poll_records;
    auto c = engine_->CreateConsumer(co);
    EXPECT_OK(c);
    return c.ok() ? std::move(*c) : nullptr;
  }

  // Writes raw records (value bytes as given) to partition `p`.
  void ProduceRaw(int32_t p, const std::vector<Bytes>& values) {
    auto producer = RawProducer();
    ASSERT_NE(producer, nullptr);
    for (const Bytes& v : values) {
      ProducerRecord r("t", std::nullopt, v);
      r.partition = p;
      producer->Send(std::move(r));
    }
    ASSERT_OK(producer->Flush());
  }

  static std::string Long(int64_t v) { return *Int64Serde().Serialize("t", v); }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(TypedClientTest, RoundTrip) {
  auto serde = std::make_shared<CountingSerde>();
  TypedProducer<std::string, int64_t> producer(
      RawProducer(), std::make_shared<StringSerde>(), serde);
  TypedProducerRecord<std::string, int64_t> r;
  r.topic = "t";
  r.partition = 1;
  r.key = "alice";
  r.value = 1234567890123;
  r.headers = {Header{"h", std::string("1")}};
  r.timestamp = absl::FromUnixMillis(1700000000000);
  auto md = producer.Send(std::move(r)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->partition, 1);
  EXPECT_EQ(md->offset, 0);
  EXPECT_EQ(md->serialized_key_size, 5);
  EXPECT_EQ(md->serialized_value_size, 8);

  TypedConsumer<std::string, int64_t> consumer(
      RawConsumer(), std::make_shared<StringSerde>(), serde);
  ASSERT_OK(consumer.raw().Assign({TopicPartition("t", 1)}));
  auto records = consumer.Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  const auto& c = (*records)[0];
  EXPECT_EQ(c.topic, "t");
  EXPECT_EQ(c.partition, 1);
  EXPECT_EQ(c.offset, 0);
  EXPECT_EQ(c.key, std::optional<std::string>("alice"));
  EXPECT_EQ(c.value, std::optional<int64_t>(1234567890123));
  EXPECT_EQ(c.timestamp, absl::FromUnixMillis(1700000000000));
  EXPECT_EQ(c.timestamp_type, TimestampType::kCreateTime);
  EXPECT_EQ(c.headers, (std::vector<Header>{Header{"h", std::string("1")}}));
  // The bytes on the log are Kafka's LongSerializer layout.
  auto raw = RawConsumer();
  ASSERT_NE(raw, nullptr);
  ASSERT_OK(raw->Assign({TopicPartition("t", 1)}));
  auto raw_records = raw->Poll(absl::ZeroDuration());
  ASSERT_OK(raw_records);
  ASSERT_EQ(raw_records->size(), 1u);
  EXPECT_EQ((*raw_records)[0].value, Bytes(Long(1234567890123)));
  EXPECT_EQ((*raw_records)[0].key, Bytes("alice"));
}

TEST_F(TypedClientTest, NullsNeverReachTheSerdes) {
  auto serde = std::make_shared<CountingSerde>();
  TypedProducer<int64_t, int64_t> producer(RawProducer(), serde, serde);
  TypedProducerRecord<int64_t, int64_t> r;
  r.topic = "t";
  r.partition = 0;
  ASSERT_OK(producer.Send(r).Get());  // Null key, null value (a tombstone).
  EXPECT_EQ(serde->serialize_calls.load(), 0);
  r.value = 5;
  ASSERT_OK(producer.Send(r).Get());
  EXPECT_EQ(serde->serialize_calls.load(), 1);

  TypedConsumer<int64_t, int64_t> consumer(RawConsumer(), serde, serde);
  ASSERT_OK(consumer.raw().Assign({TopicPartition("t", 0)}));
  auto records = consumer.Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_FALSE((*records)[0].key.has_value());
  EXPECT_FALSE((*records)[0].value.has_value());
  EXPECT_FALSE((*records)[1].key.has_value());
  EXPECT_EQ((*records)[1].value, std::optional<int64_t>(5));
  EXPECT_EQ(serde->deserialize_calls.load(), 1);
}

TEST_F(TypedClientTest, SerializerFailureSendsNothing) {
  auto serde = std::make_shared<CountingSerde>();
  TypedProducer<int64_t, int64_t> producer(RawProducer(), serde, serde);
  for (bool bad_key : {true, false}) {
    TypedProducerRecord<int64_t, int64_t> r;
    r.topic = "t";
    r.partition = 0;
    r.key = bad_key ? -1 : 1;
    r.value = bad_key ? 1 : -1;
    int calls = 0;
    absl::Status from_callback;
    auto md = producer
                  .Send(r,
                        [&](const absl::StatusOr<RecordMetadata>& m) {
                          ++calls;
                          from_callback = m.status();
                        })
                  .Get();
    EXPECT_THAT(md, StatusIs(ErrorCode::kSerialization)) << bad_key;
    EXPECT_EQ(calls, 1);
    EXPECT_THAT(from_callback, StatusIs(ErrorCode::kSerialization));
  }
  ASSERT_OK(producer.Flush());
  auto d = engine_->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_end_offset, 0);
}

TEST_F(TypedClientTest, DeserializationFailureStopsAtTheBadRecord) {
  // Offsets 0, 1 good; 2 bad (3 bytes); 3, 4 good.
  ProduceRaw(0, {Long(10), Long(11), std::string("bad"), Long(13), Long(14)});
  TypedConsumer<int64_t, int64_t> consumer(RawConsumer(),
                                           std::make_shared<Int64Serde>(),
                                           std::make_shared<Int64Serde>());
  const TopicPartition tp("t", 0);
  ASSERT_OK(consumer.raw().Assign({tp}));

  // The records before the bad one come back; the position is the bad one.
  auto records = consumer.Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].value, std::optional<int64_t>(10));
  EXPECT_EQ((*records)[1].value, std::optional<int64_t>(11));
  auto position = consumer.raw().Position(tp);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 2);

  // Now the bad record is first: an error, and the position stays.
  for (int i = 0; i < 2; ++i) {
    auto failed = consumer.Poll(absl::ZeroDuration());
    EXPECT_THAT(failed, StatusIs(ErrorCode::kSerialization));
    EXPECT_THAT(std::string(failed.status().message()), HasSubstr("offset 2"));
    position = consumer.raw().Position(tp);
    ASSERT_OK(position);
    EXPECT_EQ(*position, 2);
  }

  // Seeking past it goes on.
  ASSERT_OK(consumer.raw().Seek(tp, 3));
  records = consumer.Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].offset, 3);
  EXPECT_EQ((*records)[0].value, std::optional<int64_t>(13));
  EXPECT_EQ((*records)[1].value, std::optional<int64_t>(14));
}

TEST_F(TypedClientTest, BadKeyIsADeserializationFailureToo) {
  auto producer = RawProducer();
  ASSERT_NE(producer, nullptr);
  ProducerRecord r("t", std::string("not-8-bytes"), Long(1));
  r.partition = 0;
  ASSERT_OK(producer->Send(std::move(r)).Get());
  TypedConsumer<int64_t, int64_t> consumer(RawConsumer(),
                                           std::make_shared<Int64Serde>(),
                                           std::make_shared<Int64Serde>());
  ASSERT_OK(consumer.raw().Assign({TopicPartition("t", 0)}));
  EXPECT_THAT(consumer.Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kSerialization));
  auto position = consumer.raw().Position({"t", 0});
  ASSERT_OK(position);
  EXPECT_EQ(*position, 0);
}

TEST_F(TypedClientTest, BadRecordInOnePartitionLosesNothingInTheOther) {
  // Partition 0: good, bad, good. Partition 1: five good records.
  ProduceRaw(0, {Long(0), std::string("x"), Long(2)});
  ProduceRaw(1, {Long(100), Long(101), Long(102), Long(103), Long(104)});
  TypedConsumer<int64_t, int64_t> consumer(RawConsumer(),
                                           std::make_shared<Int64Serde>(),
                                           std::make_shared<Int64Serde>());
  const TopicPartition p0("t", 0), p1("t", 1);
  ASSERT_OK(consumer.raw().Assign({p0, p1}));
  std::map<int32_t, std::vector<int64_t>> seen;  // partition -> offsets
  int errors = 0;
  for (int i = 0; i < 10; ++i) {
    auto records = consumer.Poll(absl::ZeroDuration());
    if (!records.ok()) {
      EXPECT_THAT(records, StatusIs(ErrorCode::kSerialization));
      ++errors;
      continue;
    }
    for (const auto& r : *records) seen[r.partition].push_back(r.offset);
  }
  EXPECT_GT(errors, 0);
  // Every record of partition 1 exactly once, in order; partition 0 stops
  // before the bad record.
  EXPECT_THAT(seen[1], ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(seen[0], ElementsAre(0));
  auto position = consumer.raw().Position(p0);
  ASSERT_OK(position);
  EXPECT_EQ(*position, 1);
}

}  // namespace
}  // namespace brook
