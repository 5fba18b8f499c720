// librdkafka handles and the cluster metadata the producer and the Admin
// ask for: a topic's partitions (leader, replicas, ISR), the topic names.
#ifndef BROOK_LIB_KAFKA_KAFKA_METADATA_H_
#define BROOK_LIB_KAFKA_KAFKA_METADATA_H_

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kafka/kafka_config.h"

namespace brook {

// An rd_kafka_t, destroyed (rd_kafka_destroy) with its last reference.
using KafkaHandle = std::shared_ptr<rd_kafka_t>;

// rd_kafka_new of `type` with `conf` (consumed on success; InvalidConfig
// with librdkafka's reason otherwise).
absl::StatusOr<KafkaHandle> NewKafkaHandle(rd_kafka_type_t type,
                                           KafkaConf conf);

struct KafkaPartitionMetadata {
  int32_t partition = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

// The partitions of `topic`, sorted. UnknownTopicOrPartition when the
// cluster does not have it; the cluster's error (e.g. Timeout) otherwise.
absl::StatusOr<std::vector<KafkaPartitionMetadata>> TopicMetadata(
    rd_kafka_t* rk, absl::string_view topic, absl::Duration timeout);

// Kafka's internal topics, which ListTopics leaves out.
bool IsInternalTopic(absl::string_view topic);

// Every topic's name, sorted, without the internal ones.
absl::StatusOr<std::vector<std::string>> TopicNames(rd_kafka_t* rk,
                                                    absl::Duration timeout);

// Milliseconds for librdkafka's int timeouts: 0 and up, INT32_MAX at most
// (infinite too).
int TimeoutMs(absl::Duration timeout);

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_METADATA_H_
