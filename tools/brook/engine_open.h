// Opening the data directory for a command, with the CLI's wording for the
// failures a user can cause (no --data, directory held by another process).
#ifndef BROOK_TOOLS_BROOK_ENGINE_OPEN_H_
#define BROOK_TOOLS_BROOK_ENGINE_OPEN_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/brook.h"

namespace brook {
namespace cli {

// Opens `data_dir` with default EngineOptions. A usage error naming
// `command` when no directory was given; DirectoryInUse keeps its brook code
// but gets a shorter message naming the directory.
absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(
    const std::optional<std::string>& data_dir, absl::string_view command);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_ENGINE_OPEN_H_
