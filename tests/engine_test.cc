#include "brook/engine.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/error.h"
#include "gmock/gmock.h"
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

TEST(EngineTest, SecondOpenOfSameDirectoryIsDirectoryInUse) {
  TempDir dir;
  auto first = Engine::Open({}, dir.path());
  ASSERT_OK(first);
  auto second = Engine::Open({}, dir.path());
  EXPECT_THAT(second, StatusIs(ErrorCode::kDirectoryInUse));
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(dir.path()));
  // Closing the first releases the directory.
  ASSERT_OK((*first)->Close());
  auto third = Engine::Open({}, dir.path());
  EXPECT_OK(third);
}

TEST(EngineTest, DirectoryReleasedOnceEngineAndClientsAreGone) {
  TempDir dir;
  std::unique_ptr<Producer> producer;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
    auto p = (*engine)->CreateProducer({});
    ASSERT_OK(p);
    producer = std::move(*p);
  }
  // The producer keeps the core (and the directory) alive.
  EXPECT_THAT(Engine::Open({}, dir.path()),
              StatusIs(ErrorCode::kDirectoryInUse));
  producer.reset();
  EXPECT_OK(Engine::Open({}, dir.path()));
}

TEST(EngineTest, ClientsOutliveTheEngineHandle) {
  EngineOptions o;
  o.in_memory = true;
  std::unique_ptr<Producer> producer;
  std::unique_ptr<Consumer> consumer;
  {
    auto engine = Engine::Open(o, "/mem/outlive");
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    ProducerOptions po;
    po.linger = absl::ZeroDuration();
    auto p = (*engine)->CreateProducer(po);
    ASSERT_OK(p);
    producer = std::move(*p);
    ConsumerOptions co;
    co.auto_offset_reset = OffsetReset::kEarliest;
    auto c = (*engine)->CreateConsumer(co);
    ASSERT_OK(c);
    consumer = std::move(*c);
  }
  auto md =
      producer->Send(ProducerRecord("t", std::string("still here"))).Get();
  ASSERT_OK(md);
  ASSERT_OK(consumer->Assign({TopicPartition("t", 0)}));
  auto records = consumer->Poll(absl::Seconds(5));
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].value, Bytes("still here"));
  // Destroying the consumer before the producer, or the other way, is fine.
  consumer.reset();
  producer.reset();
}

TEST(EngineTest, CreateIfMissingFalseNeedsAnExistingDirectory) {
  TempDir dir;
  EngineOptions o;
  o.create_if_missing = false;
  EXPECT_FALSE(Engine::Open(o, dir.Sub("absent")).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("absent/CURRENT")));
  // Once created, it opens.
  ASSERT_OK(Engine::Open({}, dir.Sub("present")));
  EXPECT_OK(Engine::Open(o, dir.Sub("present")));
}

TEST(EngineTest, InMemoryEngineWritesNothingToDisk) {
  TempDir dir;
  EngineOptions o;
  o.in_memory = true;
  {
    auto engine = Engine::Open(o, dir.Sub("label"));
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 2));
    ProducerOptions po;
    po.linger = absl::ZeroDuration();
    auto producer = (*engine)->CreateProducer(po);
    ASSERT_OK(producer);
    ASSERT_OK((*producer)->Send(ProducerRecord("t", std::string("v"))).Get());
  }
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("label")));
}

TEST(EngineTest, InMemoryEnginesAreIndependentAndForgetOnClose) {
  EngineOptions o;
  o.in_memory = true;
  auto a = Engine::Open(o, "/mem/same-label");
  ASSERT_OK(a);
  auto b = Engine::Open(o, "/mem/same-label");
  ASSERT_OK(b);
  ASSERT_OK((*a)->admin().CreateTopic("only-in-a", 1));
  auto topics = (*b)->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_TRUE(topics->empty());
  a->reset();
  auto again = Engine::Open(o, "/mem/same-label");
  ASSERT_OK(again);
  topics = (*again)->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_TRUE(topics->empty());
}

// EngineOptions::in_memory: "the directory name is then only a label", so
// any string works, not only absolute paths.
TEST(EngineTest, InMemoryEngineAcceptsAnyLabel) {
  EngineOptions o;
  o.in_memory = true;
  for (const char* label : {"label", "relative/dir", "/abs/dir", "x"}) {
    auto engine = Engine::Open(o, label);
    ASSERT_OK(engine) << label;
    EXPECT_OK((*engine)->admin().CreateTopic("t", 1)) << label;
  }
}

TEST(EngineTest, CallsAfterCloseAreClosed) {
  EngineOptions o;
  o.in_memory = true;
  auto engine = Engine::Open(o, "/mem/close");
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
  auto producer = (*engine)->CreateProducer({});
  ASSERT_OK(producer);
  ConsumerOptions co;
  co.group_id = "g";
  auto consumer = (*engine)->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({TopicPartition("t", 0)}));

  ASSERT_OK((*engine)->Close());
  EXPECT_OK((*engine)->Close());  // Idempotent.

  EXPECT_THAT((*engine)->CreateProducer({}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*engine)->CreateConsumer({}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*engine)->admin().ListTopics(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*engine)->admin().CreateTopic("u", 1),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*producer)->Send(ProducerRecord("t", std::string("v"))).Get(),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*producer)->Flush(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*producer)->PartitionsFor("t"), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*consumer)->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*consumer)->Position({"t", 0}), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*consumer)->CommitSync(), StatusIs(ErrorCode::kClosed));
  EXPECT_THAT((*consumer)->Committed({TopicPartition("t", 0)}),
              StatusIs(ErrorCode::kClosed));
  // Closing the clients after the engine is fine.
  EXPECT_OK((*producer)->Close());
  (*consumer)->Close().IgnoreError();  // Nothing left to commit to.
}

TEST(EngineTest, CloseDeliversPendingSends) {
  TempDir dir;
  ManualClock clock;
  EngineOptions o;
  o.clock = &clock;
  std::vector<SendFuture> futures;
  {
    auto engine = Engine::Open(o, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    ProducerOptions po;
    po.acks = Acks::kAll;
    po.linger = absl::Hours(1);  // Only Close makes these batches ready.
    po.delivery_timeout = absl::Hours(2);
    auto producer = (*engine)->CreateProducer(po);
    ASSERT_OK(producer);
    for (int i = 0; i < 5; ++i) {
      futures.push_back(
          (*producer)->Send(ProducerRecord("t", absl::StrCat(i))));
    }
    ASSERT_OK((*engine)->Close());
    for (const SendFuture& f : futures) {
      EXPECT_TRUE(f.ready());
      EXPECT_OK(f.Get());
    }
  }
  auto engine = Engine::Open(o, dir.path());
  ASSERT_OK(engine);
  auto d = (*engine)->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions[0].log_end_offset, 5);
}

TEST(EngineTest, InvalidOptions) {
  EngineOptions o;
  o.in_memory = true;
  o.default_partitions = -1;
  EXPECT_THAT(Engine::Open(o, "/mem/invalid"),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST(EngineTest, DefaultClientIdsAreNumbered) {
  // Nothing observable depends on client ids yet beyond creation succeeding
  // with and without one.
  EngineOptions o;
  o.in_memory = true;
  auto engine = Engine::Open(o, "/mem/client-ids");
  ASSERT_OK(engine);
  ProducerOptions named;
  named.client_id = "mine";
  EXPECT_OK((*engine)->CreateProducer(named));
  EXPECT_OK((*engine)->CreateProducer({}));
  EXPECT_OK((*engine)->CreateConsumer({}));
}

}  // namespace
}  // namespace brook
