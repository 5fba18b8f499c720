// Tests only: Engine::Open over a given RocksDB environment, so that a test
// can inject storage faults (storage/fault_fs.h) under the whole engine.
#ifndef BROOK_LIB_ENGINE_ENGINE_TESTING_H_
#define BROOK_LIB_ENGINE_ENGINE_TESTING_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/engine.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace brook {

// Engine::Open with `env` (must outlive the engine) for an on-disk
// directory; nullptr is Engine::Open.
absl::StatusOr<std::unique_ptr<Engine>> OpenEngineWithEnv(
    const EngineOptions& options, absl::string_view dir, rocksdb::Env* env);

}  // namespace brook

#endif  // BROOK_LIB_ENGINE_ENGINE_TESTING_H_
