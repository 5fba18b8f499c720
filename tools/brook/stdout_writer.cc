#include "stdout_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace brook {
namespace cli {

absl::Status WriteStdout(absl::string_view data) {
  // main ignores SIGPIPE, so a vanished reader shows up here as EPIPE.
  errno = 0;
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() ||
      std::fflush(stdout) != 0) {
    const int err = errno;
    std::clearerr(stdout);
    if (err == EPIPE) return absl::UnavailableError("stdout was closed");
    return absl::InternalError(
        absl::StrCat("writing to stdout: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

bool IsBrokenPipe(const absl::Status& status) {
  return absl::IsUnavailable(status);
}

}  // namespace cli
}  // namespace brook
