// Topic-scaling measurements of brook-bench: what creating, reopening and
// holding many topics costs (RocksDB keeps one column family per topic and
// lists every family in a file it rewrites at each creation), and what a
// partition costs in memory.
#ifndef BROOK_BENCH_TOPIC_WORKLOADS_H_
#define BROOK_BENCH_TOPIC_WORKLOADS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// With `topics` topics (--topics) in one directory, in ms: creating all but
// one with one CreateTopics call, then the last with CreateTopic (the
// "N-th topic" target); deleting one and creating it again; reopening after
// one record went to each topic (RocksDB's recovery writes one table file
// per topic), and reopening again with nothing to recover. Also the file
// descriptors open after reading every topic.
absl::StatusOr<std::vector<Metric>> RunTopicScaling(const RunEnv& env);

// RSS and time of one topic of 1,000,000 partitions (created, described,
// reopened), per partition.
absl::StatusOr<std::vector<Metric>> RunWideTopic(const RunEnv& env);

// Reopening after 64 MiB of records went to one topic (acks=1) and the
// engine closed: its recovery replays them from the write-ahead log (and
// brook reads the log once more for proof of damage). In ms, with RocksDB's
// read-only open of the same directory (the replay alone) as the baseline.
absl::StatusOr<std::vector<Metric>> RunLogRecovery(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_TOPIC_WORKLOADS_H_
