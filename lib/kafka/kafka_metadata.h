// librdkafka handles and the cluster metadata the producer, the consumer
// and the Admin ask for: a topic's partitions (leader, replicas, ISR), the
// topic names, a partition's watermarks.
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

// Low and high watermark of a partition, asked of its leader within
// `timeout`; UnknownTopicOrPartition when the partition is missing. Through
// rd_kafka_offsets_for_times (timestamp -2 / -1), not
// rd_kafka_query_watermark_offsets: before librdkafka 2.3.0 that one
// ignores its timeout and waits for the leader it found first, forever
// when that broker has crashed (librdkafka #2588, fixed by #4460).
absl::Status Watermarks(rd_kafka_t* rk, const std::string& topic,
                        int32_t partition, absl::Duration timeout,
                        int64_t* low, int64_t* high);

// Milliseconds for librdkafka's int timeouts: 0 and up, INT32_MAX at most
// (infinite too).
int TimeoutMs(absl::Duration timeout);

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_METADATA_H_
