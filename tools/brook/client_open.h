// Opening what a command works on: a data directory (the embedded engine)
// or a Kafka cluster, with the CLI's wording for the failures a user can
// cause (neither or both given, directory held by another process).
#ifndef BROOK_TOOLS_BROOK_CLIENT_OPEN_H_
#define BROOK_TOOLS_BROOK_CLIENT_OPEN_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/brook.h"
#include "flags.h"

namespace brook {
namespace cli {

// Where a command runs: --data DIR or --bootstrap-server HOST:PORT[,...],
// given before the command or among its flags (the later wins).
struct Target {
  std::optional<std::string> data_dir;
  std::optional<std::string> bootstrap_servers;

  // Takes --data / --bootstrap-server from a command's flags.
  void Update(const ParsedFlags& flags);

  // True when only a cluster was given: the command will run on Kafka.
  bool IsCluster() const {
    return bootstrap_servers.has_value() && !bootstrap_servers->empty() &&
           !(data_dir.has_value() && !data_dir->empty());
  }
};

// What a command does with the data directory.
enum class Access {
  kRead,   // Only reads: opens read-only, so it creates and changes nothing.
  kWrite,  // Writes: refused while another process holds the directory.
};

// Opens `target` for a command. A usage error naming `command` when neither
// or both were given. A cluster is opened with Client::Open
// (bootstrap.servers). A data directory: a kRead command always gets a
// read-only engine (it also follows the writes of a process holding the
// directory, to the topics that existed when it opened), so a mistyped path
// is an error and nothing on disk changes. A kWrite command opens with
// default options; when another process holds the directory it gets
// DirectoryInUse with a message naming the directory and `action` (the
// command and subcommand, e.g. "topics create").
absl::StatusOr<std::unique_ptr<Client>> OpenClient(const Target& target,
                                                   absl::string_view command,
                                                   Access access,
                                                   absl::string_view action);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_CLIENT_OPEN_H_
