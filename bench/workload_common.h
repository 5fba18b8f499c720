// Pieces the brook workloads share: the benchmark topic and group, error
// annotation, opening a fresh engine with the topic, and filling it.
#ifndef BROOK_BENCH_WORKLOAD_COMMON_H_
#define BROOK_BENCH_WORKLOAD_COMMON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench_util.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/producer.h"

namespace brook {
namespace bench {

inline constexpr char kTopic[] = "bench";
inline constexpr char kGroup[] = "brook-bench";
// A consumer that sees nothing for this long while records are outstanding
// is reported as stalled (a library problem, not a slow machine).
inline constexpr double kStallSeconds = 30;

// `status` with `context` in front of its message, same code.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// Collects the first error seen by any thread.
class FirstError {
 public:
  void Set(const absl::Status& status);
  absl::Status Get();

 private:
  absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

// Starts `threads` threads together; thread t calls op(t, j) for j = 0 ..
// per_thread - 1, each call finishing before the next (a synchronous send),
// and all stop at the first error. Returns the seconds from the start until
// the last thread ended, or that error.
absl::StatusOr<double> TimeSynchronousCalls(
    int threads, int64_t per_thread,
    absl::FunctionRef<absl::Status(int t, int64_t j)> op);

// A fresh on-disk engine in the run's directory with the benchmark topic of
// `partitions` partitions (the configured count when 0).
absl::StatusOr<std::unique_ptr<Engine>> OpenWithTopic(const RunEnv& env,
                                                      int partitions = 0);

// Every partition of the benchmark topic (the configured count).
std::vector<TopicPartition> AllPartitions(const RunEnv& env);

// Record i of the data set, to `topic`. The strings are copied here
// because ProducerRecord owns its bytes: that copy is part of what a Send
// costs.
ProducerRecord MakeRecord(const Dataset& data, int64_t i,
                          absl::string_view topic = kTopic);

// For fire-and-forget sends: reports errors found at Send (which complete
// the future at once) without waiting for anything.
void CheckImmediate(const SendFuture& f, FirstError* errors);

// Checks, after the timed region, that the topic holds exactly `expected`
// records (the sum of the partitions' log end offsets).
absl::Status CheckStored(Engine& engine, int64_t expected);

absl::Status CloseEngine(std::unique_ptr<Engine> engine);

// --- The end-to-end latency test, on every backend ---

// Records sent by the latency test and the first ones not counted (they
// pay for first-touch costs: allocations, the consumer's first fetch).
int64_t EndToEndTotal(const Config& config);
int64_t EndToEndWarmup(int64_t total);

// Now on steady_clock, in ns (what the latency test's values carry).
int64_t SteadyNowNs();

// The latency test's sender: send i is due at start + i / rate (an
// absolute schedule, so a late wake-up is caught up on, never accumulated
// as drift); `send(i, sent_ns)` is called right after the steady_clock
// time `sent_ns` is taken and returns false to stop. Returns the seconds
// from the first send to the last and the worst lateness against the
// schedule in us.
struct PacedSends {
  double send_seconds = 0;
  double max_lag_us = 0;
  int64_t sent = 0;
};
PacedSends SendPaced(double rate, int64_t total,
                     absl::FunctionRef<bool(int64_t i, int64_t sent_ns)> send);

// The latency test's metrics: p50, p99, p99.9 and max of `latencies_us`
// (sorted here), the achieved send rate and the worst send lateness, ids
// "<prefix>_p50_us", ..., labels "<label> latency p50", ...
std::vector<Metric> LatencyMetrics(const std::string& prefix,
                                   const std::string& label,
                                   std::vector<double> latencies_us,
                                   const PacedSends& sends);

// The latency test through brook's public API, on either backend: sends
// EndToEndTotal records of `topic` (`partitions` partitions, empty) at
// --e2e-rate through `producer`, each value starting with its send time
// and sequence number, while a thread polls `consumer` (assigned every
// partition from its start) and checks each record arrives exactly once,
// in offset order per partition. The consumer polls for `consumer_start`
// before the first send. Closes both; returns LatencyMetrics.
absl::StatusOr<std::vector<Metric>> MeasureEndToEnd(
    const RunEnv& env, Producer& producer, Consumer& consumer,
    absl::string_view topic, int partitions, absl::Duration consumer_start,
    const std::string& id_prefix, const std::string& label);

// An engine on `dir` whose log cleaner checks every second, holding the
// benchmark topic (the configured partitions, created with `config`), and
// an acks=1 producer: the setting of the retention and compaction runs.
struct CleanedTopic {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Producer> producer;
};
absl::StatusOr<CleanedTopic> OpenCleanedTopic(const RunEnv& env,
                                              const std::string& dir,
                                              const Properties& config);

// Bytes of every file under `dir`.
int64_t DirBytes(const std::string& dir);

// Sends records [begin, end) fire-and-forget with `producer`.
void SendRange(Producer* producer, const Dataset& data, int64_t begin,
               int64_t end, FirstError* errors);

// Fills the topic with every record of the data set through an acks=1
// producer (untimed set-up) and checks they are all stored.
absl::Status FillTopic(Engine& engine, const Dataset& data);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_WORKLOAD_COMMON_H_
