#include "kafka_common.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "workload_common.h"

namespace brook {
namespace bench {

absl::StatusOr<std::unique_ptr<Client>> OpenKafkaClient(const Config& config) {
  absl::StatusOr<std::unique_ptr<Client>> client =
      Client::Open({{"bootstrap.servers", config.bootstrap_server}});
  if (!client.ok()) return Annotate(client.status(), "Client::Open");
  return client;
}

KafkaTopic::KafkaTopic(std::unique_ptr<Client> client, std::string name,
                       std::string bootstrap, int partitions)
    : client_(std::move(client)),
      name_(std::move(name)),
      group_(absl::StrCat(name_, "-group")),
      bootstrap_(std::move(bootstrap)),
      partitions_(partitions) {}

absl::StatusOr<std::unique_ptr<KafkaTopic>> KafkaTopic::Create(
    const RunEnv& env, absl::string_view measurement) {
  static std::atomic<int> next{0};
  absl::StatusOr<std::unique_ptr<Client>> client = OpenKafkaClient(*env.config);
  if (!client.ok()) return client.status();
  const std::string name =
      absl::StrCat("brook-bench-", measurement, "-", getpid(), "-",
                   next.fetch_add(1, std::memory_order_relaxed));
  const int partitions = env.config->partitions;
  Admin& admin = (*client)->admin();
  NewTopic topic;
  topic.name = name;
  topic.partitions = partitions;
  topic.replication_factor = 1;
  std::vector<absl::Status> created = admin.CreateTopics({topic});
  if (created.size() != 1 || !created[0].ok()) {
    return Annotate(created.empty() ? absl::InternalError("no result")
                                    : created[0],
                    absl::StrCat("CreateTopics ", name));
  }
  std::unique_ptr<KafkaTopic> out(new KafkaTopic(
      *std::move(client), name, env.config->bootstrap_server, partitions));
  // The controller has answered; wait until the broker serves every
  // partition, so that the first send does not see a missing topic.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (;;) {
    absl::StatusOr<TopicDescription> d = admin.DescribeTopic(name);
    if (d.ok() && static_cast<int>(d->partitions.size()) == partitions) break;
    if (absl::Now() > deadline) {
      return Annotate(d.ok() ? absl::DeadlineExceededError(absl::StrCat(
                                   d->partitions.size(), " partitions"))
                             : d.status(),
                      absl::StrCat("topic ", name, " not ready"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return out;
}

KafkaTopic::~KafkaTopic() {
  Admin& admin = client_->admin();
  // Gone or never made is fine; nothing else to do about a failure.
  admin.DeleteGroup(group_).IgnoreError();
  admin.DeleteTopic(name_).IgnoreError();
  client_->Close().IgnoreError();
}

std::vector<TopicPartition> KafkaTopic::AllPartitions() const {
  std::vector<TopicPartition> out;
  for (int p = 0; p < partitions_; ++p) out.emplace_back(name_, p);
  return out;
}

absl::Status KafkaTopic::CheckStored(int64_t expected) {
  absl::StatusOr<TopicDescription> topic = client_->admin().DescribeTopic(name_);
  if (!topic.ok()) return Annotate(topic.status(), "DescribeTopic");
  int64_t stored = 0;
  for (const PartitionDescription& p : topic->partitions) {
    stored += p.log_end_offset - p.log_start_offset;
  }
  if (stored != expected) {
    return absl::InternalError(absl::StrCat("topic ", name_, " holds ", stored,
                                            " records after sending ",
                                            expected));
  }
  return absl::OkStatus();
}

absl::Status KafkaTopic::Fill(const Dataset& data) {
  ProducerOptions options;
  options.acks = Acks::kLeader;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      client_->CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  FirstError errors;
  for (int64_t i = 0; i < data.records(); ++i) {
    CheckImmediate((*producer)->Send(ProducerRecord(
                       name_, std::string(data.key(i)),
                       std::string(data.value(i)))),
                   &errors);
  }
  if (absl::Status s = Annotate((*producer)->Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  return CheckStored(data.records());
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
  add(prefix + "_p50_us", label + " p50", "us", Quantile(latencies_us, 0.50));
  add(prefix + "_p99_us", label + " p99", "us", Quantile(latencies_us, 0.99));
  add(prefix + "_p999_us", label + " p99.9", "us",
      Quantile(latencies_us, 0.999));
  add(prefix + "_max_us", label + " max", "us",
      latencies_us.empty() ? 0 : latencies_us.back());
  add(prefix + "_send_rate", label + " achieved send rate", "records/s",
      sends.send_seconds > 0 ? (sends.sent - 1) / sends.send_seconds : 0);
  return out;
}

std::vector<Metric> RateAndCpuPerRecord(std::string id, std::string label,
                                        int64_t records, double seconds,
                                        double cpu_seconds,
                                        int64_t record_bytes) {
  Metric rate;
  rate.id = std::move(id);
  rate.label = std::move(label);
  rate.unit = "records/s";
  rate.value = records / seconds;
  rate.record_bytes = record_bytes;
  Metric cpu;
  cpu.id = rate.id + "_cpu";
  cpu.label = "  client CPU per record";
  cpu.unit = "us";
  cpu.value = records > 0 ? cpu_seconds * 1e6 / records : 0;
  return {std::move(rate), std::move(cpu)};
}

int64_t EndToEndTotal(const Config& config) {
  return std::max<int64_t>(1, std::llround(config.e2e_rate * config.e2e_seconds));
}

int64_t EndToEndWarmup(int64_t total) {
  return std::min<int64_t>(100, total / 10);
}

}  // namespace bench
}  // namespace brook
