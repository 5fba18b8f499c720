// Counts the outcomes of a producer's sends so the produce command can exit
// 0 only when every record was acknowledged. It uses send callbacks rather
// than keeping one SendFuture per line, so memory stays constant however
// much stdin holds.
#ifndef BROOK_TOOLS_BROOK_SEND_TRACKER_H_
#define BROOK_TOOLS_BROOK_SEND_TRACKER_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "brook/producer.h"

namespace brook {
namespace cli {

// Thread-safe: callbacks run on the engine's appender thread (or on the
// sending thread for errors found at Send). Must outlive every callback it
// hands out, so wait with AwaitAll before destroying it.
class SendTracker {
 public:
  SendTracker() = default;
  SendTracker(const SendTracker&) = delete;
  SendTracker& operator=(const SendTracker&) = delete;

  // A callback for the record read from input line `line` (1-based).
  SendCallback Track(int64_t line) ABSL_LOCKS_EXCLUDED(mu_);

  // True once any tracked send has failed.
  bool failed() ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until every tracked send has completed, then returns OK or the
  // error of the earliest input line that failed, prefixed with the line.
  absl::Status AwaitAll() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Complete(int64_t line, const absl::Status& status)
      ABSL_LOCKS_EXCLUDED(mu_);
  bool AllCompleted() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  int64_t tracked_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t first_failed_line_ ABSL_GUARDED_BY(mu_) = 0;  // 0: none failed.
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_SEND_TRACKER_H_
