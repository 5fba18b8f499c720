// Smoke test of the three-node test cluster (tools/kafka/broker, CTest
// fixture kafka_cluster): three brokers serve a topic replicated three
// times; the partition's leader is SIGKILLed, a record is still accepted
// with acks=all, and the node comes back on its data.
#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "kafka/broker_env.h"
#include "kafka/rdkafka_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using rdkafka_testing::Client;

// Polls the metadata until it lists COUNT brokers; the last count or error.
absl::StatusOr<int> AwaitBrokerCount(rd_kafka_t* rk, int count) {
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  absl::StatusOr<int> brokers = rdkafka_testing::BrokerCount(rk);
  while ((!brokers.ok() || *brokers != count) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(200));  // a real broker: wall time
    brokers = rdkafka_testing::BrokerCount(rk);
  }
  return brokers;
}

TEST(KafkaClusterTest, SurvivesTheLeadersCrashAndTakesItBack) {
  absl::StatusOr<std::string> bootstrap = KafkaClusterBootstrap();
  ASSERT_OK(bootstrap);

  absl::StatusOr<Client> producer =
      rdkafka_testing::NewClient(RD_KAFKA_PRODUCER, *bootstrap,
                                 {{"acks", "all"},
                                  {"enable.idempotence", "true"},
                                  {"message.timeout.ms", "30000"}});
  ASSERT_OK(producer);
  absl::StatusOr<int> brokers = AwaitBrokerCount(producer->get(), 3);
  ASSERT_OK(brokers) << "no Kafka cluster answers at " << *bootstrap;
  ASSERT_EQ(*brokers, 3);

  std::string topic = rdkafka_testing::UniqueName("brook-cluster-test");
  ASSERT_OK(rdkafka_testing::CreateTopic(producer->get(), topic, 1));
  absl::StatusOr<int64_t> offset = rdkafka_testing::ProduceOne(
      producer->get(), topic, "before", absl::Seconds(30));
  ASSERT_OK(offset);
  absl::StatusOr<std::pair<int32_t, int>> leader =
      rdkafka_testing::LeaderAndReplicas(producer->get(), topic);
  ASSERT_OK(leader);
  EXPECT_EQ(leader->second, 3);

  ASSERT_OK(KillKafkaNode(leader->first));
  // Acked by the two others once the controller has fenced the dead
  // leader and moved the partition (its 3 s broker session).
  absl::StatusOr<int64_t> next = rdkafka_testing::ProduceOne(
      producer->get(), topic, "after", absl::Seconds(30));
  EXPECT_OK(next);
  if (next.ok()) {
    EXPECT_EQ(*next, *offset + 1);
  }
  absl::StatusOr<std::pair<int32_t, int>> new_leader =
      rdkafka_testing::LeaderAndReplicas(producer->get(), topic);
  ASSERT_OK(new_leader);
  EXPECT_NE(new_leader->first, leader->first);

  ASSERT_OK(StartKafkaNode(leader->first));
  brokers = AwaitBrokerCount(producer->get(), 3);
  ASSERT_OK(brokers);
  EXPECT_EQ(*brokers, 3);
  EXPECT_OK(rdkafka_testing::DeleteTopic(producer->get(), topic));
}

}  // namespace
}  // namespace brook
