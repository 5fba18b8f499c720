// Turns Ctrl-C (SIGINT) and SIGTERM into Consumer::Wakeup(), so a consume
// blocked in Poll returns kWakeup and can commit and exit cleanly.
//
// Wakeup() is thread-safe but not async-signal-safe (it takes a mutex), so it
// is not called from a signal handler. Instead the signals are blocked in
// every thread and a dedicated thread receives them with sigwait() and calls
// Wakeup() from ordinary thread context.
//
//   SignalWakeup signals;                    // Before Engine::Open.
//   ... open the engine, create `consumer` ...
//   WakeupTarget target(&signals, consumer.get());
//   Poll() until it returns kWakeup.
#ifndef BROOK_TOOLS_BROOK_SIGNAL_WAKEUP_H_
#define BROOK_TOOLS_BROOK_SIGNAL_WAKEUP_H_

#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "brook/consumer.h"

namespace brook {
namespace cli {

// Thread-safe. Construct it before any other thread starts (before
// Engine::Open): threads inherit the blocked signal mask only when created
// after it, and a SIGINT delivered to a thread that does not block it would
// kill the process. A signal already ignored when it is constructed (SIGINT
// in a script's background job) is left ignored. The mask stays blocked
// after destruction, so a late signal cannot kill the process while it
// shuts down.
class SignalWakeup {
 public:
  SignalWakeup();
  // Stops and joins the signal thread.
  ~SignalWakeup();
  SignalWakeup(const SignalWakeup&) = delete;
  SignalWakeup& operator=(const SignalWakeup&) = delete;

  // The consumer to wake on SIGINT/SIGTERM, or nullptr for none. If a signal
  // already arrived, wakes the new consumer at once. `consumer` must stay
  // alive until it is replaced.
  void SetTarget(Consumer* consumer) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();

  sigset_t watched_;  // Constant after construction.
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  Consumer* target_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Points a SignalWakeup at a consumer for its own lifetime. Declare it after
// the consumer so it is destroyed (and the target cleared) first.
class WakeupTarget {
 public:
  WakeupTarget(SignalWakeup* signals, Consumer* consumer) : signals_(signals) {
    signals_->SetTarget(consumer);
  }
  ~WakeupTarget() { signals_->SetTarget(nullptr); }
  WakeupTarget(const WakeupTarget&) = delete;
  WakeupTarget& operator=(const WakeupTarget&) = delete;

 private:
  SignalWakeup* const signals_;
};

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_SIGNAL_WAKEUP_H_
