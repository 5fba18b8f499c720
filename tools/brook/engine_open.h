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

// What a command does with the data directory.
enum class Access {
  kRead,   // Only reads: opens read-only when another process holds it.
  kWrite,  // Writes: refused while it is held.
};

// Opens `data_dir` with default EngineOptions. A usage error naming
// `command` when no directory was given. When another process holds the
// directory, a kRead command gets a read-only engine (it follows the
// holder's writes to the topics that existed when it opened); a kWrite one gets
// DirectoryInUse with a message naming the directory and `action` (the command
// and subcommand, e.g. "topics create").
// `*read_only` (when given) tells whether the engine was opened read-only.
absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(
    const std::optional<std::string>& data_dir, absl::string_view command,
    Access access, absl::string_view action, bool* read_only = nullptr);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_ENGINE_OPEN_H_
