// The client: the root from which producers, consumers and the Admin are
// created, whichever backend serves them. Opened from Kafka-style
// properties, so code written against it moves between the embedded engine
// and a real Kafka cluster by configuration alone:
//
//   // Embedded: a data directory on this machine.
//   auto client = brook::Client::Open({{"brook.dir", "/var/lib/app/queue"}});
//   // A Kafka cluster, through librdkafka:
//   auto client = brook::Client::Open({{"bootstrap.servers", "k1:9092"}});
//
//   auto producer = (*client)->CreateProducer({}).value();
//
// brook::Engine (engine.h) is the embedded backend's client, with what only
// it has (read-only opens, salvage, a ManualClock).
#ifndef BROOK_CLIENT_H_
#define BROOK_CLIENT_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "brook/producer.h"

namespace brook {

// Which implementation serves a Client.
enum class Backend : int8_t {
  kEmbedded,  // brook's engine over a local data directory (RocksDB).
  kKafka,     // A Kafka cluster, through librdkafka.
};

// "embedded" or "kafka".
absl::string_view BackendName(Backend backend);

// Thread-safe. Producers and consumers it creates keep what they need
// alive, so destruction order does not matter.
class Client {
 public:
  // Opens a client from `config`; exactly one of these picks the backend:
  // - "bootstrap.servers": the Kafka backend. The other properties (e.g.
  //   security.protocol, sasl.*, ssl.*, client.rack) become the base of
  //   every producer's, consumer's and the Admin's configuration; a
  //   producer's or consumer's own properties (ProducerOptions::cluster,
  //   ConsumerOptions::cluster) add to them. Nothing is contacted until a
  //   producer, consumer or the Admin needs the cluster. InvalidConfig when
  //   the library was built without it (CMake option BROOK_WITH_KAFKA).
  // - "brook.dir": the embedded engine on that data directory (created
  //   when missing), or "brook.in.memory"="true" for one held in memory.
  //   The other properties are EngineOptions::FromProperties' (e.g.
  //   num.partitions, auto.create.topics.enable), unknown ones refused.
  //   Errors as Engine::Open.
  // InvalidConfig when neither or both are given.
  static absl::StatusOr<std::unique_ptr<Client>> Open(
      const Properties& config);

  virtual ~Client() = default;

  virtual Backend backend() const = 0;

  virtual absl::StatusOr<std::unique_ptr<Producer>> CreateProducer(
      const ProducerOptions& options) = 0;
  virtual absl::StatusOr<std::unique_ptr<Consumer>> CreateConsumer(
      const ConsumerOptions& options) = 0;

  // Topic and group administration; valid while the client is.
  virtual Admin& admin() = 0;

  // Releases the client: the embedded engine completes pending sends and
  // closes its data directory; the Kafka backend closes the Admin's
  // connection. Producers and consumers still open then return Closed
  // (embedded) or go on with their own connections (Kafka).
  virtual absl::Status Close() = 0;
};

}  // namespace brook

#endif  // BROOK_CLIENT_H_
