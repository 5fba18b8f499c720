#include "kafka/kafka_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"
#include "util/mutex_mode.h"
#include "util/producer_checks.h"

namespace brook {

absl::StatusOr<std::unique_ptr<Client>> OpenKafkaClient(
    const Properties& config) {
  SetMutexModeForBuild();
  // Checks every key now, so that a bad one fails Open rather than the
  // first producer.
  absl::StatusOr<KafkaConf> conf = NewBaseConf(config);
  if (!conf.ok()) return conf.status();
  return std::unique_ptr<Client>(new KafkaClient(config));
}

KafkaClient::KafkaClient(Properties base)
    : base_(std::move(base)), admin_(std::make_unique<KafkaAdmin>(base_)) {}

KafkaClient::~KafkaClient() { Close().IgnoreError(); }  // Nobody to tell.

absl::StatusOr<std::unique_ptr<Producer>> KafkaClient::CreateProducer(
    const ProducerOptions& options) {
  ProducerOptions completed = options;
  absl::Status s = CompleteProducerOptions(completed);
  if (!s.ok()) return s;
  if (completed.client_id.empty()) {
    completed.client_id = absl::StrCat(
        "producer-", next_producer_.fetch_add(1, std::memory_order_relaxed));
  }
  return KafkaProducer::Create(base_, completed);
}

absl::StatusOr<std::unique_ptr<Consumer>> KafkaClient::CreateConsumer(
    const ConsumerOptions& options) {
  // The same checks as the embedded engine's (every field as a property).
  absl::StatusOr<ConsumerOptions> checked =
      ConsumerOptions::FromProperties(options.ToProperties());
  if (!checked.ok()) return checked.status();
  ConsumerOptions o = options;
  if (o.client_id.empty()) {
    // ConsumerConfig's default, "null" for a missing group.id included.
    o.client_id = absl::StrCat(
        "consumer-", o.group_id.empty() ? "null" : o.group_id, "-",
        o.group_instance_id.empty()
            ? absl::StrCat(
                  next_consumer_.fetch_add(1, std::memory_order_relaxed))
            : o.group_instance_id);
  }
  return KafkaConsumer::Create(base_, o);
}

Admin& KafkaClient::admin() { return *admin_; }

absl::Status KafkaClient::Close() {
  admin_->Close();
  return absl::OkStatus();
}

}  // namespace brook
