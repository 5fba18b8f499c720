// The rebalance test README.md shows, kept compiling and passing here. Keep
// the two in step: the body between the markers is the README's code.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "brook/brook.h"
#include "brook/testing.h"
#include "gtest/gtest.h"

// --- README begin ---
TEST(Billing, SurvivorTakesOverACrashedMembersPartitions) {
  brook::ManualClock clock;
  brook::EngineOptions eo;
  eo.in_memory = true;
  eo.clock = &clock;
  auto engine = brook::Engine::Open(eo, "billing-test").value();
  ASSERT_TRUE(engine->admin().CreateTopic("orders", 4).ok());

  brook::ConsumerOptions co;
  co.group_id = "billing";
  co.enable_auto_commit = false;
  co.auto_offset_reset = brook::OffsetReset::kEarliest;
  co.session_timeout = absl::Seconds(10);
  auto a = engine->CreateConsumer(co).value();
  auto b = engine->CreateConsumer(co).value();
  ASSERT_TRUE(a->Subscribe({"orders"}).ok());
  ASSERT_TRUE(b->Subscribe({"orders"}).ok());

  // Polls a consumer a few times, counts what it reads per partition and
  // commits after processing.
  std::map<int, int> read_by_a, read_by_b;
  auto poll = [](brook::Consumer& c, std::map<int, int>& read, bool commit) {
    for (int i = 0; i < 3; ++i) {
      auto records = c.Poll(absl::ZeroDuration()).value();
      for (const brook::ConsumerRecord& r : records) ++read[r.partition];
      if (commit && !records.empty()) {
        ASSERT_TRUE(c.CommitSync().ok());
      }
    }
  };
  for (int round = 0; round < 2; ++round) {  // The rebalance runs in Poll.
    poll(*a, read_by_a, true);
    poll(*b, read_by_b, true);
  }
  ASSERT_TRUE(
      brook::testing::AwaitGroupStable(*engine, "billing", 2, absl::Seconds(5))
          .ok());
  EXPECT_EQ(a->Assignment().value().size(), 2u);
  EXPECT_EQ(b->Assignment().value().size(), 2u);

  auto producer = engine->CreateProducer({}).value();
  for (int p = 0; p < 4; ++p) {
    brook::ProducerRecord r("orders", "key", "order");
    r.partition = p;
    producer->Send(std::move(r));
  }
  ASSERT_TRUE(producer->Flush().ok());
  poll(*a, read_by_a, true);
  poll(*b, read_by_b, /*commit=*/false);  // b reads but never commits...
  ASSERT_TRUE(brook::testing::CrashConsumer(*b).ok());  // ...and dies.

  clock.Advance(absl::Seconds(11));  // Past session.timeout.ms: b is gone.
  poll(*a, read_by_a, true);
  ASSERT_TRUE(
      brook::testing::AwaitGroupStable(*engine, "billing", 1, absl::Seconds(5))
          .ok());
  EXPECT_EQ(a->Assignment().value().size(), 4u);
  // At least once: a re-reads what b read without committing.
  for (int p = 0; p < 4; ++p) EXPECT_EQ(read_by_a[p], 1) << "partition " << p;
}
// --- README end ---
