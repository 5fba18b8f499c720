// Raw librdkafka baselines: the Kafka backend's produce, consume and
// end-to-end workloads (kafka_workloads.h) written directly against
// librdkafka's C API, with the librdkafka settings brook's Kafka backend
// derives from the same options (lib/kafka/kafka_config.cc) and the same
// structure (delivery reports as events served by one poller thread; one
// consumer polling message by message), so that brook / raw is what the
// wrapper costs. The one place outside lib/kafka that uses librdkafka
// directly: it measures librdkafka itself. Topics are made, filled and
// checked as for the Kafka backend (kafka_common.h), untimed.
#ifndef BROOK_BENCH_RDKAFKA_BASELINES_H_
#define BROOK_BENCH_RDKAFKA_BASELINES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"
#include "brook/options.h"

namespace brook {
namespace bench {

// rd_kafka_producev of every record (RD_KAFKA_MSG_F_COPY) from one thread,
// timed until rd_kafka_flush returned and every delivery report was
// counted. Reports raw_rdkafka_produce_acks1 / _acksall.
absl::StatusOr<std::vector<Metric>> RunRawProduce(const RunEnv& env, Acks acks);

// Fills the topic (untimed), then rd_kafka_assign of every partition from
// the beginning and rd_kafka_consumer_poll in batches of up to
// max.poll.records, a synchronous rd_kafka_commit after each. Reports
// raw_rdkafka_consume.
absl::StatusOr<std::vector<Metric>> RunRawConsume(const RunEnv& env);

// The latency test with an acks=1, linger.ms=0 librdkafka producer and a
// consumer thread on rd_kafka_consumer_poll: raw_rdkafka_e2e_p50_us, ...
absl::StatusOr<std::vector<Metric>> RunRawEndToEnd(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_RDKAFKA_BASELINES_H_
