#include "kafka_common.h"

#include <unistd.h>

#include <atomic>
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

}  // namespace bench
}  // namespace brook
