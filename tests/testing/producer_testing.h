// Helpers shared by the producer tests: producer options by intent and a
// fixture with a fresh in-memory engine on a ManualClock.
#ifndef BROOK_TESTS_TESTING_PRODUCER_TESTING_H_
#define BROOK_TESTS_TESTING_PRODUCER_TESTING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {

// A producer that writes as soon as it can (no linger) and completes after
// the WAL write.
inline ProducerOptions Immediate() {
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = absl::ZeroDuration();
  return o;
}

// Every test gets a fresh in-memory engine driven by a ManualClock (time
// only moves when the test says so).
class InMemoryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenEngine(EngineOptions()); }

  void OpenEngine(EngineOptions options) {
    options.in_memory = true;
    if (options.clock == nullptr) options.clock = &clock_;
    auto engine = Engine::Open(
        options,
        std::string("/mem/") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  std::unique_ptr<Producer> NewProducer(const ProducerOptions& options) {
    auto producer = engine_->CreateProducer(options);
    EXPECT_OK(producer);
    return producer.ok() ? std::move(*producer) : nullptr;
  }

  std::unique_ptr<Consumer> NewConsumer(const ConsumerOptions& options) {
    auto consumer = engine_->CreateConsumer(options);
    EXPECT_OK(consumer);
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  // Every record of `tp` from the log start, read with a fresh consumer.
  std::vector<ConsumerRecord> ReadAll(const TopicPartition& tp) {
    ConsumerOptions co;
    co.auto_offset_reset = OffsetReset::kEarliest;
    co.max_poll_records = 10000;
    std::unique_ptr<Consumer> consumer = NewConsumer(co);
    if (consumer == nullptr) return {};
    EXPECT_OK(consumer->Assign({tp}));
    std::vector<ConsumerRecord> out;
    for (;;) {
      auto records = consumer->Poll(absl::ZeroDuration());
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) break;
      out.insert(out.end(), records->begin(), records->end());
    }
    return out;
  }

  int64_t EndOffset(const std::string& topic, int32_t partition) {
    auto d = engine_->admin().DescribeTopic(topic);
    EXPECT_OK(d);
    if (!d.ok()) return -1;
    return d->partitions.at(partition).log_end_offset;
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_PRODUCER_TESTING_H_
