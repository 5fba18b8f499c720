#include "util/logging.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/log.h"

namespace brook {
namespace {

void WriteToStderr(LogLevel level, absl::string_view message) {
  // One write per line, so that lines from several threads do not mix.
  std::string line =
      absl::StrCat("brook ", LogLevelName(level), ": ", message, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// The handler in use. Messages take a reference under the lock and call it
// outside, so a slow handler never blocks SetLogHandler and a handler may
// log or replace the handler.
class HandlerSlot {
 public:
  std::shared_ptr<const LogHandler> Get() {
    absl::MutexLock lock(&mu_);
    return handler_;
  }
  void Set(LogHandler handler) {
    auto next = handler ? std::make_shared<const LogHandler>(std::move(handler))
                        : std::make_shared<const LogHandler>(WriteToStderr);
    absl::MutexLock lock(&mu_);
    handler_.swap(next);
    // The previous handler is released outside the lock, at return.
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<const LogHandler> handler_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const LogHandler>(WriteToStderr);
};

HandlerSlot& Slot() {
  static HandlerSlot* slot = new HandlerSlot();  // Never destroyed.
  return *slot;
}

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

void SetLogHandler(LogHandler handler) { Slot().Set(std::move(handler)); }

void Log(LogLevel level, absl::string_view message) {
  std::shared_ptr<const LogHandler> handler = Slot().Get();
  (*handler)(level, message);
}

}  // namespace brook
