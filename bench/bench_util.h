// Shared pieces of brook-bench: the run configuration, the pre-built data set
// (keys and values made once, outside every timed region), the metrics a
// measurement reports, and small timing and statistics helpers.
#ifndef BROOK_BENCH_BENCH_UTIL_H_
#define BROOK_BENCH_BENCH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace brook {
namespace bench {

// Command-line settings; defaults are the documented benchmark setup.
struct Config {
  // --records: records per throughput measurement.
  int64_t records = 1000000;
  // --value-bytes, --key-bytes: record sizes. Keys are distinct zero-padded
  // decimal counters.
  int value_bytes = 100;
  int key_bytes = 16;
  // --partitions: partitions of the benchmark topic.
  int partitions = 8;
  // --runs: runs per measurement; the median is reported.
  int runs = 1;
  // --interleave: run 1 of every measurement, then run 2 of each, and so
  // on, instead of all runs of one measurement before the next.
  bool interleave = false;
  // --sync-sends: acknowledged sends per thread in the sync acks=all test.
  int64_t sync_sends = 2000;
  // --e2e-rate, --e2e-seconds: the paced end-to-end latency test.
  double e2e_rate = 10000;
  double e2e_seconds = 5;
  // --topics: topics of the topic-scaling measurement.
  int topics = 1000;
  // --run-timeout: seconds one run of one measurement may take before the
  // watchdog reports a hang and exits.
  double run_timeout_s = 1200;
  // --json: print one JSON document on stdout instead of the table.
  bool json = false;
  // --bootstrap-server: the Kafka broker of the kafka group (host:port);
  // empty skips that group.
  std::string bootstrap_server;
};

// Keys and values for every measurement, built once. Keys are distinct
// (record i has key "000...i"); values cycle through a pool of pseudo-random
// printable strings (the same bytes for brook and for the baselines), so the
// process does not hold N values in memory.
class Dataset {
 public:
  Dataset(int64_t records, int key_bytes, int value_bytes);
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  int64_t records() const { return records_; }
  int key_bytes() const { return key_bytes_; }
  int value_bytes() const { return value_bytes_; }
  // Bytes this object holds (it counts in the process's peak RSS).
  int64_t memory_bytes() const {
    return static_cast<int64_t>(keys_.size() + values_.size());
  }
  // Key plus value bytes of one record (what MB/s counts).
  int64_t record_bytes() const { return key_bytes_ + value_bytes_; }

  // Record i's key. REQUIRES: 0 <= i < records().
  absl::string_view key(int64_t i) const {
    return absl::string_view(keys_.data() + i * key_bytes_, key_bytes_);
  }
  // Record i's value (any i >= 0; values repeat every kValuePool records).
  absl::string_view value(int64_t i) const {
    return absl::string_view(values_.data() + (i % kValuePool) * value_bytes_,
                             value_bytes_);
  }

 private:
  static constexpr int64_t kValuePool = 4096;

  const int64_t records_;
  const int key_bytes_;
  const int value_bytes_;
  std::string keys_;    // records_ keys, back to back.
  std::string values_;  // kValuePool values, back to back.
};

// One reported number of one run, e.g. {"produce_acks1_1t", "produce
// acks=1, 1 thread", "records/s", 812345}. `record_bytes` > 0 marks a rate of
// records of that size, so the report can also show MB/s.
struct Metric {
  std::string id;
  std::string label;
  std::string unit;
  double value = 0;
  int64_t record_bytes = 0;
};

// "1 thread", "4 threads": for labels.
std::string ThreadCount(int threads);

// The rate of `sends` acknowledged one at a time by each of `threads`
// threads in `seconds`: id "<id_prefix>_<threads>t", label
// "<label_prefix>, <ThreadCount>", unit sends/s.
Metric SyncSendRate(absl::string_view id_prefix, absl::string_view label_prefix,
                    int threads, double sends, double seconds);

// Everything one run of a measurement gets: a fresh, empty data directory.
struct RunEnv {
  const Config* config;
  const Dataset* data;
  std::string dir;
};

using Clock = std::chrono::steady_clock;

// Bytes this process has passed to write() and its kin so far, every
// thread included (/proc/self/io "wchar"); -1 when unknown. Differences
// give write amplification: what a run wrote to its files over what it was
// given.
int64_t ProcessWrittenBytes();

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Median of `values` (mean of the middle two for an even count); 0 if empty.
double Median(std::vector<double> values);

// Value at quantile q (0..1, nearest rank) of sorted `values`.
double Quantile(const std::vector<double>& sorted, double q);

// Peak resident set size of this process so far (getrusage), in MiB.
double PeakRssMib();

// User plus system CPU time of this process so far, in seconds.
double CpuSeconds();

// Writes `s` as a JSON string literal (with quotes).
std::string JsonString(absl::string_view s);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_BENCH_UTIL_H_
