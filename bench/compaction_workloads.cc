#include "compaction_workloads.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "brook/admin.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

constexpr int64_t kUpdates = 5000000;
constexpr int64_t kKeys = 1000000;

// Key of update i: every key once per kKeys updates, in a scattered order.
std::string UpdateKey(int64_t i) {
  return absl::StrFormat("key-%07d", (i * 7919) % kKeys);
}

struct CompactionRun {
  double records_per_second = 0;
  double clean_seconds = 0;
  int64_t disk_bytes = 0;
};

absl::StatusOr<CompactionRun> ProduceUpdates(const RunEnv& env,
                                             const std::string& dir,
                                             bool compact) {
  Properties config = {{"retention.ms", "-1"}};
  if (compact) config["cleanup.policy"] = "compact";
  absl::StatusOr<CleanedTopic> opened = OpenCleanedTopic(env, dir, config);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Engine>& engine = opened->engine;
  std::unique_ptr<Producer>& producer = opened->producer;
  const Dataset& data = *env.data;
  FirstError errors;
  CompactionRun run;
  const Clock::time_point start = Clock::now();
  for (int64_t i = 0; i < kUpdates; ++i) {
    CheckImmediate(producer->Send(ProducerRecord(
                       kTopic, UpdateKey(i), std::string(data.value(i)))),
                   &errors);
  }
  if (absl::Status s = producer->Flush(); !s.ok()) {
    return Annotate(s, "Flush");
  }
  run.records_per_second = kUpdates / SecondsSince(start);
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = producer->Close(); !s.ok()) {
    return Annotate(s, "Producer::Close");
  }
  if (compact) {
    const Clock::time_point clean_start = Clock::now();
    absl::StatusOr<std::vector<CleanedPartition>> cleaned =
        engine->admin().CleanTopics({kTopic});
    if (!cleaned.ok()) return Annotate(cleaned.status(), "CleanTopics");
    run.clean_seconds = SecondsSince(clean_start);
  }
  run.disk_bytes = DirBytes(dir);
  if (absl::Status s = CloseEngine(std::move(engine)); !s.ok()) return s;
  return run;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunCompaction(const RunEnv& env) {
  absl::StatusOr<CompactionRun> off =
      ProduceUpdates(env, env.dir + "/off", false);
  if (!off.ok()) return off.status();
  absl::StatusOr<CompactionRun> on = ProduceUpdates(env, env.dir + "/on", true);
  if (!on.ok()) return on.status();
  // The latest value of every key: the last kKeys updates.
  const Dataset& data = *env.data;
  double latest = 0;
  for (int64_t i = kUpdates - kKeys; i < kUpdates; ++i) {
    latest += static_cast<double>(UpdateKey(i).size() + data.value(i).size());
  }
  const double mib = 1 << 20;
  return std::vector<Metric>{
      {"compaction_produce_off", "5M updates over 1M keys acks=1, delete",
       "records/s", off->records_per_second, 0},
      {"compaction_produce_on", "the same, cleanup.policy=compact",
       "records/s", on->records_per_second, 0},
      {"compaction_rate_ratio", "rate compacted / not", "x",
       on->records_per_second / off->records_per_second, 0},
      {"compaction_clean_s", "topics clean after the run", "s",
       on->clean_seconds, 0},
      {"compaction_disk_off", "disk use, not compacted", "MiB",
       off->disk_bytes / mib, 0},
      {"compaction_disk_on", "disk use after topics clean", "MiB",
       on->disk_bytes / mib, 0},
      {"compaction_disk_ratio", "disk use after clean / latest values", "x",
       on->disk_bytes / latest, 0},
  };
}

}  // namespace bench
}  // namespace brook
