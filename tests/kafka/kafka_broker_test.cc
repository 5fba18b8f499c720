// Smoke test of the one-node test broker (tools/kafka/broker, CTest
// fixture kafka_broker) through librdkafka, the client of brook's Kafka
// backend: it answers metadata, creates a topic, takes a record and hands
// it to a consumer group, which commits it. Run alone with no broker, it
// fails within seconds saying how to get one.
#include <string>

#include "gtest/gtest.h"
#include "kafka/broker_env.h"
#include "kafka/rdkafka_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using rdkafka_testing::Client;

TEST(KafkaBrokerTest, ServesMetadataTopicsAndAGroup) {
  absl::StatusOr<std::string> bootstrap = KafkaBrokerBootstrap();
  ASSERT_OK(bootstrap);

  absl::StatusOr<Client> producer = rdkafka_testing::NewClient(
      RD_KAFKA_PRODUCER, *bootstrap, {{"message.timeout.ms", "15000"}});
  ASSERT_OK(producer);
  absl::StatusOr<int> brokers = rdkafka_testing::BrokerCount(producer->get());
  ASSERT_OK(brokers) << "no Kafka broker answers at " << *bootstrap;
  EXPECT_GE(*brokers, 1);

  std::string topic = rdkafka_testing::UniqueName("brook-broker-test");
  ASSERT_OK(rdkafka_testing::CreateTopic(producer->get(), topic, 1));
  absl::StatusOr<int64_t> offset = rdkafka_testing::ProduceOne(
      producer->get(), topic, "hello broker", absl::Seconds(15));
  ASSERT_OK(offset);
  EXPECT_EQ(*offset, 0);

  absl::StatusOr<std::string> value =
      rdkafka_testing::ConsumeOne(*bootstrap, topic, topic, absl::Seconds(30));
  ASSERT_OK(value);
  EXPECT_EQ(*value, "hello broker");

  EXPECT_OK(rdkafka_testing::DeleteTopic(producer->get(), topic));
}

}  // namespace
}  // namespace brook
