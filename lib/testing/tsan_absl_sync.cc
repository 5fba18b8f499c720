// ThreadSanitizer builds only (BROOK_SANITIZE=thread): makes Debian's
// Abseil synchronization visible to TSan.
//
// Debian's libabsl is not built with TSan, and absl::Mutex synchronizes
// through its own atomics and futex calls, which TSan cannot see: every
// hand-over of state through an absl::Mutex would be reported as a race.
// This file interposes the Abseil entry points brook and its tests use.
// Each definition below replaces the shared library's for the executable
// (the executable's symbol wins), calls the library's own implementation
// (found with dlsym(RTLD_NEXT)), and tells TSan what it did: a release on
// the object's address before it is unlocked (or waited on), an acquire
// after it is locked (or the wait returns). That is the happens-before a
// mutex gives. A condition that Abseil evaluates on the unlocking thread
// reads state the waiter released before waiting, and the unlocking thread
// acquired the mutex since, so those reads are ordered too.
//
// Only linked into executables of TSan builds; never into the library.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/config.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#define BROOK_TSAN_STR2(x) #x
#define BROOK_TSAN_STR(x) BROOK_TSAN_STR2(x)

namespace {

// The mangled name of absl::<inline namespace>::`rest` (a const member
// function when `is_const`).
std::string Mangled(const char* rest, bool is_const) {
  const std::string ns = BROOK_TSAN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return std::string(is_const ? "_ZNK4absl" : "_ZN4absl") +
         std::to_string(ns.size()) + ns + rest;
}

void* Real(const char* rest, bool is_const) {
  const std::string name = Mangled(rest, is_const);
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found: %s\n", name.c_str(),
                 dlerror());
    std::abort();
  }
  return fn;
}

// The library's implementation of one member function, as a plain function
// taking `this` first (the Itanium C++ ABI's calling convention).
template <typename Fn>
Fn Lookup(const char* rest, bool is_const = false) {
  return reinterpret_cast<Fn>(Real(rest, is_const));
}

void Acquire(const void* p) { __tsan_acquire(const_cast<void*>(p)); }
void Release(const void* p) { __tsan_release(const_cast<void*>(p)); }

// Abseil evaluates a waiter's condition while the mutex is held, on the
// waiting thread or on whichever thread unlocks, inside the library. Each
// evaluation is bracketed by an acquire and a release on the mutex, as any
// other critical section.
struct Bracketed {
  const absl::Condition* cond;
  const absl::Mutex* mu;
};

bool EvalBracketed(Bracketed* b) {
  Acquire(b->mu);
  const bool r = b->cond->Eval();
  Release(b->mu);
  return r;
}

// Abseil's own deadlock detector keeps its lock graph under an internal
// spin lock TSan cannot see either, so TSan would report the graph's
// updates as races. TSan detects lock-order inversions itself
// (second_deadlock_stack=1), so the detector is switched off in these
// builds.
const bool kDetectorOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex4LockEv");
  real(this);
  Acquire(this);
}

void Mutex::ReaderLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  real(this);
  Acquire(this);
}

bool Mutex::TryLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}

void Mutex::Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex6UnlockEv");
  Release(this);
  real(this);
}

void Mutex::ReaderUnlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  Release(this);
  real(this);
}

void Mutex::Await(const Condition& cond) {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex5AwaitERKNS0_9ConditionE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  Release(this);
  real(this, bracketed);
  Acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  Release(this);
  const bool r = real(this, bracketed, timeout);
  Acquire(this);
  return r;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  Release(this);
  const bool r = real(this, bracketed, deadline);
  Acquire(this);
  return r;
}

void Mutex::LockWhen(const Condition& cond) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex8LockWhenERKNS0_9ConditionE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  real(this, bracketed);
  Acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  const bool r = real(this, bracketed, timeout);
  Acquire(this);
  return r;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Bracketed b{&cond, this};
  const Condition bracketed(&EvalBracketed, &b);
  const bool r = real(this, bracketed, deadline);
  Acquire(this);
  return r;
}

void CondVar::Wait(Mutex* mu) {
  static auto real =
      Lookup<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  real(this, mu);
  Acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto real = Lookup<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool r = real(this, mu, timeout);
  Acquire(mu);
  return r;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real = Lookup<bool (*)(CondVar*, Mutex*, absl::Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool r = real(this, mu, deadline);
  Acquire(mu);
  return r;
}

void Notification::Notify() {
  static auto real = Lookup<void (*)(Notification*)>("12Notification6NotifyEv");
  Release(this);
  // HasBeenNotified is inline: its acquire load of notified_yet_ is
  // instrumented and pairs with this release.
  Release(&notified_yet_);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Lookup<void (*)(const Notification*)>(
      "12Notification19WaitForNotificationEv", /*is_const=*/true);
  real(this);
  Acquire(this);
}

bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  static auto real = Lookup<bool (*)(const Notification*, absl::Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE",
      /*is_const=*/true);
  const bool r = real(this, timeout);
  if (r) Acquire(this);
  return r;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  static auto real = Lookup<bool (*)(const Notification*, absl::Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE",
      /*is_const=*/true);
  const bool r = real(this, deadline);
  if (r) Acquire(this);
  return r;
}

bool Barrier::Block() {
  static auto real = Lookup<bool (*)(Barrier*)>("7Barrier5BlockEv");
  Release(this);
  const bool r = real(this);
  Acquire(this);
  return r;
}

bool BlockingCounter::DecrementCount() {
  static auto real =
      Lookup<bool (*)(BlockingCounter*)>("15BlockingCounter14DecrementCountEv");
  Release(this);
  return real(this);
}

void BlockingCounter::Wait() {
  static auto real =
      Lookup<void (*)(BlockingCounter*)>("15BlockingCounter4WaitEv");
  real(this);
  Acquire(this);
}

ABSL_NAMESPACE_END
}  // namespace absl
