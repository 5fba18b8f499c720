// Logging. brook reports what is worth a look but is not an error (a
// configuration key it does not know and ignores, as Kafka's clients log
// "The configuration 'x' was supplied but isn't a known config.") through
// one process-wide handler, by default one line on stderr. An application
// routes these into its own logging with SetLogHandler.
#ifndef BROOK_LOG_H_
#define BROOK_LOG_H_

#include <cstdint>
#include <functional>

#include "absl/strings/string_view.h"

namespace brook {

enum class LogLevel : int8_t {
  kInfo,
  kWarning,
  kError,
};

// "INFO", "WARN" or "ERROR".
absl::string_view LogLevelName(LogLevel level);

// Receives one message, without a trailing newline. May be called from any
// thread, and from several at once.
using LogHandler =
    std::function<void(LogLevel level, absl::string_view message)>;

// Replaces the process-wide handler; nullptr restores the default, which
// writes "brook WARN: <message>" as one line to stderr. Thread-safe. A
// message being handled while the handler is replaced may still finish in
// the previous one; every message logged after SetLogHandler returns goes
// to the new one.
void SetLogHandler(LogHandler handler);

}  // namespace brook

#endif  // BROOK_LOG_H_
