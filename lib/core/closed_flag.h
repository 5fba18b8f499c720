// ClosedFlag: whether the engine has been closed, read by every client of
// it, and the error their calls get afterwards.
#ifndef BROOK_LIB_CORE_CLOSED_FLAG_H_
#define BROOK_LIB_CORE_CLOSED_FLAG_H_

#include <atomic>

#include "absl/status/status.h"
#include "brook/error.h"

namespace brook {

// Thread-safe.
class ClosedFlag {
 public:
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // Sets the flag; true only for the call that set it.
  bool Close() { return !closed_.exchange(true, std::memory_order_acq_rel); }

  // What a call on a closed engine (or on a client of one) returns.
  static absl::Status Error() {
    return brook::Error(ErrorCode::kClosed, "the engine is closed");
  }

 private:
  std::atomic<bool> closed_{false};
};

}  // namespace brook

#endif  // BROOK_LIB_CORE_CLOSED_FLAG_H_
