// The engine: one data directory (one RocksDB database) holding topics,
// partitions and committed offsets; the embedded backend's Client (see
// client.h), with what only a local engine has.
//
//   auto engine = brook::Engine::Open({}, "/var/lib/app/queue").value();
//   auto producer = engine->CreateProducer({}).value();
//   producer->Send({"orders", "key", "value"});
#ifndef BROOK_ENGINE_H_
#define BROOK_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "brook/client.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "brook/producer.h"

namespace brook {

// Records a salvage open found lost: offsets [from_offset, to_offset) of a
// partition were acknowledged as durable, then destroyed by damage.
struct LostRecords {
  std::string topic;
  int32_t partition = 0;
  int64_t from_offset = 0;
  int64_t to_offset = 0;  // Exclusive; the partition continues from here.
};

// An open data directory: a Client whose backend() is kEmbedded. Thread-safe.
// Producers and consumers it creates keep its core alive, so destruction order
// does not matter; the directory is released once the engine and all of them
// are gone (or after Close).
class Engine : public Client {
 public:
  // Opens (or creates) the data directory `dir`. Errors: DirectoryInUse when
  // another process holds it; Corruption when the directory is damaged (a
  // lost CURRENT or MANIFEST, or acknowledged records missing from the log,
  // named by topic, partition and offsets: see EngineOptions::salvage);
  // KafkaStorageError when storage fails (no space, no descriptors);
  // IllegalState when `dir` is missing and may not be created;
  // InvalidConfig.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      const EngineOptions& options, absl::string_view dir);

  ~Engine() override = default;

  Backend backend() const override { return Backend::kEmbedded; }

  // What an open with EngineOptions::salvage found lost, by topic and
  // partition; empty otherwise.
  virtual const std::vector<LostRecords>& lost_records() const = 0;

  // Completes pending sends, stops the appender and closes the database.
  // Producers and consumers still open then return Closed.
  absl::Status Close() override = 0;
};

}  // namespace brook

#endif  // BROOK_ENGINE_H_
