#include "send_tracker.h"

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {
namespace cli {

SendCallback SendTracker::Track(int64_t line) {
  {
    absl::MutexLock lock(&mu_);
    ++tracked_;
  }
  return [this, line](const absl::StatusOr<RecordMetadata>& result) {
    Complete(line, result.status());
  };
}

void SendTracker::Complete(int64_t line, const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  ++completed_;
  // Completions arrive in batch order, not line order; report the earliest
  // line so the message points at the first record that did not make it.
  if (!status.ok() && (first_failed_line_ == 0 || line < first_failed_line_)) {
    first_failed_line_ = line;
    first_error_ = status;
  }
}

bool SendTracker::AllCompleted() const { return completed_ == tracked_; }

bool SendTracker::failed() {
  absl::MutexLock lock(&mu_);
  return first_failed_line_ != 0;
}

absl::Status SendTracker::AwaitAll() {
  absl::MutexLock lock(&mu_);
  // Producer::Flush and Close wait for the sends, but the API does not
  // promise that callbacks have returned by then; wait for them here.
  mu_.Await(absl::Condition(this, &SendTracker::AllCompleted));
  if (first_failed_line_ == 0) return absl::OkStatus();
  // Keep the brook code; say which line failed.
  return Error(GetErrorCode(first_error_),
               absl::StrCat("record from input line ", first_failed_line_,
                            " was not written: ", first_error_.message()));
}

}  // namespace cli
}  // namespace brook
