// How the CLI reports failures: every command returns an absl::Status, and
// main turns it into one line on stderr plus an exit status. Usage errors
// (bad command lines) are told apart from runtime errors (what brook itself
// reported) so scripts can distinguish "you called me wrong" (2) from "the
// operation failed" (1).
#ifndef BROOK_TOOLS_BROOK_CLI_STATUS_H_
#define BROOK_TOOLS_BROOK_CLI_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {
namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsageError = 2;

// A malformed command line: unknown or missing flag, bad number, wrong
// argument count. `help_hint` is the command whose --help explains the fix
// ("consume"), or empty for the top-level help.
absl::Status UsageError(absl::string_view message,
                        absl::string_view help_hint = "");

// True for statuses made by UsageError.
bool IsUsageError(const absl::Status& status);

// kExitOk, kExitUsageError or kExitRuntimeError.
int ExitCodeFor(const absl::Status& status);

// The single stderr line for a failed status: "brook: error: <message>",
// with any newline in the message folded into a space.
std::string ErrorLine(const absl::Status& status);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_CLI_STATUS_H_
