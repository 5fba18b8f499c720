// The engine: one data directory (one RocksDB database) holding topics,
// partitions and committed offsets, plus the factories for producers and
// consumers.
//
//   auto engine = brook::Engine::Open({}, "/var/lib/app/queue").value();
//   auto producer = engine->CreateProducer({}).value();
//   producer->Send({"orders", "key", "value"});
#ifndef BROOK_ENGINE_H_
#define BROOK_ENGINE_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "brook/producer.h"

namespace brook {

// An open data directory. Thread-safe. Producers and consumers it creates keep
// its core alive, so destruction order does not matter; the directory is
// released once the engine and all of them are gone (or after Close).
class Engine {
 public:
  // Opens (or creates) the data directory `dir`. Errors: DirectoryInUse when
  // another process holds it, Corruption, InvalidConfig.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      const EngineOptions& options, absl::string_view dir);

  virtual ~Engine() = default;

  virtual absl::StatusOr<std::unique_ptr<Producer>> CreateProducer(
      const ProducerOptions& options) = 0;
  virtual absl::StatusOr<std::unique_ptr<Consumer>> CreateConsumer(
      const ConsumerOptions& options) = 0;

  // Topic administration; valid while the engine is.
  virtual Admin& admin() = 0;

  // Completes pending sends, stops the appender and closes the database.
  // Producers and consumers still open then return Closed.
  virtual absl::Status Close() = 0;
};

}  // namespace brook

#endif  // BROOK_ENGINE_H_
