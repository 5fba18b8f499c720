// Retention measurements of brook-bench: what enforcing retention.bytes
// costs a sustained producer, and whether the disk stays bounded by it.
#ifndef BROOK_BENCH_RETENTION_WORKLOADS_H_
#define BROOK_BENCH_RETENTION_WORKLOADS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// Produces 20,000,000 records (acks=1, the data set's sizes) to a topic of
// the configured partitions twice in the same run: without retention, then
// with retention.bytes of 64 MiB per partition checked every second (about
// four retention periods over the run with 100-byte values). Reports both
// rates, their ratio, and the data directory's peak and final size with
// retention against the retained bytes configured.
absl::StatusOr<std::vector<Metric>> RunRetentionSoak(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_RETENTION_WORKLOADS_H_
