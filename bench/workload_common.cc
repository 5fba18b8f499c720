#include "workload_common.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "brook/error.h"

namespace brook {
namespace bench {

// `status` with `context` in front of its message, same code.
absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(context, ": ", status.ToString()));
}

void FirstError::Set(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  if (status_.ok()) status_ = status;
}

absl::Status FirstError::Get() {
  absl::MutexLock lock(&mu_);
  return status_;
}

absl::StatusOr<double> TimeSynchronousCalls(
    int threads, int64_t per_thread,
    absl::FunctionRef<absl::Status(int t, int64_t j)> op) {
  FirstError errors;
  std::atomic<bool> failed{false};
  absl::Notification go;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      go.WaitForNotification();
      for (int64_t j = 0; j < per_thread && !failed.load(); ++j) {
        if (absl::Status s = op(t, j); !s.ok()) {
          errors.Set(s);
          failed.store(true);
        }
      }
    });
  }
  const Clock::time_point start = Clock::now();
  go.Notify();
  for (std::thread& w : workers) w.join();
  const double seconds = SecondsSince(start);
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  return seconds;
}

// A fresh on-disk engine in the run's directory with the benchmark topic.
absl::StatusOr<std::unique_ptr<Engine>> OpenWithTopic(const RunEnv& env,
                                                      int partitions) {
  EngineOptions options;  // On disk: in_memory stays false.
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(options, env.dir);
  if (!engine.ok()) return Annotate(engine.status(), "Engine::Open");
  absl::Status s = (*engine)->admin().CreateTopic(
      kTopic, partitions > 0 ? partitions : env.config->partitions);
  if (!s.ok()) return Annotate(s, "CreateTopic");
  return engine;
}

std::vector<TopicPartition> AllPartitions(const RunEnv& env) {
  std::vector<TopicPartition> out;
  for (int p = 0; p < env.config->partitions; ++p) out.emplace_back(kTopic, p);
  return out;
}

// Record i of the data set. The strings are copied here because
// ProducerRecord owns its bytes: that copy is part of what a Send costs.
ProducerRecord MakeRecord(const Dataset& data, int64_t i) {
  const int64_t k = i % data.records();
  return ProducerRecord(kTopic, std::string(data.key(k)),
                        std::string(data.value(i)));
}

// For fire-and-forget sends: reports errors found at Send (which complete the
// future at once) without waiting for anything.
void CheckImmediate(const SendFuture& f, FirstError* errors) {
  if (!f.ready()) return;
  absl::StatusOr<RecordMetadata> r = f.Get();
  if (!r.ok()) errors->Set(Annotate(r.status(), "Send"));
}

// Checks, after the timed region, that the topic holds exactly `expected`
// records (the sum of the partitions' log end offsets).
absl::Status CheckStored(Engine& engine, int64_t expected) {
  absl::StatusOr<TopicDescription> topic = engine.admin().DescribeTopic(kTopic);
  if (!topic.ok()) return Annotate(topic.status(), "DescribeTopic");
  int64_t stored = 0;
  for (const PartitionDescription& p : topic->partitions) {
    stored += p.log_end_offset - p.log_start_offset;
  }
  if (stored != expected) {
    return absl::InternalError(absl::StrCat("topic ", kTopic, " holds ", stored,
                                            " records after sending ",
                                            expected));
  }
  return absl::OkStatus();
}

absl::Status CloseEngine(std::unique_ptr<Engine> engine) {
  return Annotate(engine->Close(), "Engine::Close");
}

// Sends records [begin, end) fire-and-forget with `producer`.
void SendRange(Producer* producer, const Dataset& data, int64_t begin,
               int64_t end, FirstError* errors) {
  for (int64_t i = begin; i < end; ++i) {
    CheckImmediate(producer->Send(MakeRecord(data, i)), errors);
  }
}

absl::Status FillTopic(Engine& engine, const Dataset& data) {
  ProducerOptions options;
  options.acks = Acks::kLeader;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      engine.CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  FirstError errors;
  SendRange(producer->get(), data, 0, data.records(), &errors);
  if (absl::Status s = Annotate((*producer)->Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  return CheckStored(engine, data.records());
}

absl::StatusOr<CleanedTopic> OpenCleanedTopic(const RunEnv& env,
                                              const std::string& dir,
                                              const Properties& config) {
  EngineOptions options;
  options.log_retention_check_interval = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options, dir);
  if (!engine.ok()) return Annotate(engine.status(), "Engine::Open");
  if (absl::Status s = (*engine)->admin().CreateTopic(
          kTopic, env.config->partitions, config);
      !s.ok()) {
    return Annotate(s, "CreateTopic");
  }
  ProducerOptions producer_options;
  producer_options.acks = Acks::kLeader;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*engine)->CreateProducer(producer_options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  return CleanedTopic{*std::move(engine), *std::move(producer)};
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(dir, ec)) {
    std::error_code size_ec;
    if (e.is_regular_file(size_ec)) {
      const auto size = e.file_size(size_ec);
      if (!size_ec) total += static_cast<int64_t>(size);
    }
  }
  return total;
}

}  // namespace bench
}  // namespace brook
