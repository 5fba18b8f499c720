// Detects concurrent use of a single-threaded object, as Kafka's consumer
// does with its acquire()/release(): a second thread gets
// ConcurrentModification instead of corrupting state. Re-entry from the
// owning thread (a callback calling back in) is allowed.
// Backends: every public Consumer call opens a ThreadGuardScope first.
#ifndef BROOK_LIB_CLIENT_THREAD_GUARD_H_
#define BROOK_LIB_CLIENT_THREAD_GUARD_H_

#include <atomic>
#include <thread>

#include "absl/status/status.h"

namespace brook {

// Thread-safe.
class ThreadGuard {
 public:
  // OK when the calling thread may proceed; pair each OK with Release().
  absl::Status Acquire();
  void Release();

 private:
  std::atomic<std::thread::id> owner_{};
  int depth_ = 0;  // Only touched by the owner.
};

// Holds a ThreadGuard for a scope when Acquire succeeded.
class ThreadGuardScope {
 public:
  explicit ThreadGuardScope(ThreadGuard* guard)
      : guard_(guard), status_(guard->Acquire()) {}
  ~ThreadGuardScope() {
    if (status_.ok()) guard_->Release();
  }
  ThreadGuardScope(const ThreadGuardScope&) = delete;
  ThreadGuardScope& operator=(const ThreadGuardScope&) = delete;
  const absl::Status& status() const { return status_; }

 private:
  ThreadGuard* guard_;
  absl::Status status_;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_THREAD_GUARD_H_
