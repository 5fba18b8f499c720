// Consumer-group measurements of brook-bench: consume throughput of a group
// of consumers on their own threads, and how long a group of 100 consumers
// over 1,000 partitions takes to form and to rebalance when a member leaves
// or joins, for an eager and the cooperative assignor; and how long groups
// of 10, 100 and 1,000 consumers take to form and to close.
#ifndef BROOK_BENCH_GROUP_WORKLOADS_H_
#define BROOK_BENCH_GROUP_WORKLOADS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// Produces every record (untimed), then `members` consumers of one group,
// each on its own thread, Subscribe to the topic and read everything with
// CommitSync() after every Poll. Timed from the first Subscribe until every
// partition was read to its end (group formation included). Reports
// records/s.
absl::StatusOr<std::vector<Metric>> RunGroupConsume(const RunEnv& env,
                                                    int members);

// 100 consumers, each polling on its own thread (real clock), subscribe to a
// 1,000-partition topic with `strategy` ("range": eager; or
// "cooperative-sticky"). Reports, in ms: the time until the group is Stable
// with every partition assigned and collected; after one member Closes, the
// time until the others own every partition again; after a new member
// subscribes, the time until it is part of a Stable, fully assigned group
// (the cooperative follow-up rebalance included); and how many partitions
// changed owner in the join.
absl::StatusOr<std::vector<Metric>> RunRebalance(const RunEnv& env,
                                                 const std::string& strategy);

// `members` consumers (range assignor), each polling on its own thread (real
// clock), subscribe to a 1,000-partition topic. Reports, in ms, the time from
// their first Poll until the group is Stable with every partition assigned
// and collected; then, closing them one after another (each woken from its
// Poll, then Close, which leaves the group while the others keep polling),
// the time until the last Close returned.
absl::StatusOr<std::vector<Metric>> RunGroupFormClose(const RunEnv& env,
                                                      int members);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_GROUP_WORKLOADS_H_
