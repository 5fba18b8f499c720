// Writing command output. Output is checked, so a full disk or a closed pipe
// is reported (and, for consume, not committed as printed).
#ifndef BROOK_TOOLS_BROOK_STDOUT_WRITER_H_
#define BROOK_TOOLS_BROOK_STDOUT_WRITER_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {
namespace cli {

// Writes `data` to stdout and flushes it. Errors: kUnavailable when stdout is
// a pipe whose reader has gone (EPIPE), kInternal for other write failures.
absl::Status WriteStdout(absl::string_view data);

// True when `status` came from WriteStdout because the reader went away, as
// with `brook consume ... | head`: callers stop quietly then.
bool IsBrokenPipe(const absl::Status& status);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_STDOUT_WRITER_H_
