// brook-bench: produce and consume throughput, sync acks=all group commit,
// end-to-end latency and peak RSS of brook, next to plain-RocksDB and
// plain-file baselines measured in the same run. Results go to stdout (a table,
// or one JSON document with --json); progress goes to stderr. Run with --help.

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench_util.h"
#include "brook/options.h"
#include "brook_workloads.h"
#include "compaction_workloads.h"
#include "file_baselines.h"
#include "group_workloads.h"
#include "retention_workloads.h"
#include "topic_workloads.h"
#include "rocksdb_baselines.h"
#include "rss_run.h"
#ifdef BROOK_BENCH_WITH_KAFKA
#include "kafka_workloads.h"
#include "rdkafka_baselines.h"
#endif

namespace brook {
namespace bench {
namespace {

namespace fs = std::filesystem;

const Clock::time_point g_process_start = Clock::now();

// Progress line on stderr, prefixed with the time since start.
template <typename... Args>
void Progress(const absl::FormatSpec<Args...>& format, const Args&... args) {
  std::fprintf(stderr, "[%7.1fs] %s\n", SecondsSince(g_process_start),
               absl::StrFormat(format, args...).c_str());
}

constexpr char kUsage[] = R"(usage: brook-bench [flags]

Measures brook (public API, on-disk engines) next to plain RocksDB and
plain file baselines.
Every run of every measurement gets a fresh data directory.

  --records N         records per throughput measurement (default 1000000)
  --value-bytes B     value size (default 100; at least 16)
  --key-bytes B       key size; keys are zero-padded counters (default 16)
  --partitions P      partitions of the benchmark topic (default 8)
  --runs K            runs per measurement; the median is reported (default 1)
  --interleave        with --runs: run every measurement once, then again, K
                      times, so that ratios see the same machine drift (the
                      "peak RSS after the brook measurements" line is then
                      left out: baselines run in between)
  --only A[,B...]     run a subset: a group (produce, sync, consume, e2e,
                      group, groupsize, rebalance, topics, recovery, retention,
                      compaction, sustained, rss, baseline, kafka) or a
                      measurement name (see --list)
  --list              print the measurement names and exit
  --dir DIR           put run directories under DIR (kept; the run
                      directories are removed). Default: a fresh mkdtemp
                      directory under /tmp, removed at exit
  --json              print one JSON document on stdout instead of the table
  --sync-sends N      acknowledged sends per thread: sync test, baselines
                      (c) and (d) (default 2000)
  --e2e-rate R        records/s of the latency test (default 10000)
  --e2e-seconds S     duration of the latency test (default 5)
  --topics N          topics of the topic-scaling measurement (default 1000)
  --run-timeout S     seconds before one run counts as hung (default 1200)
  --bootstrap-server HOST:PORT
                      the Kafka broker of the kafka group: brook's Kafka
                      backend next to raw librdkafka doing the same work,
                      each run on a fresh topic (created and deleted on that
                      broker). Without it the kafka group is skipped
)";

// ---------------------------------------------------------------------------
// Flags.

struct Flags {
  Config config;
  std::vector<std::string> only;
  std::string dir;
  bool list = false;
};

template <typename T>
bool ParseNumber(absl::string_view text, T* out) {
  if constexpr (std::is_floating_point_v<T>) {
    double d;
    if (!absl::SimpleAtod(text, &d)) return false;
    *out = d;
    return true;
  } else {
    int64_t v;
    if (!absl::SimpleAtoi(text, &v)) return false;
    *out = static_cast<T>(v);
    return static_cast<int64_t>(*out) == v;
  }
}

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  Config& c = flags.config;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> absl::StatusOr<std::string> {
      if (has_value) return value;
      if (i + 1 >= argc) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      return std::string(argv[++i]);
    };
    auto number = [&](auto* out) -> absl::Status {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      if (!ParseNumber(*v, out)) {
        return absl::InvalidArgumentError(
            absl::StrCat(arg, ": not a number: ", *v));
      }
      return absl::OkStatus();
    };
    absl::Status s;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--records") {
      s = number(&c.records);
    } else if (arg == "--value-bytes") {
      s = number(&c.value_bytes);
    } else if (arg == "--key-bytes") {
      s = number(&c.key_bytes);
    } else if (arg == "--partitions") {
      s = number(&c.partitions);
    } else if (arg == "--runs") {
      s = number(&c.runs);
    } else if (arg == "--sync-sends") {
      s = number(&c.sync_sends);
    } else if (arg == "--e2e-rate") {
      s = number(&c.e2e_rate);
    } else if (arg == "--e2e-seconds") {
      s = number(&c.e2e_seconds);
    } else if (arg == "--topics") {
      s = number(&c.topics);
    } else if (arg == "--run-timeout") {
      s = number(&c.run_timeout_s);
    } else if (arg == "--bootstrap-server") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      c.bootstrap_server = *v;
    } else if (arg == "--json") {
      c.json = true;
    } else if (arg == "--interleave") {
      c.interleave = true;
    } else if (arg == "--list") {
      flags.list = true;
    } else if (arg == "--only") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      for (absl::string_view name :
           absl::StrSplit(*v, ',', absl::SkipEmpty())) {
        flags.only.emplace_back(name);
      }
    } else if (arg == "--dir") {
      absl::StatusOr<std::string> v = next();
      if (!v.ok()) return v.status();
      flags.dir = *v;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, " (see --help)"));
    }
    if (!s.ok()) return s;
  }
  if (c.records < 1)
    return absl::InvalidArgumentError("--records must be >= 1");
  if (c.partitions < 1) {
    return absl::InvalidArgumentError("--partitions must be >= 1");
  }
  if (c.runs < 1) return absl::InvalidArgumentError("--runs must be >= 1");
  if (c.value_bytes < 16 || c.value_bytes > (1 << 20)) {
    // The latency test stores a timestamp and a sequence number in the value.
    return absl::InvalidArgumentError("--value-bytes must be in [16, 1048576]");
  }
  const int digits = static_cast<int>(std::to_string(c.records - 1).size());
  if (c.key_bytes < digits || c.key_bytes > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("--key-bytes must be in [", digits, ", 4096] for ",
                     c.records, " distinct zero-padded keys"));
  }
  if (c.topics < 2) return absl::InvalidArgumentError("--topics must be >= 2");
  if (c.sync_sends < 1) {
    return absl::InvalidArgumentError("--sync-sends must be >= 1");
  }
  if (!(c.e2e_rate > 0) || !(c.e2e_seconds > 0)) {
    return absl::InvalidArgumentError(
        "--e2e-rate and --e2e-seconds must be positive");
  }
  if (!(c.run_timeout_s > 0)) {
    return absl::InvalidArgumentError("--run-timeout must be positive");
  }
  return flags;
}

// ---------------------------------------------------------------------------
// Measurements.

// The measurements against a Kafka broker (--bootstrap-server).
constexpr char kKafkaGroup[] = "kafka";

struct Measurement {
  std::string name;   // For --only.
  std::string group;  // For --only.
  std::string label;  // For progress.
  std::function<absl::StatusOr<std::vector<Metric>>(const RunEnv&)> run;
  bool uses_brook = true;
};

std::vector<Measurement> AllMeasurements() {
  std::vector<Measurement> m;
  for (Acks acks : {Acks::kLeader, Acks::kAll}) {
    for (int threads : {1, 4}) {
      const char* a = acks == Acks::kAll ? "all" : "1";
      m.push_back(
          {absl::StrFormat("produce_acks%s_%dt", a, threads), "produce",
           absl::StrFormat("produce acks=%s, %s", a, ThreadCount(threads)),
           [acks, threads](const RunEnv& env) {
             return RunProduce(env, acks, threads);
           }});
    }
  }
  for (int threads : {1, 4}) {
    m.push_back(
        {absl::StrFormat("sync_acksall_%dt", threads), "sync",
         absl::StrCat("sync acks=all, ", ThreadCount(threads)),
         [threads](const RunEnv& env) { return RunSyncSends(env, threads); }});
  }
  m.push_back(
      {"consume", "consume", "consume (produce untimed first)", RunConsume});
  m.push_back({"e2e", "e2e", "end-to-end latency", RunEndToEnd});
  for (int members : {1, 4}) {
    m.push_back({absl::StrFormat("group_consume_%dm", members), "group",
                 absl::StrFormat("group consume, %d member%s", members,
                                 members == 1 ? "" : "s"),
                 [members](const RunEnv& env) {
                   return RunGroupConsume(env, members);
                 }});
  }
  for (const char* strategy : {"range", "cooperative-sticky"}) {
    m.push_back(
        {absl::StrCat("rebalance_",
                      std::string(strategy) == "range" ? "eager" : "coop"),
         "rebalance",
         absl::StrCat("rebalance of 100 consumers over 1000 "
                      "partitions, ",
                      strategy),
         [strategy](const RunEnv& env) {
           return RunRebalance(env, strategy);
         }});
  }
  for (int members : {10, 100, 1000}) {
    m.push_back({absl::StrFormat("group_form_%dm", members), "groupsize",
                 absl::StrFormat("%d consumers over 1000 partitions form a "
                                 "group, then close",
                                 members),
                 [members](const RunEnv& env) {
                   return RunGroupFormClose(env, members);
                 }});
  }
  m.push_back({"topics_scaling", "topics",
               "topic scaling: create, delete, reopen", RunTopicScaling});
  m.push_back({"retention_soak", "retention",
               "produce with and without retention.bytes", RunRetentionSoak});
  m.push_back({"sustained", "sustained",
               "sustained produce, then consume, with write amplification",
               RunSustained});
  m.push_back({"baseline_e_packed", "baseline",
               "RocksDB (e) Put per 100 records, no compaction",
               RunBaselinePackedNoCompaction, false});
  m.push_back({"baseline_f_packed", "baseline",
               "RocksDB (f) Put per 100 records, family per partition",
               RunBaselinePackedFamilyPerPartition, false});
  m.push_back({"compaction", "compaction",
               "keyed updates with and without compaction", RunCompaction});
  m.push_back({"recovery", "recovery",
               "reopen replaying 64 MiB of write-ahead log", RunLogRecovery});
  m.push_back({"topics_wide", "topics",
               "one topic of the most partitions allowed", RunWideTopic});
  m.push_back({"rss", "rss",
               "peak RSS of a produce+consume run in its own process",
               RunIsolatedRss});
  m.push_back({"baseline_a_put", "baseline", "RocksDB (a) Put per record",
               RunBaselinePutPerRecord, false});
  m.push_back({"baseline_b_packed", "baseline",
               "RocksDB (b) Put per 100 records", RunBaselinePacked, false});
  m.push_back({"baseline_a_scan", "baseline",
               "RocksDB (a) full scan (write untimed first)", RunBaselineScan,
               false});
  for (int threads : {1, 4}) {
    m.push_back({absl::StrFormat("baseline_c_sync_%dt", threads), "baseline",
                 absl::StrCat("RocksDB (c) sync Put, ", ThreadCount(threads)),
                 [threads](const RunEnv& env) {
                   return RunBaselineSyncPuts(env, threads);
                 },
                 false});
  }
  for (int threads : {1, 4}) {
    m.push_back(
        {absl::StrFormat("baseline_d_file_sync_%dt", threads), "baseline",
         absl::StrCat("file (d) write+fdatasync, ", ThreadCount(threads)),
         [threads](const RunEnv& env) {
           return RunBaselineFileSync(env, threads);
         },
         false});
  }
#ifdef BROOK_BENCH_WITH_KAFKA
  // Brook's Kafka backend and raw librdkafka, side by side so that an
  // interleaved run alternates them.
  for (Acks acks : {Acks::kLeader, Acks::kAll}) {
    const char* a = acks == Acks::kAll ? "all" : "1";
    m.push_back({absl::StrCat("kafka_produce_acks", a), kKafkaGroup,
                 absl::StrCat("Kafka backend: produce acks=", a),
                 [acks](const RunEnv& env) {
                   return RunKafkaProduce(env, acks);
                 }});
    m.push_back({absl::StrCat("raw_rdkafka_produce_acks", a), kKafkaGroup,
                 absl::StrCat("raw librdkafka: produce acks=", a),
                 [acks](const RunEnv& env) { return RunRawProduce(env, acks); },
                 false});
  }
  m.push_back({"kafka_consume", kKafkaGroup,
               "Kafka backend: consume (produce untimed first)",
               RunKafkaConsume});
  m.push_back({"raw_rdkafka_consume", kKafkaGroup,
               "raw librdkafka: consume (produce untimed first)",
               RunRawConsume, false});
  m.push_back({"kafka_e2e", kKafkaGroup, "Kafka backend: end-to-end latency",
               RunKafkaEndToEnd});
  m.push_back({"raw_rdkafka_e2e", kKafkaGroup,
               "raw librdkafka: end-to-end latency", RunRawEndToEnd, false});
#endif
  return m;
}

absl::StatusOr<std::vector<Measurement>> Select(
    const std::vector<std::string>& only) {
  std::vector<Measurement> all = AllMeasurements();
  if (only.empty()) return all;
  for (const std::string& name : only) {
    const bool known =
        name == kKafkaGroup ||
        std::any_of(all.begin(), all.end(), [&](const auto& m) {
          return m.name == name || m.group == name;
        });
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("--only: unknown measurement ", name, " (see --list)"));
    }
  }
  std::vector<Measurement> out;
  for (Measurement& m : all) {
    if (std::find(only.begin(), only.end(), m.name) != only.end() ||
        std::find(only.begin(), only.end(), m.group) != only.end()) {
      out.push_back(std::move(m));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Directories and the watchdog.

// Where run directories go. A directory made by mkdtemp is removed at exit;
// one given with --dir is kept (only the run directories are removed).
struct RootDir {
  std::string path;
  bool owned = false;
};

absl::StatusOr<RootDir> MakeRoot(const std::string& flag) {
  RootDir root;
  if (!flag.empty()) {
    std::error_code ec;
    fs::create_directories(flag, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot create --dir ", flag, ": ", ec.message()));
    }
    root.path = flag;
    return root;
  }
  std::string tmpl = "/tmp/brook-bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  root.path = tmpl;
  root.owned = true;
  return root;
}

// Watches for SIGINT/SIGTERM (removes the temporary directory, then exits)
// and for a run that exceeds --run-timeout (reports it as hung, cleans up,
// exits 3). Prints a heartbeat on stderr while a run takes long. The signals
// are blocked in every thread (set before any thread starts) and taken here
// with sigtimedwait, so the cleanup runs in a normal thread context.
class Watchdog {
 public:
  Watchdog(const RootDir& root, double timeout_s)
      : root_(root), timeout_s_(timeout_s) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Watchdog() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }

  static void BlockSignals() {
    sigset_t set = Signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

  void Begin(const std::string& what, const std::string& dir) {
    absl::MutexLock lock(&mu_);
    what_ = what;
    dir_ = dir;
    started_ = Clock::now();
    active_ = true;
    next_heartbeat_s_ = 10;
  }
  void End() {
    absl::MutexLock lock(&mu_);
    active_ = false;
  }

 private:
  static sigset_t Signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);  // Stop request from the destructor.
    return set;
  }

  void Cleanup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::error_code ec;
    if (root_.owned) {
      fs::remove_all(root_.path, ec);
    } else if (active_ && !dir_.empty()) {
      fs::remove_all(dir_, ec);
    }
  }

  // Prints every thread's stack on stderr when gdb is installed, so that a
  // hang inside the library can be reported precisely.
  static void DumpStacks() {
    if (std::system("command -v gdb >/dev/null 2>&1") != 0) return;
    Progress("thread stacks (gdb):");
    const std::string command = absl::StrFormat(
        "gdb -p %d -batch -ex 'thread apply all bt' 1>&2 2>/dev/null",
        static_cast<int>(getpid()));
    if (std::system(command.c_str()) != 0) Progress("(gdb failed)");
  }

  void Run() {
    const sigset_t set = Signals();
    for (;;) {
      const timespec one_second{1, 0};
      const int sig = sigtimedwait(&set, nullptr, &one_second);
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        Progress("interrupted by signal %d%s; removing %s", sig,
                 active_ ? " during " + what_ : std::string(),
                 root_.owned ? root_.path : dir_);
        Cleanup();
        std::_Exit(128 + sig);
      }
      if (!active_) continue;
      const double elapsed = SecondsSince(started_);
      if (elapsed > timeout_s_) {
        Progress(
            "HUNG: %s has run for %.0fs (> --run-timeout %.0fs); its data "
            "directory was %s. Exiting.",
            what_, elapsed, timeout_s_, dir_);
        DumpStacks();
        Cleanup();
        std::_Exit(3);
      }
      if (elapsed >= next_heartbeat_s_) {
        Progress("  ... %s still running (%.0fs)", what_, elapsed);
        next_heartbeat_s_ += 10;
      }
    }
  }

  const RootDir root_;
  const double timeout_s_;
  std::thread thread_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool active_ ABSL_GUARDED_BY(mu_) = false;
  std::string what_ ABSL_GUARDED_BY(mu_);
  std::string dir_ ABSL_GUARDED_BY(mu_);
  Clock::time_point started_ ABSL_GUARDED_BY(mu_);
  double next_heartbeat_s_ ABSL_GUARDED_BY(mu_) = 10;
};

// ---------------------------------------------------------------------------
// Results.

// All runs of one metric.
struct Series {
  std::string id;
  std::string label;
  std::string unit;
  int64_t record_bytes = 0;
  std::vector<double> values;
  double median() const { return Median(values); }
};

class Results {
 public:
  void Add(const Metric& m) {
    auto it = index_.find(m.id);
    if (it == index_.end()) {
      it = index_.emplace(m.id, series_.size()).first;
      series_.push_back(Series{m.id, m.label, m.unit, m.record_bytes, {}});
    }
    series_[it->second].values.push_back(m.value);
  }
  const Series* Find(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &series_[it->second];
  }
  const std::vector<Series>& series() const { return series_; }

 private:
  std::vector<Series> series_;  // In the order first reported.
  std::map<std::string, size_t> index_;
};

// A derived number checked against a target (informational, never asserted).
struct Comparison {
  std::string id;
  std::string label;
  double value = 0;
  std::string unit;    // "x" for ratios.
  std::string target;  // Human-readable, e.g. ">= 0.8x"; empty for none.
  std::optional<bool> met;
};

std::vector<Comparison> Compare(const Results& results) {
  std::vector<Comparison> out;
  auto median = [&](const std::string& id) -> std::optional<double> {
    const Series* s = results.Find(id);
    if (s == nullptr || s->values.empty()) return std::nullopt;
    return s->median();
  };
  auto ratio = [&](const std::string& id, const std::string& label,
                   const std::string& num, const std::string& den,
                   std::optional<double> at_least) {
    const std::optional<double> a = median(num);
    const std::optional<double> b = median(den);
    if (!a || !b || *b <= 0) return;
    Comparison c{id, label, *a / *b, "x", "", std::nullopt};
    if (at_least) {
      c.target = absl::StrFormat(">= %gx", *at_least);
      c.met = c.value >= *at_least;
    }
    out.push_back(c);
  };
  auto below = [&](const char* id, const char* label, const char* metric,
                   double limit, const char* unit) {
    const std::optional<double> v = median(metric);
    if (!v) return;
    out.push_back(Comparison{id, label, *v, unit,
                             absl::StrFormat("< %g %s", limit, unit),
                             *v < limit});
  };
  ratio("produce_vs_baseline_a", "produce acks=1 1t / RocksDB (a) Put/record",
        "produce_acks1_1t", "baseline_a_put", std::nullopt);
  ratio("produce_vs_baseline_b", "produce acks=1 1t / RocksDB (b) Put/100",
        "produce_acks1_1t", "baseline_b_packed", 0.8);
  ratio("consume_vs_scan", "consume / RocksDB (a) full scan", "consume",
        "baseline_a_scan", 2.0);
  ratio("sync_4t_vs_1t", "sync acks=all 4 threads / 1 thread",
        "sync_acksall_4t", "sync_acksall_1t", 3.0);
  // The sync test next to baseline `id` (c or d) of the same pattern,
  // metrics <prefix>_1t and <prefix>_4t: the baseline's own 4t/1t, and
  // brook's 1t and 4t as shares of it.
  auto sync_baseline = [&](const std::string& id, const std::string& prefix,
                           const std::string& name,
                           const std::string& short_name) {
    ratio(absl::StrCat("baseline_", id, "_4t_vs_1t"),
          absl::StrCat(name, " 4t / 1t"), prefix + "_4t", prefix + "_1t",
          std::nullopt);
    for (const char* t : {"1t", "4t"}) {
      ratio(absl::StrCat("sync_", t, "_vs_baseline_", id),
            absl::StrCat("sync acks=all ", t, " / ", short_name, " ", t),
            absl::StrCat("sync_acksall_", t), absl::StrCat(prefix, "_", t),
            std::nullopt);
    }
  };
  // What RocksDB's own write group makes of the same pattern.
  sync_baseline("c", "baseline_c_sync", "RocksDB (c) sync Put", "RocksDB (c)");
  // The most any group commit gets from this disk and scheduler.
  sync_baseline("d", "baseline_d_file_sync", "file (d) ideal group commit",
                "file (d)");
  // The Kafka backend: what brook's wrapper costs against raw librdkafka
  // doing the same work on the same broker (the target), and what the
  // embedded engine gives for the same workload.
  for (const char* a : {"1", "all"}) {
    ratio(absl::StrCat("kafka_produce_acks", a, "_vs_raw"),
          absl::StrCat("Kafka produce acks=", a, " / raw librdkafka"),
          absl::StrCat("kafka_produce_acks", a),
          absl::StrCat("raw_rdkafka_produce_acks", a), 0.9);
  }
  ratio("kafka_consume_vs_raw", "Kafka consume / raw librdkafka",
        "kafka_consume", "raw_rdkafka_consume", 0.9);
  // Client CPU per record (this process; the broker is another): raw over
  // brook, the wrapper's cost when the broker does not set the pace.
  for (const char* id :
       {"produce_acks1", "produce_acksall", "consume"}) {
    ratio(absl::StrCat("kafka_", id, "_cpu_vs_raw"),
          absl::StrCat(id, " CPU/record: raw / backend"),
          absl::StrCat("raw_rdkafka_", id, "_cpu"),
          absl::StrCat("kafka_", id, "_cpu"), std::nullopt);
  }
  // Latencies: raw over brook, so that above 1 is better here too.
  ratio("kafka_e2e_p50_vs_raw", "e2e p50: raw librdkafka / Kafka backend",
        "raw_rdkafka_e2e_p50_us", "kafka_e2e_p50_us", std::nullopt);
  ratio("kafka_e2e_p99_vs_raw", "e2e p99: raw librdkafka / Kafka backend",
        "raw_rdkafka_e2e_p99_us", "kafka_e2e_p99_us", std::nullopt);
  for (const char* a : {"1", "all"}) {
    ratio(absl::StrCat("embedded_vs_kafka_produce_acks", a),
          absl::StrCat("produce acks=", a, " 1t: embedded / Kafka backend"),
          absl::StrCat("produce_acks", a, "_1t"),
          absl::StrCat("kafka_produce_acks", a), std::nullopt);
  }
  ratio("embedded_vs_kafka_consume", "consume: embedded / Kafka backend",
        "consume", "kafka_consume", std::nullopt);
  ratio("embedded_vs_kafka_e2e_p50", "e2e p50: Kafka backend / embedded",
        "kafka_e2e_p50_us", "e2e_p50_us", std::nullopt);
  ratio("embedded_vs_kafka_e2e_p99", "e2e p99: Kafka backend / embedded",
        "kafka_e2e_p99_us", "e2e_p99_us", std::nullopt);
  below("e2e_p50", "e2e latency p50", "e2e_p50_us", 30, "us");
  below("e2e_p99", "e2e latency p99", "e2e_p99_us", 150, "us");
  // The target is about one 1M-record run; the whole benchmark process also
  // keeps what the allocator held for earlier measurements.
  below("peak_rss", "peak RSS, 1M-record run in its own process",
        "peak_rss_1m_run_mib", 200, "MiB");
  return out;
}

std::string FormatValue(double v) {
  if (std::fabs(v) >= 1000) {
    // Thousands separators for rates.
    std::string digits = absl::StrFormat("%.0f", std::fabs(v));
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return v < 0 ? "-" + out : out;
  }
  if (std::fabs(v) >= 100) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.1f", v);
}

struct RunError {
  std::string measurement;
  int run;
  std::string error;
};

void PrintTable(const Config& c, int runs, int64_t data_bytes,
                const Results& results,
                const std::vector<Comparison>& comparisons,
                const std::vector<RunError>& errors) {
  std::printf(
      "brook-bench: %lld records, %d-byte keys, %d-byte values, %d "
      "partitions; %s\n",
      static_cast<long long>(c.records), c.key_bytes, c.value_bytes,
      c.partitions,
      runs == 1 ? "1 run"
                : absl::StrFormat("median of %d runs%s", runs,
                                  c.interleave ? ", interleaved" : "")
                      .c_str());
  std::printf(
      "(the benchmark's own keys and value pool hold %.1f MiB of the RSS)\n\n",
      data_bytes / 1048576.0);
  std::printf("%-44s %14s  %-10s %8s  %s\n", "measurement", "median", "unit",
              "MB/s", runs > 1 ? "all runs" : "");
  std::printf("%s\n", std::string(100, '-').c_str());
  for (const Series& s : results.series()) {
    std::string mbps =
        s.record_bytes > 0
            ? absl::StrFormat("%.1f", s.median() * s.record_bytes / 1e6)
            : "";
    std::vector<std::string> all;
    if (runs > 1) {
      for (double v : s.values) all.push_back(FormatValue(v));
    }
    std::printf("%-44s %14s  %-10s %8s  %s\n", s.label.c_str(),
                FormatValue(s.median()).c_str(), s.unit.c_str(), mbps.c_str(),
                absl::StrJoin(all, " ").c_str());
  }
  if (!comparisons.empty()) {
    std::printf("\n%-44s %14s  %-16s %s\n",
                "ratios and targets (informational)", "value", "target",
                "status");
    std::printf("%s\n", std::string(100, '-').c_str());
    for (const Comparison& cmp : comparisons) {
      const std::string value =
          cmp.unit == "x"
              ? absl::StrFormat("%.2fx", cmp.value)
              : absl::StrFormat("%s %s", FormatValue(cmp.value), cmp.unit);
      std::printf("%-44s %14s  %-16s %s\n", cmp.label.c_str(), value.c_str(),
                  cmp.target.empty() ? "-" : cmp.target.c_str(),
                  !cmp.met   ? ""
                  : *cmp.met ? "met"
                             : "MISSED");
    }
  }
  if (!errors.empty()) {
    std::printf("\nerrors\n");
    for (const RunError& e : errors) {
      std::printf("  %s run %d: %s\n", e.measurement.c_str(), e.run,
                  e.error.c_str());
    }
  }
  std::printf(
      "\nMB/s = (key + value bytes) x records/s / 1e6. Values: medians of "
      "every run; targets are informational.\n");
}

void PrintJson(const Config& c, int64_t data_bytes, const Results& results,
               const std::vector<Comparison>& comparisons,
               const std::vector<RunError>& errors) {
  std::string out = "{\n";
  absl::StrAppend(
      &out, "  \"config\": {",
      absl::StrFormat(
          "\"records\": %d, \"key_bytes\": %d, \"value_bytes\": %d, "
          "\"partitions\": %d, \"runs\": %d, \"sync_sends_per_thread\": %d, "
          "\"e2e_rate\": %g, \"e2e_seconds\": %g, \"interleave\": %s",
          c.records, c.key_bytes, c.value_bytes, c.partitions, c.runs,
          c.sync_sends, c.e2e_rate, c.e2e_seconds,
          c.interleave ? "true" : "false"),
      absl::StrFormat(", \"bench_data_mib\": %.3f", data_bytes / 1048576.0),
      "},\n");
  absl::StrAppend(&out, "  \"machine\": {\"nproc\": ",
                  std::thread::hardware_concurrency(), "},\n");
  out += "  \"results\": [";
  bool first = true;
  for (const Series& s : results.series()) {
    std::vector<std::string> runs;
    for (double v : s.values) runs.push_back(absl::StrFormat("%.6g", v));
    absl::StrAppend(&out, first ? "\n" : ",\n",
                    "    {\"id\": ", JsonString(s.id),
                    ", \"label\": ", JsonString(s.label),
                    ", \"unit\": ", JsonString(s.unit),
                    absl::StrFormat(", \"median\": %.6g", s.median()));
    if (s.record_bytes > 0) {
      absl::StrAppend(&out,
                      absl::StrFormat(", \"mb_per_s\": %.6g",
                                      s.median() * s.record_bytes / 1e6),
                      ", \"record_bytes\": ", s.record_bytes);
    }
    absl::StrAppend(&out, ", \"runs\": [", absl::StrJoin(runs, ", "), "]}");
    first = false;
  }
  out += "\n  ],\n  \"comparisons\": [";
  first = true;
  for (const Comparison& cmp : comparisons) {
    absl::StrAppend(
        &out, first ? "\n" : ",\n", "    {\"id\": ", JsonString(cmp.id),
        ", \"label\": ", JsonString(cmp.label),
        absl::StrFormat(", \"value\": %.6g", cmp.value),
        ", \"unit\": ", JsonString(cmp.unit),
        ", \"target\": ", cmp.target.empty() ? "null" : JsonString(cmp.target),
        ", \"met\": ",
        !cmp.met   ? "null"
        : *cmp.met ? "true"
                   : "false",
        "}");
    first = false;
  }
  out += "\n  ],\n  \"errors\": [";
  first = true;
  for (const RunError& e : errors) {
    absl::StrAppend(&out, first ? "\n" : ",\n",
                    "    {\"measurement\": ", JsonString(e.measurement),
                    ", \"run\": ", e.run, ", \"error\": ", JsonString(e.error),
                    "}");
    first = false;
  }
  out += "\n  ]\n}\n";
  std::fputs(out.c_str(), stdout);
}

// ---------------------------------------------------------------------------

int Main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], kRssChildFlag) == 0) {
    return RssChildMain(argc - 1, argv + 1);
  }
  absl::StatusOr<Flags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "brook-bench: %s\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->list) {
    for (const Measurement& m : AllMeasurements()) {
      std::printf("%-20s group %-9s %s\n", m.name.c_str(), m.group.c_str(),
                  m.label.c_str());
    }
    return 0;
  }
  const Config& config = flags->config;
  absl::StatusOr<std::vector<Measurement>> selected = Select(flags->only);
  if (!selected.ok()) {
    std::fprintf(stderr, "brook-bench: %s\n",
                 std::string(selected.status().message()).c_str());
    return 2;
  }
  // The kafka group needs a broker (and a build with the Kafka backend);
  // without one it is left out, which is not an error.
  {
    const bool wanted =
        std::find(flags->only.begin(), flags->only.end(), kKafkaGroup) !=
            flags->only.end() ||
        std::any_of(selected->begin(), selected->end(),
                    [](const Measurement& m) { return m.group == kKafkaGroup; });
#ifdef BROOK_BENCH_WITH_KAFKA
    const char* missing = config.bootstrap_server.empty()
                              ? "no --bootstrap-server given"
                              : nullptr;
#else
    const char* missing = "brook was built without BROOK_WITH_KAFKA";
#endif
    if (wanted && missing != nullptr) {
      std::fprintf(stderr, "brook-bench: skipping the kafka group: %s\n",
                   missing);
      selected->erase(
          std::remove_if(selected->begin(), selected->end(),
                         [](const Measurement& m) {
                           return m.group == kKafkaGroup;
                         }),
          selected->end());
      if (selected->empty()) return 0;
    }
  }
  absl::StatusOr<RootDir> root = MakeRoot(flags->dir);
  if (!root.ok()) {
    std::fprintf(stderr, "brook-bench: %s\n",
                 std::string(root.status().message()).c_str());
    return 2;
  }

  // Before any thread exists, so that every thread (brook's and RocksDB's
  // included) inherits the mask and only the watchdog takes these signals.
  Watchdog::BlockSignals();
  Watchdog watchdog(*root, config.run_timeout_s);

  Progress("building %lld keys and the value pool", (long long)config.records);
  const Dataset data(config.records, config.key_bytes, config.value_bytes);
  Progress("data directories under %s", root->path);

  Results results;
  std::vector<RunError> errors;
  // Peak RSS is also noted once the brook measurements are over, before the
  // baselines can add to it (never when interleaved: they run in between).
  bool brook_done =
      config.interleave ||
      std::none_of(selected->begin(), selected->end(),
                   [](const Measurement& m) { return m.uses_brook; });
  auto note_brook_rss = [&] {
    Metric m;
    m.id = "peak_rss_brook_mib";
    m.label = "peak RSS after the brook measurements";
    m.unit = "MiB";
    m.value = PeakRssMib();
    results.Add(m);
    brook_done = true;
  };
  // Which measurement runs when: (measurement, run number) pairs.
  std::vector<std::pair<const Measurement*, int>> order;
  const int n = static_cast<int>(selected->size());
  for (int i = 0; i < n * config.runs; ++i) {
    if (config.interleave) {
      order.emplace_back(&(*selected)[i % n], i / n + 1);
    } else {
      order.emplace_back(&(*selected)[i / config.runs], i % config.runs + 1);
    }
  }
  for (const auto& [measurement, run] : order) {
    const Measurement& m = *measurement;
    if (!m.uses_brook && !brook_done) note_brook_rss();
    const std::string dir =
        (fs::path(root->path) / absl::StrCat(m.name, ".run", run)).string();
    std::error_code ec;
    fs::remove_all(dir, ec);
    Progress("%s: run %d/%d ...", m.label, run, config.runs);
    watchdog.Begin(absl::StrCat(m.label, ", run ", run), dir);
    const Clock::time_point start = Clock::now();
    const double cpu_start = CpuSeconds();
    absl::StatusOr<std::vector<Metric>> metrics =
        m.run(RunEnv{&config, &data, dir});
    const double seconds = SecondsSince(start);
    const double cpu = CpuSeconds() - cpu_start;
    watchdog.End();
    fs::remove_all(dir, ec);
    if (!metrics.ok()) {
      const std::string text = metrics.status().ToString();
      Progress("%s: run %d FAILED after %.1fs: %s", m.label, run, seconds,
               text);
      errors.push_back(RunError{m.name, run, text});
      continue;
    }
    std::vector<std::string> shown;
    for (const Metric& metric : *metrics) {
      results.Add(metric);
      shown.push_back(
          absl::StrCat(FormatValue(metric.value), " ", metric.unit));
    }
    // CPU time of the whole process over the run (setup included): on a
    // shared machine, wall time well above CPU time means waiting.
    Progress("%s: run %d done in %.2fs (process CPU %.2fs): %s", m.label, run,
             seconds, cpu, absl::StrJoin(shown, ", "));
  }
  if (!brook_done) note_brook_rss();
  {
    Metric m;
    m.id = "peak_rss_mib";
    m.label = "peak RSS (whole run)";
    m.unit = "MiB";
    m.value = PeakRssMib();
    results.Add(m);
  }

  const std::vector<Comparison> comparisons = Compare(results);
  if (config.json) {
    PrintJson(config, data.memory_bytes(), results, comparisons, errors);
  } else {
    PrintTable(config, config.runs, data.memory_bytes(), results, comparisons,
               errors);
  }
  std::fflush(stdout);

  if (root->owned) {
    std::error_code ec;
    fs::remove_all(root->path, ec);
  }
  return errors.empty() ? 0 : 1;
}

}  // namespace
}  // namespace bench
}  // namespace brook

int main(int argc, char** argv) { return brook::bench::Main(argc, argv); }
