#include "topic_workloads.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "rocksdb_baselines.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

std::string TopicName(int i) { return absl::StrCat("topic-", i); }

double MillisSince(Clock::time_point start) {
  return SecondsSince(start) * 1000;
}

// Resident set size now (not the peak), in bytes.
double RssBytes() {
  std::ifstream statm("/proc/self/statm");
  long total = 0, resident = 0;
  statm >> total >> resident;
  return static_cast<double>(resident) * sysconf(_SC_PAGESIZE);
}

int OpenDescriptors() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
  }
  return n - 3;  // ".", ".." and the DIR's own descriptor.
}

absl::StatusOr<std::unique_ptr<Engine>> Open(const RunEnv& env) {
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(EngineOptions{}, env.dir);
  if (!engine.ok()) return Annotate(engine.status(), "Engine::Open");
  return engine;
}

// Reads one record from each of `topics` topics.
absl::Status ReadEveryTopic(Engine& engine, int topics) {
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      engine.CreateConsumer(ConsumerOptions{});
  if (!consumer.ok()) return Annotate(consumer.status(), "CreateConsumer");
  std::vector<TopicPartition> all;
  for (int i = 0; i < topics; ++i) all.emplace_back(TopicName(i), 0);
  if (absl::Status s = (*consumer)->Assign(all); !s.ok()) {
    return Annotate(s, "Assign");
  }
  if (absl::Status s = (*consumer)->SeekToBeginning(all); !s.ok()) {
    return Annotate(s, "SeekToBeginning");
  }
  size_t read = 0;
  const Clock::time_point start = Clock::now();
  while (read < all.size() && SecondsSince(start) < kStallSeconds) {
    absl::StatusOr<ConsumerRecords> records =
        (*consumer)->PollRecords(absl::Milliseconds(100));
    if (!records.ok()) return Annotate(records.status(), "PollRecords");
    read += records->size();
  }
  if (read != all.size()) {
    return absl::InternalError(
        absl::StrCat("read ", read, " records of ", all.size()));
  }
  return Annotate((*consumer)->Close(), "Consumer::Close");
}

// Flushes and closes `producer`, returns the first send error, and closes
// `engine`.
absl::Status FinishWriting(Producer& producer, FirstError* errors,
                           std::unique_ptr<Engine> engine) {
  if (absl::Status s = producer.Flush(); !s.ok()) return Annotate(s, "Flush");
  if (absl::Status s = errors->Get(); !s.ok()) return s;
  if (absl::Status s = producer.Close(); !s.ok()) {
    return Annotate(s, "Producer::Close");
  }
  return CloseEngine(std::move(engine));
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunTopicScaling(const RunEnv& env) {
  const int n = env.config->topics;
  std::vector<Metric> out;
  auto add = [&](const std::string& id, const std::string& label,
                 const std::string& unit, double value) {
    out.push_back(Metric{absl::StrCat("topics_", id), label, unit, value, 0});
  };
  {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Open(env);
    if (!engine.ok()) return engine.status();
    std::vector<NewTopic> batch;
    for (int i = 0; i + 1 < n; ++i) batch.push_back({TopicName(i), 1, {}});
    Clock::time_point start = Clock::now();
    for (const absl::Status& s : (*engine)->admin().CreateTopics(batch)) {
      if (!s.ok()) return Annotate(s, "CreateTopics");
    }
    add("create_batch", absl::StrCat("CreateTopics of ", n - 1, " topics"),
        "ms", MillisSince(start));
    start = Clock::now();
    if (absl::Status s = (*engine)->admin().CreateTopic(TopicName(n - 1), 1);
        !s.ok()) {
      return Annotate(s, "CreateTopic");
    }
    add("create_last", absl::StrCat("CreateTopic of topic ", n), "ms",
        MillisSince(start));
    start = Clock::now();
    if (absl::Status s = (*engine)->admin().DeleteTopic(TopicName(0));
        !s.ok()) {
      return Annotate(s, "DeleteTopic");
    }
    add("delete_one", absl::StrCat("DeleteTopic with ", n, " topics"), "ms",
        MillisSince(start));
    if (absl::Status s = (*engine)->admin().CreateTopic(TopicName(0), 1);
        !s.ok()) {
      return Annotate(s, "CreateTopic");
    }
    absl::StatusOr<std::unique_ptr<Producer>> producer =
        (*engine)->CreateProducer(ProducerOptions{});
    if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
    FirstError errors;
    for (int i = 0; i < n; ++i) {
      CheckImmediate((*producer)->Send({TopicName(i), "k", "v"}), &errors);
    }
    if (absl::Status s = FinishWriting(**producer, &errors, std::move(*engine));
        !s.ok()) {
      return s;
    }
  }
  for (const char* id : {"reopen_recover", "reopen_clean"}) {
    const int fds_before = OpenDescriptors();
    const Clock::time_point start = Clock::now();
    absl::StatusOr<std::unique_ptr<Engine>> engine = Open(env);
    if (!engine.ok()) return engine.status();
    add(id,
        absl::StrCat("reopen, ", n, " topics, ",
                     std::string(id) == "reopen_clean" ? "nothing to recover"
                                                       : "records to recover"),
        "ms", MillisSince(start));
    if (absl::Status s = ReadEveryTopic(**engine, n); !s.ok()) return s;
    if (std::string(id) == "reopen_clean") {
      add("open_files",
          absl::StrCat("descriptors open after reading ", n, " topics"),
          "files", OpenDescriptors() - fds_before);
    }
    if (absl::Status s = CloseEngine(std::move(*engine)); !s.ok()) return s;
  }
  return out;
}

absl::StatusOr<std::vector<Metric>> RunWideTopic(const RunEnv& env) {
  const int32_t partitions = kMaxPartitionsPerTopic;
  std::vector<Metric> out;
  absl::StatusOr<std::unique_ptr<Engine>> engine = Open(env);
  if (!engine.ok()) return engine.status();
  const double rss_before = RssBytes();
  Clock::time_point start = Clock::now();
  if (absl::Status s = (*engine)->admin().CreateTopic("wide", partitions);
      !s.ok()) {
    return Annotate(s, "CreateTopic");
  }
  out.push_back(Metric{"wide_create",
                       absl::StrCat("create a topic of ", partitions,
                                    " partitions"),
                       "ms", MillisSince(start), 0});
  out.push_back(Metric{"wide_bytes_per_partition",
                       "engine RSS per partition", "bytes",
                       (RssBytes() - rss_before) / partitions, 0});
  if (absl::Status s = CloseEngine(std::move(*engine)); !s.ok()) return s;
  start = Clock::now();
  engine = Open(env);
  if (!engine.ok()) return engine.status();
  out.push_back(Metric{"wide_reopen",
                       absl::StrCat("reopen with a topic of ", partitions,
                                    " partitions"),
                       "ms", MillisSince(start), 0});
  absl::StatusOr<TopicDescription> d = (*engine)->admin().DescribeTopic("wide");
  if (!d.ok()) return Annotate(d.status(), "DescribeTopic");
  if (d->partitions.size() != static_cast<size_t>(partitions)) {
    return absl::InternalError("the wide topic lost partitions");
  }
  if (absl::Status s = CloseEngine(std::move(*engine)); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Metric>> RunLogRecovery(const RunEnv& env) {
  constexpr int kRecords = 65536;
  const std::string value(1024, 'v');
  {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Open(env);
    if (!engine.ok()) return engine.status();
    if (absl::Status s = (*engine)->admin().CreateTopic("log", 4); !s.ok()) {
      return Annotate(s, "CreateTopic");
    }
    ProducerOptions options;
    options.acks = Acks::kLeader;
    absl::StatusOr<std::unique_ptr<Producer>> producer =
        (*engine)->CreateProducer(options);
    if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
    FirstError errors;
    for (int i = 0; i < kRecords; ++i) {
      CheckImmediate((*producer)->Send({"log", absl::StrCat("k", i), value}),
                     &errors);
    }
    if (absl::Status s = FinishWriting(**producer, &errors, std::move(*engine));
        !s.ok()) {
      return s;
    }
  }
  std::vector<Metric> out;
  absl::StatusOr<double> baseline = TimeReadOnlyOpen(env.dir);
  if (!baseline.ok()) return baseline.status();
  out.push_back(Metric{"recovery_rocksdb",
                       "RocksDB read-only open replaying 64 MiB of log", "ms",
                       *baseline, 0});
  const Clock::time_point start = Clock::now();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Open(env);
  if (!engine.ok()) return engine.status();
  out.push_back(Metric{"recovery_brook",
                       "Engine::Open recovering 64 MiB of log", "ms",
                       MillisSince(start), 0});
  if (absl::Status s = CloseEngine(std::move(*engine)); !s.ok()) return s;
  return out;
}

}  // namespace bench
}  // namespace brook
