#include "workload_common.h"

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
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
ProducerRecord MakeRecord(const Dataset& data, int64_t i,
                          absl::string_view topic) {
  const int64_t k = i % data.records();
  return ProducerRecord(std::string(topic), std::string(data.key(k)),
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

int64_t EndToEndTotal(const Config& config) {
  return std::max<int64_t>(1,
                           std::llround(config.e2e_rate * config.e2e_seconds));
}

int64_t EndToEndWarmup(int64_t total) {
  return std::min<int64_t>(100, total / 10);
}

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

PacedSends SendPaced(double rate, int64_t total,
                     absl::FunctionRef<bool(int64_t i, int64_t sent_ns)> send) {
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // 1 ns slack for this thread.
  PacedSends out;
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(20);
  Clock::time_point last_send = start;
  for (int64_t i = 0; i < total; ++i) {
    const Clock::time_point due =
        start + std::chrono::nanoseconds(
                    std::llround(static_cast<double>(i) * 1e9 / rate));
    std::this_thread::sleep_until(due);
    last_send = Clock::now();
    const int64_t sent_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            last_send.time_since_epoch())
            .count();
    out.max_lag_us = std::max(
        out.max_lag_us,
        std::chrono::duration<double, std::micro>(last_send - due).count());
    ++out.sent;
    if (!send(i, sent_ns)) break;
  }
  out.send_seconds = std::chrono::duration<double>(last_send - start).count();
  return out;
}

std::vector<Metric> LatencyMetrics(const std::string& prefix,
                                   const std::string& label,
                                   std::vector<double> latencies_us,
                                   const PacedSends& sends) {
  std::sort(latencies_us.begin(), latencies_us.end());
  std::vector<Metric> out;
  auto add = [&out](std::string id, std::string l, std::string unit,
                    double value) {
    Metric m;
    m.id = std::move(id);
    m.label = std::move(l);
    m.unit = std::move(unit);
    m.value = value;
    out.push_back(std::move(m));
  };
  const std::string latency = label + " latency";
  add(prefix + "_p50_us", latency + " p50", "us",
      Quantile(latencies_us, 0.50));
  add(prefix + "_p99_us", latency + " p99", "us",
      Quantile(latencies_us, 0.99));
  add(prefix + "_p999_us", latency + " p99.9", "us",
      Quantile(latencies_us, 0.999));
  add(prefix + "_max_us", latency + " max", "us",
      latencies_us.empty() ? 0 : latencies_us.back());
  add(prefix + "_send_rate", label + " achieved send rate", "records/s",
      sends.send_seconds > 0 ? (sends.sent - 1) / sends.send_seconds : 0);
  add(prefix + "_max_lag_us", label + " worst send lateness vs schedule", "us",
      sends.max_lag_us);
  return out;
}

absl::StatusOr<std::vector<Metric>> MeasureEndToEnd(
    const RunEnv& env, Producer& producer, Consumer& consumer,
    absl::string_view topic, int partitions, absl::Duration consumer_start,
    const std::string& id_prefix, const std::string& label) {
  const Dataset& data = *env.data;
  const int64_t total = EndToEndTotal(*env.config);
  const int64_t warmup = EndToEndWarmup(total);
  FirstError errors;
  std::atomic<bool> producer_failed{false};
  std::vector<double> latencies_us;
  latencies_us.reserve(total);
  int64_t received = 0;
  // Every send must arrive exactly once, in offset order per partition.
  std::vector<bool> seen(total, false);
  std::vector<int64_t> next(partitions, 0);

  // Each value starts with the steady_clock time (ns) taken just before its
  // Send, then its sequence number.
  std::thread consumer_thread([&] {
    Clock::time_point last_data = Clock::now();
    while (received < total) {
      absl::StatusOr<std::vector<ConsumerRecord>> records =
          consumer.Poll(absl::Milliseconds(100));
      const int64_t now_ns = SteadyNowNs();
      if (!records.ok()) {
        errors.Set(Annotate(records.status(), "Poll"));
        return;
      }
      if (records->empty()) {
        if (producer_failed.load()) return;
        if (SecondsSince(last_data) > kStallSeconds) {
          errors.Set(absl::DeadlineExceededError(absl::StrCat(
              "consumer stalled: Poll returned nothing for ", kStallSeconds,
              "s after ", received, " of ", total, " records")));
          return;
        }
        continue;
      }
      last_data = Clock::now();
      for (const ConsumerRecord& r : *records) {
        if (!r.value || r.value->size() < 16) {
          errors.Set(absl::InternalError("Poll returned a truncated value"));
          return;
        }
        int64_t sent_ns;
        int64_t seq;
        std::memcpy(&sent_ns, r.value->data(), 8);
        std::memcpy(&seq, r.value->data() + 8, 8);
        if (seq < 0 || seq >= total || seen[seq] || r.partition < 0 ||
            r.partition >= partitions || r.offset != next[r.partition]) {
          errors.Set(absl::InternalError(absl::StrCat(
              "Poll returned send #", seq, " as ", r.topic, "-", r.partition,
              " offset ", r.offset,
              seq >= 0 && seq < total && seen[seq] ? " a second time" : "",
              "; expected offset ",
              r.partition >= 0 && r.partition < partitions ? next[r.partition]
                                                           : -1)));
          return;
        }
        seen[seq] = true;
        next[r.partition] = r.offset + 1;
        if (seq >= warmup) latencies_us.push_back((now_ns - sent_ns) / 1e3);
        ++received;
      }
    }
  });

  absl::SleepFor(consumer_start);
  const PacedSends sends =
      SendPaced(env.config->e2e_rate, total, [&](int64_t i, int64_t sent_ns) {
        ProducerRecord record = MakeRecord(data, i, topic);
        std::memcpy(record.value->data(), &sent_ns, 8);
        std::memcpy(record.value->data() + 8, &i, 8);
        CheckImmediate(producer.Send(std::move(record)), &errors);
        if (errors.Get().ok()) return true;
        producer_failed.store(true);
        return false;
      });
  consumer_thread.join();

  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = Annotate(producer.Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Annotate(consumer.Close(), "Consumer::Close");
      !s.ok()) {
    return s;
  }
  return LatencyMetrics(id_prefix, label, std::move(latencies_us), sends);
}

}  // namespace bench
}  // namespace brook
