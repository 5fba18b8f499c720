// Tests of the inline write: an idle acks=1, linger.ms=0 producer writes a
// send without a callback on the sending thread (DESIGN-NOTES.md, "Inline
// writes"). What must hold: the future is complete when Send returns, the
// record is visible at once, per-partition order survives any mix of inline
// and queued sends, callbacks still run on the appender thread, and a stalled
// inline write does not hold up other threads' sends.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "consumer/consumer_impl.h"
#include "core/core.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"
#include "testing/threads.h"

namespace brook {
namespace {

class InlineWriteTest : public InMemoryEngineTest {};

TEST_F(InlineWriteTest, IdleProducerCompletesTheSendBeforeItReturns) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  // Keep the appender thread busy in another producer's callback (it holds
  // no write lock there): only a write made by Send itself can complete.
  auto busy = NewProducer(Immediate());
  ASSERT_NE(busy, nullptr);
  absl::Notification in_callback, release;
  ProducerRecord busy_record("t", std::nullopt, "busy");
  busy_record.partition = 0;
  busy->Send(std::move(busy_record),
             [&](const absl::StatusOr<RecordMetadata>&) {
               in_callback.Notify();
               release.WaitForNotification();
             });
  // However the test ends, let the appender go, or closing would hang.
  absl::Cleanup let_go = [&] {
    if (!release.HasBeenNotified()) release.Notify();
  };
  ASSERT_TRUE(in_callback.WaitForNotificationWithTimeout(absl::Seconds(30)));

  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 5; ++i) {
    ProducerRecord r("t", std::nullopt, absl::StrCat("v", i));
    r.partition = 1;
    SendFuture f = producer->Send(std::move(r));
    auto md = f.Get(absl::ZeroDuration());
    ASSERT_OK(md) << "send " << i;
    EXPECT_EQ(md->offset, i);
    EXPECT_EQ(md->partition, 1);
    EXPECT_EQ(EndOffset("t", 1), i + 1);
  }
  std::move(let_go).Invoke();
  EXPECT_OK(producer->Flush());
  EXPECT_OK(busy->Flush());
}

TEST_F(InlineWriteTest, ALingeringProducerStillQueues) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o = Immediate();
  o.linger = absl::Seconds(10);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  SendFuture f = producer->Send(ProducerRecord("t", std::nullopt, "v"));
  // The manual clock has not moved: the batch lingers.
  EXPECT_FALSE(f.Get(absl::Milliseconds(20)).ok());
  EXPECT_EQ(EndOffset("t", 0), 0);
  ASSERT_OK(producer->Flush());
  EXPECT_OK(f.Get());
}

TEST_F(InlineWriteTest, CallbacksStillRunOnTheAppenderThread) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  std::atomic<bool> on_sender_thread{true};
  absl::Notification done;
  const std::thread::id sender = std::this_thread::get_id();
  producer->Send(ProducerRecord("t", std::nullopt, "v"),
                 [&](const absl::StatusOr<RecordMetadata>& md) {
                   EXPECT_OK(md);
                   on_sender_thread = std::this_thread::get_id() == sender;
                   done.Notify();
                 });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_FALSE(on_sender_thread.load());
}

TEST_F(InlineWriteTest, LogAppendTimeIsStampedOnTheInlinePath) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "t", 1, Properties{{"message.timestamp.type", "LogAppendTime"}}));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  clock_.Advance(absl::Hours(1));
  ProducerRecord r("t", std::nullopt, "v");
  r.timestamp = absl::FromUnixMillis(1000);
  auto md = producer->Send(std::move(r)).Get(absl::ZeroDuration());
  ASSERT_OK(md);
  EXPECT_EQ(md->timestamp,
            absl::FromUnixMillis(absl::ToUnixMillis(clock_.Now())));
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].timestamp, md->timestamp);
  EXPECT_EQ(read[0].timestamp_type, TimestampType::kLogAppendTime);
}

TEST_F(InlineWriteTest, AnInlineWriteWakesABlockedPoll) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  auto consumer = engine_->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 0}}));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  // Poll waits on the manual clock, which never moves: only the write's
  // notification can end it.
  std::thread sender([&] {
    absl::SleepFor(absl::Milliseconds(20));
    producer->Send(ProducerRecord("t", "k", "v"));
  });
  auto records = (*consumer)->Poll(absl::Hours(1));
  sender.join();
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(*(*records)[0].value, "v");
}

// Sends with and without callbacks (queued and inline) from several threads
// into one partition: each thread's records stay in its send order, and
// every offset is acknowledged exactly once.
TEST_F(InlineWriteTest, MixedInlineAndQueuedSendsKeepEachThreadsOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  std::vector<std::vector<SendFuture>> futures(kThreads);
  RunTogether(kThreads, [&](int t) {
    std::mt19937 rng(t);
    for (int i = 0; i < kPerThread; ++i) {
      ProducerRecord r("t", absl::StrCat(t), absl::StrCat(i));
      switch (rng() % 3) {
        case 0:  // Queued: a callback runs on the appender thread.
          futures[t].push_back(producer->Send(
              std::move(r),
              [](const absl::StatusOr<RecordMetadata>& md) { EXPECT_OK(md); }));
          break;
        case 1:  // Possibly inline, not waited for.
          futures[t].push_back(producer->Send(std::move(r)));
          break;
        default:  // Possibly inline, waited for.
          futures[t].push_back(producer->Send(std::move(r)));
          EXPECT_OK(futures[t].back().Get());
      }
    }
  });
  ASSERT_OK(producer->Flush());
  std::vector<bool> acknowledged(kThreads * kPerThread, false);
  for (const auto& per_thread : futures) {
    for (const SendFuture& f : per_thread) {
      auto md = f.Get(absl::ZeroDuration());
      ASSERT_OK(md);
      ASSERT_GE(md->offset, 0);
      ASSERT_LT(md->offset, kThreads * kPerThread);
      EXPECT_FALSE(acknowledged[md->offset]) << "offset " << md->offset;
      acknowledged[md->offset] = true;
    }
  }
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, int> next;
  for (const ConsumerRecord& r : read) {
    EXPECT_EQ(*r.value, absl::StrCat(next[*r.key]++)) << "thread " << *r.key;
  }
}

// Stalls an appender's next storage write, inside its write lock, and runs
// threads around it: Finish() (or destruction) ends the stall, then joins
// them.
class WriteStall {
 public:
  explicit WriteStall(Appender* appender) : appender_(appender) {
    appender_->SetBeforeWriteForTesting([this] {
      if (!stall_next_.exchange(false)) return;
      stalled_.Notify();
      release_.WaitForNotification();
    });
  }
  ~WriteStall() {
    Finish();
    appender_->SetBeforeWriteForTesting(nullptr);
  }

  void Spawn(std::function<void()> fn) { threads_.emplace_back(std::move(fn)); }
  bool AwaitStalled() {
    return stalled_.WaitForNotificationWithTimeout(absl::Seconds(30));
  }
  void Finish() {
    if (!release_.HasBeenNotified()) release_.Notify();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  Appender* const appender_;
  std::atomic<bool> stall_next_{true};
  absl::Notification stalled_, release_;
  std::vector<std::thread> threads_;
};

// Each test starts with an idle producer's inline send of "first" to t-0
// stalled inside its storage write, on a thread of stall_.
class StalledInlineWriteTest : public InlineWriteTest {
 protected:
  void SetUp() override {
    InlineWriteTest::SetUp();
    ASSERT_OK(engine_->admin().CreateTopic("t", 1));
    producer_ = NewProducer(Immediate());
    ASSERT_NE(producer_, nullptr);
    // The engine's core (and its appender) is reached through a consumer,
    // which also keeps it alive past Engine::Close.
    probe_ = NewConsumer(ConsumerOptions());
    ASSERT_NE(probe_, nullptr);
    auto* impl = dynamic_cast<ConsumerImpl*>(probe_.get());
    ASSERT_NE(impl, nullptr);
    stall_ = std::make_unique<WriteStall>(&impl->TEST_core()->appender());
    stall_->Spawn([this] { first_ = producer_->Send({"t", "k", "first"}); });
    ASSERT_TRUE(stall_->AwaitStalled());
  }

  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> probe_;
  SendFuture first_;
  // Declared last: ends the stall and joins its threads before the rest goes.
  std::unique_ptr<WriteStall> stall_;
};

// The inline write releases the producer's lock before the storage write,
// which can stall (RocksDB slows or stops writes under compaction debt):
// another thread's Send then queues and returns, bounded by buffer.memory
// and max.block.ms, instead of waiting for the write without a bound.
TEST_F(StalledInlineWriteTest, ASendFromAnotherThreadQueuesBehindIt) {
  SendFuture second;
  absl::Notification second_returned;
  stall_->Spawn([&] {
    second = producer_->Send({"t", "k", "second"});
    second_returned.Notify();
  });
  EXPECT_TRUE(second_returned.WaitForNotificationWithTimeout(absl::Seconds(10)))
      << "a Send waited for another thread's stalled inline write";
  // Flush covers the inline batch too: it waits for the stalled write.
  std::atomic<bool> flushed{false};
  stall_->Spawn([&] {
    EXPECT_OK(producer_->Flush());
    flushed.store(true);
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(flushed.load());

  stall_->Finish();
  EXPECT_TRUE(flushed.load());
  // Queued behind the inline batch: written after it, in send order.
  auto md1 = first_.Get(absl::ZeroDuration());
  ASSERT_OK(md1);
  EXPECT_EQ(md1->offset, 0);
  auto md2 = second.Get(absl::Seconds(30));
  ASSERT_OK(md2);
  EXPECT_EQ(md2->offset, 1);
  std::vector<ConsumerRecord> read = ReadAll({"t", 0});
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(*read[0].value, "first");
  EXPECT_EQ(*read[1].value, "second");
}

// Engine::Close must not close the store under an inline write that began
// before it: it waits for the write, and the send succeeds.
TEST_F(StalledInlineWriteTest, EngineCloseWaitsForIt) {
  std::atomic<bool> closed{false};
  absl::Status close_status;
  stall_->Spawn([&] {
    close_status = engine_->Close();
    closed.store(true);
  });
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(closed.load()) << "Engine::Close returned during a write";
  stall_->Finish();
  EXPECT_OK(close_status);
  auto md = first_.Get(absl::ZeroDuration());
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 0);
  EXPECT_THAT(producer_->Send({"t", "k", "late"}).Get(),
              StatusIs(ErrorCode::kClosed));
}

}  // namespace
}  // namespace brook
