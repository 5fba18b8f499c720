// The peak-RSS measurement: a whole 1M-record run (produce every record,
// then consume them all with a commit per poll) in a process of its own, so
// that neither the other measurements nor the allocator's memory kept from
// them count. The parent re-executes brook-bench in child mode and reads the
// child's peak RSS from wait4().
#ifndef BROOK_BENCH_RSS_RUN_H_
#define BROOK_BENCH_RSS_RUN_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// The first argument that puts brook-bench in child mode.
inline constexpr char kRssChildFlag[] = "--rss-child";

// Runs the child and reports its peak RSS in MiB.
absl::StatusOr<std::vector<Metric>> RunIsolatedRss(const RunEnv& env);

// Child mode: `argv` is {kRssChildFlag, dir, records, key_bytes,
// value_bytes, partitions}. Returns the process exit code.
int RssChildMain(int argc, char** argv);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_RSS_RUN_H_
