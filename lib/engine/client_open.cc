// Client::Open: picks the backend from the properties.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/client.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "util/config.h"
#include "util/status_macros.h"
#ifdef BROOK_WITH_KAFKA
#include "kafka/kafka_client.h"
#endif

namespace brook {

absl::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kEmbedded:
      return "embedded";
    case Backend::kKafka:
      return "kafka";
  }
  return "unknown";
}

namespace {

constexpr absl::string_view kDirKey = "brook.dir";
constexpr absl::string_view kInMemoryKey = "brook.in.memory";

absl::StatusOr<std::unique_ptr<Client>> OpenEmbedded(Properties config) {
  EngineOptions options;
  std::string dir;
  if (auto it = config.find(std::string(kDirKey)); it != config.end()) {
    dir = it->second;
    config.erase(it);
  }
  if (auto it = config.find(std::string(kInMemoryKey)); it != config.end()) {
    BROOK_RETURN_IF_ERROR(ParseBool(kInMemoryKey, it->second,
                                    &options.in_memory));
    config.erase(it);
  }
  if (dir.empty() && !options.in_memory) {
    return Error(ErrorCode::kInvalidConfig,
                 "brook.dir is empty: name the data directory, or set "
                 "brook.in.memory=true");
  }
  BROOK_ASSIGN_OR_RETURN(EngineOptions parsed,
                         EngineOptions::FromProperties(config,
                                                       UnknownKeys::kReject));
  parsed.in_memory = options.in_memory;
  if (dir.empty()) dir = "in-memory";
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                         Engine::Open(parsed, dir));
  return std::unique_ptr<Client>(std::move(engine));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Open(
    const Properties& config) {
  const bool kafka = config.count("bootstrap.servers") > 0;
  const bool embedded = config.count(std::string(kDirKey)) > 0 ||
                        config.count(std::string(kInMemoryKey)) > 0;
  if (kafka && embedded) {
    return Error(ErrorCode::kInvalidConfig,
                 "bootstrap.servers (a Kafka cluster) and brook.dir / "
                 "brook.in.memory (the embedded engine) exclude each other: "
                 "give one");
  }
  if (embedded) return OpenEmbedded(config);
  if (!kafka) {
    return Error(ErrorCode::kInvalidConfig,
                 "no backend chosen: give bootstrap.servers (a Kafka "
                 "cluster) or brook.dir / brook.in.memory=true (the "
                 "embedded engine)");
  }
#ifdef BROOK_WITH_KAFKA
  return OpenKafkaClient(config);
#else
  return Error(ErrorCode::kInvalidConfig,
               "bootstrap.servers: this brook was built without the Kafka "
               "backend (CMake option BROOK_WITH_KAFKA)");
#endif
}

}  // namespace brook
