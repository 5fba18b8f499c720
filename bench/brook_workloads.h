// The brook measurements of brook-bench, written against the public API only
// (brook/*.h), as an application would use it. Each opens a fresh engine in
// the run's directory, creates the benchmark topic, measures, and closes.
#ifndef BROOK_BENCH_BROOK_WORKLOADS_H_
#define BROOK_BENCH_BROOK_WORKLOADS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"
#include "brook/options.h"

namespace brook {
namespace bench {

// Fire-and-forget Send of every record from `threads` threads sharing one
// producer (producer defaults except `acks`), timed until Flush() returns.
// Reports records/s.
absl::StatusOr<std::vector<Metric>> RunProduce(const RunEnv& env, Acks acks,
                                               int threads);

// acks=all, linger.ms=0: each of `threads` threads (one shared producer)
// waits for every send's acknowledgement before the next. Reports sends/s.
absl::StatusOr<std::vector<Metric>> RunSyncSends(const RunEnv& env,
                                                 int threads);

// Produces every record (untimed), then one consumer assigned all partitions
// reads them all with CommitSync() after every poll, twice: with PollRecords
// ("consume") and with Poll ("consume_owned"). Reports records/s.
absl::StatusOr<std::vector<Metric>> RunConsume(const RunEnv& env);

// Produces --records records with one acks=1 producer, then reads them all
// back (as RunConsume, PollRecords): both rates, the write amplification
// of the whole run (bytes the process wrote, background compactions
// included, over key + value bytes) and the disk use after producing over
// the record bytes. With --records 1M, 10M and 50M it shows whether the
// rate holds as the log grows.
absl::StatusOr<std::vector<Metric>> RunSustained(const RunEnv& env);

// A producer (acks=1, linger.ms=0) paced at the configured rate and a
// consumer thread polling; reports send-to-poll latency p50/p99/p99.9 in us.
absl::StatusOr<std::vector<Metric>> RunEndToEnd(const RunEnv& env);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_BROOK_WORKLOADS_H_
