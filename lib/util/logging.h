// Sends a message to the handler set with brook::SetLogHandler (brook/log.h).
#ifndef BROOK_LIB_UTIL_LOGGING_H_
#define BROOK_LIB_UTIL_LOGGING_H_

#include "absl/strings/string_view.h"
#include "brook/log.h"

namespace brook {

// Calls the current handler (not under any lock of brook's, so a handler
// may log or replace the handler). Thread-safe.
void Log(LogLevel level, absl::string_view message);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_LOGGING_H_
