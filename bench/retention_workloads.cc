#include "retention_workloads.h"

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/admin.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

constexpr int64_t kSoakRecords = 20000000;
constexpr int64_t kRetainedPerPartition = 64 << 20;
constexpr int kSamples = 40;

struct SoakResult {
  double records_per_second = 0;
  int64_t peak_bytes = 0;
  int64_t final_bytes = 0;
};

absl::StatusOr<SoakResult> Soak(const RunEnv& env, const std::string& dir,
                                bool retention) {
  Properties config = {{"retention.ms", "-1"}};
  if (retention) {
    config["retention.bytes"] = std::to_string(kRetainedPerPartition);
  }
  absl::StatusOr<CleanedTopic> opened = OpenCleanedTopic(env, dir, config);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Engine>& engine = opened->engine;
  std::unique_ptr<Producer>& producer = opened->producer;
  const Dataset& data = *env.data;
  FirstError errors;
  SoakResult result;
  const Clock::time_point start = Clock::now();
  for (int64_t i = 0; i < kSoakRecords; ++i) {
    CheckImmediate(producer->Send(ProducerRecord(
                       kTopic, std::string(data.key(i % data.records())),
                       std::string(data.value(i)))),
                   &errors);
    if ((i + 1) % (kSoakRecords / kSamples) == 0) {
      result.peak_bytes = std::max(result.peak_bytes, DirBytes(dir));
    }
  }
  if (absl::Status s = producer->Flush(); !s.ok()) {
    return Annotate(s, "Flush");
  }
  result.records_per_second = kSoakRecords / SecondsSince(start);
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = producer->Close(); !s.ok()) {
    return Annotate(s, "Producer::Close");
  }
  result.final_bytes = DirBytes(dir);
  result.peak_bytes = std::max(result.peak_bytes, result.final_bytes);
  if (absl::Status s = CloseEngine(std::move(engine)); !s.ok()) return s;
  return result;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunRetentionSoak(const RunEnv& env) {
  absl::StatusOr<SoakResult> off = Soak(env, env.dir + "/off", false);
  if (!off.ok()) return off.status();
  absl::StatusOr<SoakResult> on = Soak(env, env.dir + "/on", true);
  if (!on.ok()) return on.status();
  const double retained =
      static_cast<double>(kRetainedPerPartition) * env.config->partitions;
  const double mib = 1 << 20;
  const int64_t record_bytes = env.data->record_bytes();
  return std::vector<Metric>{
      {"soak_produce_off", "20M records acks=1, no retention", "records/s",
       off->records_per_second, record_bytes},
      {"soak_produce_on", "the same with retention.bytes 64 MiB/partition",
       "records/s", on->records_per_second, record_bytes},
      {"soak_rate_ratio", "rate with retention / without", "x",
       on->records_per_second / off->records_per_second, 0},
      {"soak_disk_off", "disk use at the end, no retention", "MiB",
       off->final_bytes / mib, 0},
      {"soak_disk_peak", "peak disk use with retention", "MiB",
       on->peak_bytes / mib, 0},
      {"soak_disk_peak_ratio", "peak disk use / bytes retention keeps", "x",
       on->peak_bytes / retained, 0},
      {"soak_disk_final_ratio", "final disk use / bytes retention keeps", "x",
       on->final_bytes / retained, 0},
  };
}

}  // namespace bench
}  // namespace brook
