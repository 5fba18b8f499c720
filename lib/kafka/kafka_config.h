// librdkafka configurations built from brook's options and Kafka client
// properties. Kafka's Java names are translated where librdkafka spells them
// differently, Java-only keys without a librdkafka meaning are dropped, and
// where librdkafka's defaults differ from the Java client's (the
// partitioner, idempotence, batch.size, timeouts, isolation.level, ...)
// brook's value is set explicitly (SCALE-OUT.md §1.8). A key librdkafka
// refuses is InvalidConfig naming it, with librdkafka's reason.
#ifndef BROOK_LIB_KAFKA_KAFKA_CONFIG_H_
#define BROOK_LIB_KAFKA_KAFKA_CONFIG_H_

#include <librdkafka/rdkafka.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/options.h"

namespace brook {

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

// rd_kafka_conf_set; InvalidConfig "<key>: <librdkafka's reason>" when it
// refuses. `shown_as` names the key in the message when brook's name
// differs from librdkafka's (empty: `key`).
absl::Status SetKafkaConf(rd_kafka_conf_t* conf, absl::string_view key,
                          absl::string_view value,
                          absl::string_view shown_as = {});

// Applies Kafka client properties by their Java names: dropped when
// Java-only (serializers, interceptors, metrics reporters, ...), translated
// when librdkafka names them differently (send.buffer.bytes,
// fetch.max.wait.ms, metadata.max.age.ms, compression.<codec>.level, ...),
// passed on otherwise.
absl::Status ApplyKafkaProperties(rd_kafka_conf_t* conf,
                                  const Properties& props);

// The configuration every handle of a client starts from: the client's
// properties (bootstrap.servers, security, ...) applied as above.
absl::StatusOr<KafkaConf> NewBaseConf(const Properties& client);

// A producer's: the base, then `o.cluster`, then brook's typed settings with
// Kafka's Java defaults (SCALE-OUT.md §1.8). REQUIRES: `o` completed by
// CompleteProducerOptions. The partitioner is librdkafka's murmur2_random
// (Kafka's murmur2 for keys; custom partitioners run in the producer).
absl::StatusOr<KafkaConf> NewProducerConf(const Properties& client,
                                          const ProducerOptions& o);

// A consumer's: the base, then `o.cluster`, then brook's typed settings:
// isolation.level read_uncommitted (unless given), enable.auto.offset.store
// false (offsets are stored from positions, as Kafka's Java consumer
// commits them), auto.offset.reset earliest / latest / error,
// topic.metadata.refresh.interval.ms from metadata.max.age.ms,
// allow.auto.create.topics false, enable.partition.eof false, and the
// assignment strategies mapped as KafkaAssignmentStrategy says.
absl::StatusOr<KafkaConf> NewConsumerConf(const Properties& client,
                                          const ConsumerOptions& o);

// librdkafka's partition.assignment.strategy for brook's list: range,
// roundrobin and cooperative-sticky (or Kafka's class names) map to
// themselves; Kafka 4's default {range, cooperative-sticky}, which runs
// eager range in Java until every member drops range, becomes "range".
// InvalidConfig for eager "sticky" (librdkafka has none), for any other
// list mixing eager and cooperative strategies (librdkafka refuses mixes),
// and for names librdkafka does not know (custom assignors cannot be
// plugged into librdkafka 2.0.2).
absl::StatusOr<std::string> KafkaAssignmentStrategy(
    const std::vector<std::string>& strategies);

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_CONFIG_H_
