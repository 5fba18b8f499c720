// Baseline (d): the floor of any durable log on this disk and scheduler,
// with no database in the way. Records are appended to one plain file with
// write(2) and made durable with fdatasync(2), the two system calls under a
// synchronous RocksDB write.
#ifndef BROOK_BENCH_FILE_BASELINES_H_
#define BROOK_BENCH_FILE_BASELINES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// (d) `threads` threads each append --sync-sends records one at a time, as
// brook's sync acks=all test sends them, each waiting until its record is
// synced. One thread writes and syncs its own record (no hand-off). Several
// threads use an ideal group commit: the member count is known, so the
// last of them to queue a record writes and syncs the whole group at once.
// Every fsync carries one record per thread and nobody waits on a timer,
// which no real log can promise, so its 4t/1t ratio is about the best group
// commit can reach on this machine. Checks the file's size afterwards.
// Reports sends/s.
absl::StatusOr<std::vector<Metric>> RunBaselineFileSync(const RunEnv& env,
                                                        int threads);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_FILE_BASELINES_H_
