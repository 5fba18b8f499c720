// The Kafka backend's measurements: the embedded engine's produce, consume
// and end-to-end workloads (brook_workloads.h) through brook's public API
// with a client on --bootstrap-server, each run on a fresh topic of the
// same partitions, records and sizes. rdkafka_baselines.h does the same
// work with librdkafka's C API, so the ratio of the two is what brook's
// wrapper costs.
#ifndef BROOK_BENCH_KAFKA_WORKLOADS_H_
#define BROOK_BENCH_KAFKA_WORKLOADS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"
#include "brook/options.h"

namespace brook {
namespace bench {

// Fire-and-forget Send of every record from one thread (producer defaults
// except `acks`), timed until Flush() returns. Reports records/s as
// kafka_produce_acks1 / kafka_produce_acksall.
absl::StatusOr<std::vector<Metric>> RunKafkaProduce(const RunEnv& env,
                                                    Acks acks);

// Fills the topic (untimed), then one consumer assigned every partition
// reads it all with PollRecords and a CommitSync after every poll, as
// RunConsume. Reports records/s as kafka_consume.
absl::StatusOr<std::vector<Metric>> RunKafkaConsume(const RunEnv& env);

// As RunEndToEnd: an acks=1, linger.ms=0 producer paced at --e2e-rate and a
// consumer thread polling; send-to-poll latency kafka_e2e_p50_us, ...
absl::StatusOr<std::vector<Metric>> RunKafkaEndToEnd(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_KAFKA_WORKLOADS_H_
