// The CLI's commands. Each takes the words after its name and the --data
// directory or --bootstrap-server given before it (if any), does its work through brook's public
// API, and returns the status main turns into an exit code.
#ifndef BROOK_TOOLS_BROOK_COMMANDS_H_
#define BROOK_TOOLS_BROOK_COMMANDS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "client_open.h"

namespace brook {
namespace cli {

// brook topics create|list|describe|delete|clean ...
absl::Status RunTopics(absl::Span<const std::string> args, Target target);

// brook produce TOPIC ...
absl::Status RunProduce(absl::Span<const std::string> args, Target target);

// brook consume TOPIC ...
absl::Status RunConsume(absl::Span<const std::string> args, Target target);

// brook groups list|describe|reset-offsets|delete ...
absl::Status RunGroups(absl::Span<const std::string> args, Target target);

// brook delete-records --topic T --partition P --offset O ...
absl::Status RunDeleteRecords(absl::Span<const std::string> args, Target target);

// brook salvage: opens a damaged directory with what remains.
absl::Status RunSalvage(absl::Span<const std::string> args, Target target);

// brook partition --partitions N (--key TEXT | --key-hex HEX)
absl::Status RunPartition(absl::Span<const std::string> args);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_COMMANDS_H_
