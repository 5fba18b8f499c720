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
  kRead,   // Only reads: opens read-only, so it creates and changes nothing.
  kWrite,  // Writes: refused while another process holds the directory.
};

// Opens `data_dir` for a command. A usage error naming `command` when no
// directory was given. A kRead command always gets a read-only engine (it
// also follows the writes of a process holding the directory, to the
// topics that existed when it opened), so a mistyped path is an error and
// nothing on disk changes. A kWrite command opens with default options;
// when another process holds the directory it gets DirectoryInUse with a
// message naming the directory and `action` (the command and subcommand,
// e.g. "topics create").
absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(
    const std::optional<std::string>& data_dir, absl::string_view command,
    Access access, absl::string_view action);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_ENGINE_OPEN_H_
