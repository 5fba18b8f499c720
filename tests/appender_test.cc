// Tests of the appender's edges: calls back into brook from send callbacks
// (which run on the appender thread), sends racing with Engine::Close,
// gathered synchronous acks=all senders, a partitioner that uses other
// topics, and ManualClock wake-ups under races.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"
#include "testing/threads.h"

namespace brook {
namespace {

std::unique_ptr<Engine> OpenInMemory(const std::string& label) {
  EngineOptions options;
  options.in_memory = true;
  auto engine = Engine::Open(options, label);
  EXPECT_OK(engine);
  return *std::move(engine);
}

TEST(AppenderTest, CallbacksCannotBlockOnTheAppender) {
  auto engine = OpenInMemory("callbacks");
  ASSERT_OK(engine->admin().CreateTopic("t", 1));
  auto producer = engine->CreateProducer(Immediate());
  ASSERT_OK(producer);
  absl::Status flush, get, engine_close;
  absl::Notification done;
  SendFuture inner;
  (*producer)->Send({"t", "k", "v"},
                    [&](const absl::StatusOr<RecordMetadata>& md) {
                      ASSERT_OK(md);
                      // A second send is fine; waiting for it from here is not.
                      inner = (*producer)->Send({"t", "k", "w"});
                      get = inner.Get().status();
                      flush = (*producer)->Flush();
                      engine_close = engine->Close();
                      done.Notify();
                    });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_THAT(get, StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(flush, StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(engine_close, StatusIs(ErrorCode::kIllegalState));
  // Outside the callback the same calls work.
  EXPECT_OK(inner.Get());
  EXPECT_OK((*producer)->Flush());
}

TEST(AppenderTest, ProducerCloseFromACallbackDoesNotHang) {
  auto engine = OpenInMemory("close-in-callback");
  ASSERT_OK(engine->admin().CreateTopic("t", 1));
  auto producer = engine->CreateProducer(Immediate());
  ASSERT_OK(producer);
  absl::Notification closed;
  (*producer)->Send({"t", "k", "v"},
                    [&](const absl::StatusOr<RecordMetadata>&) {
                      (*producer)
                          ->Close(absl::Seconds(10))
                          .IgnoreError();  // Acts as Close(0).
                      closed.Notify();
                    });
  ASSERT_TRUE(closed.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_THAT((*producer)->Send({"t", "k", "v"}).Get(),
              StatusIs(ErrorCode::kClosed));
  // The engine still serves other producers.
  auto other = engine->CreateProducer(Immediate());
  ASSERT_OK(other);
  EXPECT_OK((*other)->Send({"t", "k", "v"}).Get());
}

TEST(AppenderTest, EverySendRacingWithEngineCloseCompletes) {
  for (int round = 0; round < 20; ++round) {
    auto engine = OpenInMemory("race");
    ASSERT_OK(engine->admin().CreateTopic("t", 4));
    auto producer = engine->CreateProducer(Immediate());
    ASSERT_OK(producer);
    std::atomic<bool> go{true};
    std::vector<std::thread> senders;
    std::atomic<int> unfinished{0};
    for (int i = 0; i < 4; ++i) {
      senders.emplace_back([&] {
        while (go.load()) {
          SendFuture f = (*producer)->Send({"t", "k", "v"});
          auto md = f.Get(absl::Seconds(20));
          if (GetErrorCode(md.status()) == ErrorCode::kTimeout) ++unfinished;
          if (!md.ok()) return;  // Closed: the engine went away.
        }
      });
    }
    absl::SleepFor(absl::Milliseconds(2));
    ASSERT_OK(engine->Close());
    go.store(false);
    for (std::thread& t : senders) t.join();
    EXPECT_EQ(unfinished.load(), 0) << "round " << round;
  }
}

// Synchronous acks=all senders are gathered into one fsync (the appender
// waits for the group the last fsync released): none may be left waiting.
// Two pairs of threads share a partition, so some records join a batch
// another sender opened; every send must complete promptly and each
// partition's offsets must run 0, 1, 2, ... exactly once.
TEST(AppenderTest, GatheredSynchronousSendersAllComplete) {
  // On disk: gathering waits up to half an fsync, and an in-memory fsync
  // takes no time.
  TempDir dir;
  auto opened = Engine::Open(EngineOptions(), dir.Sub("data"));
  ASSERT_OK(opened);
  std::unique_ptr<Engine> engine = *std::move(opened);
  ASSERT_OK(engine->admin().CreateTopic("t", 2));
  ProducerOptions options = Immediate();
  options.acks = Acks::kAll;
  auto producer = engine->CreateProducer(options);
  ASSERT_OK(producer);
  constexpr int kThreads = 4;
  constexpr int kSends = 400;
  std::vector<std::vector<int64_t>> offsets(kThreads);
  std::atomic<int> failures{0};
  RunTogether(kThreads, [&](int t) {
    ProducerRecord r("t", "v");
    r.partition = t % 2;
    for (int i = 0; i < kSends; ++i) {
      // A lost wake-up would leave a send waiting for good: far longer
      // than a group-commit wait (at most 200 us) plus an fsync.
      auto md = (*producer)->Send(r).Get(absl::Seconds(20));
      if (!md.ok()) {
        ++failures;
        return;
      }
      offsets[t].push_back(md->offset);
    }
  });
  ASSERT_EQ(failures.load(), 0);
  for (int32_t p = 0; p < 2; ++p) {
    std::vector<int64_t> all;
    for (int t = p; t < kThreads; t += 2) {
      all.insert(all.end(), offsets[t].begin(), offsets[t].end());
    }
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), 2u * kSends);
    for (size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(all[i], static_cast<int64_t>(i)) << "partition " << p;
    }
  }
}

// Sends to "a" with a partitioner that looks up topic "b" first.
class CuriousPartitioner : public Partitioner {
 public:
  explicit CuriousPartitioner(Producer** other) : other_(other) {}
  int32_t Partition(absl::string_view, const Bytes&, const Bytes&,
                    int32_t) override {
    (*other_)->PartitionsFor("b").IgnoreError();
    return 0;
  }

 private:
  Producer** other_;
};

TEST(AppenderTest, PartitionerUsingAnotherTopicDoesNotRedirectTheRecord) {
  auto engine = OpenInMemory("partitioner");
  ASSERT_OK(engine->admin().CreateTopic("a", 3));
  ASSERT_OK(engine->admin().CreateTopic("b", 1));
  auto other = engine->CreateProducer(Immediate());
  ASSERT_OK(other);
  Producer* other_raw = other->get();
  ProducerOptions o = Immediate();
  o.partitioner = std::make_shared<CuriousPartitioner>(&other_raw);
  auto producer = engine->CreateProducer(o);
  ASSERT_OK(producer);
  auto md = (*producer)->Send({"a", "k", "v"}).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->topic, "a");
  auto a = engine->admin().DescribeTopic("a");
  auto b = engine->admin().DescribeTopic("b");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->partitions[0].log_end_offset, 1);
  EXPECT_EQ(b->partitions[0].log_end_offset, 0);
}

// Advance() racing with a waiter going to sleep must never leave it asleep.
// Each acks=all send from a new producer follows an fsynced round, whose
// group-commit wait may take the new producer's wake-up: its batch must
// still be written at once (with a ManualClock nothing else wakes the
// appender).
TEST(AppenderTest, AProducerRegisteredDuringGroupCommitIsDrained) {
  ManualClock clock;
  TempDir tmp;
  EngineOptions options;
  options.clock = &clock;
  auto engine = Engine::Open(options, tmp.Sub("data"));
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
  ProducerOptions acks_all = Immediate();
  acks_all.acks = Acks::kAll;
  for (int i = 0; i < 300; ++i) {
    auto producer = (*engine)->CreateProducer(acks_all);
    ASSERT_OK(producer);
    SendFuture sent = (*producer)->Send({"t", "k", "v"});
    absl::Notification done;
    std::thread waiter([&] {
      sent.Get().IgnoreError();
      done.Notify();
    });
    const bool completed =
        done.WaitForNotificationWithTimeout(absl::Seconds(10));
    if (!completed) (*engine)->Close().IgnoreError();  // Frees the waiter.
    waiter.join();
    ASSERT_TRUE(completed) << "send " << i << " never written";
    ASSERT_OK(sent.Get());
    ASSERT_OK((*producer)->Close());
  }
}

TEST(AppenderTest, ManualClockNeverMissesAWakeUp) {
  ManualClock clock;
  absl::Mutex mu;
  for (int i = 0; i < 2000; ++i) {
    const absl::Time deadline = clock.Now() + absl::Milliseconds(1);
    std::thread waiter([&] {
      absl::MutexLock lock(&mu);
      bool never = false;
      clock.AwaitWithDeadline(&mu, absl::Condition(&never), deadline);
    });
    clock.Advance(absl::Milliseconds(1));
    waiter.join();  // Hangs (and the test times out) on a missed wake-up.
  }
}

}  // namespace
}  // namespace brook
