#include "signal_wakeup.h"

#include <pthread.h>
#include <signal.h>

namespace brook {
namespace cli {
namespace {

// SIGUSR1 is how the destructor stops the signal thread: a signal sent to
// that thread alone with pthread_kill, so sigwait() returns.
constexpr int kStopSignal = SIGUSR1;

bool Ignored(int signal) {
  struct sigaction action;
  return sigaction(signal, nullptr, &action) == 0 &&
         action.sa_handler == SIG_IGN;
}

}  // namespace

SignalWakeup::SignalWakeup() {
  sigemptyset(&watched_);
  sigaddset(&watched_, kStopSignal);
  // A signal the parent set to be ignored stays ignored, as shells expect
  // when they start background jobs with SIGINT ignored (use SIGTERM then).
  for (int signal : {SIGINT, SIGTERM}) {
    if (!Ignored(signal)) sigaddset(&watched_, signal);
  }
  // Block first: the thread started next, and every thread created later,
  // inherits the mask. Failure is not expected for these arguments; signals
  // then keep their default action, which still stops the process.
  if (pthread_sigmask(SIG_BLOCK, &watched_, nullptr) != 0) return;
  thread_ = std::thread([this] { Run(); });
}

SignalWakeup::~SignalWakeup() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  pthread_kill(thread_.native_handle(), kStopSignal);
  thread_.join();
}

void SignalWakeup::SetTarget(Consumer* consumer) {
  absl::MutexLock lock(&mu_);
  target_ = consumer;
  if (target_ != nullptr && interrupted_) target_->Wakeup();
}

void SignalWakeup::Run() {
  for (;;) {
    int signal = 0;
    if (sigwait(&watched_, &signal) != 0) continue;
    if (signal == kStopSignal) {
      if (stopping_.load(std::memory_order_acquire)) return;
      continue;  // A stray SIGUSR1 from outside: not ours to act on.
    }
    absl::MutexLock lock(&mu_);
    interrupted_ = true;
    // The target's owner clears it under mu_ before destroying the
    // consumer, so it is alive here.
    if (target_ != nullptr) target_->Wakeup();
  }
}

}  // namespace cli
}  // namespace brook
