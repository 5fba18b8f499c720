// Helpers shared by the consumer-group tests: in-memory engines on a
// ManualClock, a listener that records its calls, and polling in rounds.
#ifndef BROOK_TESTS_TESTING_GROUP_TESTING_H_
#define BROOK_TESTS_TESTING_GROUP_TESTING_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "brook/rebalance_listener.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"

namespace brook {

// A label for an in-memory engine, unique to the running test.
inline std::string TestLabel() {
  return std::string("/mem/") +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// "t-0,t-1".
inline std::string Str(const std::vector<TopicPartition>& partitions) {
  std::vector<std::string> parts;
  for (const TopicPartition& tp : partitions) parts.push_back(tp.ToString());
  return absl::StrJoin(parts, ",");
}

// An in-memory engine on `clock`, labelled for the running test.
inline std::unique_ptr<Engine> OpenInMemory(ManualClock* clock) {
  EngineOptions o;
  o.in_memory = true;
  o.clock = clock;
  auto engine = Engine::Open(o, TestLabel());
  EXPECT_OK(engine);
  return engine.ok() ? std::move(*engine) : nullptr;
}

// A producer that writes every record at once (acks=1, linger.ms=0).
inline std::unique_ptr<Producer> ImmediateProducer(Engine& engine) {
  auto producer = engine.CreateProducer(Immediate());
  EXPECT_OK(producer);
  return producer.ok() ? std::move(*producer) : nullptr;
}

// Sends `n` records ("k<i>", "v<i>") to `tp` and flushes.
inline void ProduceTo(Producer& producer, const TopicPartition& tp, int n) {
  for (int i = 0; i < n; ++i) {
    ProducerRecord r(tp.topic, "k" + std::to_string(i),
                     "v" + std::to_string(i));
    r.partition = tp.partition;
    producer.Send(std::move(r));
  }
  EXPECT_OK(producer.Flush());
}

// A fresh in-memory engine on a ManualClock, with a producer that writes
// at once; fixtures of the group tests add their members.
class GroupEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenInMemory(&clock_);
    ASSERT_NE(engine_, nullptr);
    producer_ = ImmediateProducer(*engine_);
    ASSERT_NE(producer_, nullptr);
  }

  void Produce(const TopicPartition& tp, int n) {
    ProduceTo(*producer_, tp, n);
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
};

// Records listener calls as "revoked:t-0,t-1", "assigned:", "lost:t-2".
class RecordingListener : public ConsumerRebalanceListener {
 public:
  void OnPartitionsRevoked(
      const std::vector<TopicPartition>& partitions) override {
    events.push_back("revoked:" + Str(partitions));
    if (on_revoked) on_revoked(partitions);
  }
  void OnPartitionsAssigned(
      const std::vector<TopicPartition>& partitions) override {
    events.push_back("assigned:" + Str(partitions));
    if (on_assigned) on_assigned(partitions);
  }
  void OnPartitionsLost(
      const std::vector<TopicPartition>& partitions) override {
    events.push_back("lost:" + Str(partitions));
  }

  std::vector<std::string> events;
  std::function<void(const std::vector<TopicPartition>&)> on_revoked;
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
};

// Polls every consumer with a zero timeout, `rounds` times; returns what
// each one read.
inline std::vector<std::vector<ConsumerRecord>> Rounds(
    const std::vector<Consumer*>& consumers, int rounds = 4) {
  std::vector<std::vector<ConsumerRecord>> out(consumers.size());
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < consumers.size(); ++i) {
      auto records = consumers[i]->Poll(absl::ZeroDuration());
      EXPECT_OK(records);
      if (records.ok()) {
        out[i].insert(out[i].end(), records->begin(), records->end());
      }
    }
  }
  return out;
}

inline std::vector<TopicPartition> AssignmentOf(Consumer& c) {
  auto a = c.Assignment();
  EXPECT_OK(a);
  return a.ok() ? *a : std::vector<TopicPartition>{};
}

inline int32_t GenerationOf(Consumer& c) {
  auto m = c.GroupMetadata();
  EXPECT_OK(m);
  return m.ok() ? m->generation_id : -2;
}

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_GROUP_TESTING_H_
