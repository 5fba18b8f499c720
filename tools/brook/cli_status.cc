#include "cli_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace brook {
namespace cli {
namespace {

// Payload that marks a usage error. A payload rather than a status code,
// because brook's own InvalidConfig errors share kInvalidArgument.
constexpr absl::string_view kUsagePayload = "brook.cli/usage";

}  // namespace

absl::Status UsageError(absl::string_view message,
                        absl::string_view help_hint) {
  const std::string hint =
      help_hint.empty() ? std::string(" (see 'brook --help')")
                        : absl::StrCat(" (see 'brook ", help_hint, " --help')");
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(message, hint));
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  return IsUsageError(status) ? kExitUsageError : kExitRuntimeError;
}

std::string ErrorLine(const absl::Status& status) {
  // One line per failure, whatever the message holds (RocksDB texts can
  // carry newlines).
  return absl::StrCat(
      "brook: error: ",
      absl::StrReplaceAll(status.message(), {{"\r\n", " "}, {"\n", " "}}));
}

}  // namespace cli
}  // namespace brook
