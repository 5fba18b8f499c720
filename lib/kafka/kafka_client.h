// KafkaClient: the Client of the Kafka backend (Client::Open with
// bootstrap.servers). Holds the client-wide properties every producer's,
// consumer's and the Admin's librdkafka configuration starts from; each
// producer and consumer gets a librdkafka handle of its own, the Admin one
// the client owns.
#ifndef BROOK_LIB_KAFKA_KAFKA_CLIENT_H_
#define BROOK_LIB_KAFKA_KAFKA_CLIENT_H_

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "brook/client.h"
#include "brook/options.h"

namespace brook {

class KafkaAdmin;

// Opens the Kafka backend's client from `config` (bootstrap.servers and the
// other client-wide keys). Contacts nothing; InvalidConfig naming a key
// librdkafka refuses.
absl::StatusOr<std::unique_ptr<Client>> OpenKafkaClient(
    const Properties& config);

// Thread-safe.
class KafkaClient : public Client {
 public:
  ~KafkaClient() override;

  Backend backend() const override { return Backend::kKafka; }
  absl::StatusOr<std::unique_ptr<Producer>> CreateProducer(
      const ProducerOptions& options) override;
  absl::StatusOr<std::unique_ptr<Consumer>> CreateConsumer(
      const ConsumerOptions& options) override;
  Admin& admin() override;
  absl::Status Close() override;

 private:
  friend absl::StatusOr<std::unique_ptr<Client>> OpenKafkaClient(
      const Properties& config);
  explicit KafkaClient(Properties base);

  const Properties base_;
  const std::unique_ptr<KafkaAdmin> admin_;
  // Numbers default client ids ("producer-N"), as the embedded engine does.
  std::atomic<int64_t> next_producer_{1};
  std::atomic<int64_t> next_consumer_{1};
};

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_CLIENT_H_
