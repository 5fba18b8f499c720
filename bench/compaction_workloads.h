// Compaction measurements of brook-bench: what compacting a keyed update
// workload costs its producer, how long cleaning takes, and how close the
// disk gets to the latest values.
#ifndef BROOK_BENCH_COMPACTION_WORKLOADS_H_
#define BROOK_BENCH_COMPACTION_WORKLOADS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// Produces 5,000,000 updates (acks=1, the data set's values) over 1,000,000
// keys to a topic of the configured partitions twice in the same run:
// cleanup.policy delete without retention, then compact with the periodic
// check every second. Reports both rates and their ratio, how long a
// CleanTopics of the compacted topic then takes, and the data directory's
// size after it against the bytes of the latest value of every key.
absl::StatusOr<std::vector<Metric>> RunCompaction(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_COMPACTION_WORKLOADS_H_
