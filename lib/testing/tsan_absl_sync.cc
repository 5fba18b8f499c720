// ThreadSanitizer builds only (BROOK_SANITIZE=thread): makes Debian's
// Abseil synchronization visible to TSan.
//
// Debian's libabsl is not built with TSan, and absl::Mutex synchronizes
// through its own atomics and futex calls, which TSan cannot see: every
// hand-over of state through an absl::Mutex would be reported as a race.
// This file interposes the Abseil entry points brook and its tests use.
// Each definition below replaces the shared library's for the executable
// (the executable's symbol wins, and the library reaches its own public
// entry points through the PLT too), calls the library's own
// implementation (found with dlsym(RTLD_NEXT)), and describes the operation
// to TSan with its mutex annotations (sanitizer/tsan_interface.h), the same
// ones Abseil itself makes when it is built with TSan. TSan then knows each
// absl::Mutex as a reader-writer lock: it orders critical sections, keeps
// reader-side sections unordered among themselves, and checks lock order.
//
// Abseil evaluates a waiter's condition inside the library, on the waiting
// thread while it (re)acquires the mutex or on whichever thread releases
// it. The condition is wrapped so that each evaluation is annotated as a
// critical section of its own on that thread, as Abseil's own TSan build
// does.
//
// Only linked into executables of TSan builds; never into the library.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdint>
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

void* Addr(const void* p) { return const_cast<void*>(p); }

// What this thread is doing to which mutex while it is inside the library:
// acquiring it (the annotations stand between pre_lock and post_lock) or
// releasing it (between pre_unlock and post_unlock).
enum class Phase { kNone, kLocking, kUnlocking };

struct Operation {
  const void* mu = nullptr;
  Phase phase = Phase::kNone;
  unsigned flags = 0;
};

thread_local Operation current_operation;

// Records an operation for the duration of one call into the library.
class InLibrary {
 public:
  InLibrary(const void* mu, Phase phase, unsigned flags)
      : saved_(current_operation) {
    current_operation = Operation{mu, phase, flags};
  }
  ~InLibrary() { current_operation = saved_; }
  InLibrary(const InLibrary&) = delete;
  InLibrary& operator=(const InLibrary&) = delete;

 private:
  Operation saved_;
};

// True inside an annotated operation on `mu`: one entry point of the
// library calling another (AwaitWithTimeout calls AwaitWithDeadline, for
// one) must not annotate the same operation twice.
bool Nested(const void* mu) { return current_operation.mu == mu; }

// The condition's own code runs outside any operation.
bool EvalPlain(const absl::Condition* cond) {
  InLibrary none(nullptr, Phase::kNone, 0);
  return cond->Eval();
}

// A condition together with the mutex it is evaluated under.
struct Annotated {
  const absl::Condition* cond;
  const void* mu;
};

// Each evaluation becomes a critical section of its own on the evaluating
// thread, with the same flags as the operation that thread is in.
bool EvalAnnotated(Annotated* a) {
  const Operation op = current_operation;
  void* mu = Addr(a->mu);
  if (op.mu != a->mu || op.phase == Phase::kNone) {
    // Not inside an annotated operation on this mutex (no known path gets
    // here); order the evaluation after the mutex's last release at least.
    __tsan_acquire(mu);
    const bool r = EvalPlain(a->cond);
    __tsan_release(mu);
    return r;
  }
  const unsigned f = op.flags;
  if (op.phase == Phase::kLocking) {
    __tsan_mutex_post_lock(mu, f, 0);
    const bool r = EvalPlain(a->cond);
    __tsan_mutex_pre_unlock(mu, f);
    __tsan_mutex_post_unlock(mu, f);
    __tsan_mutex_pre_lock(mu, f);
    return r;
  }
  // The releasing thread never waits for the mutex here, so the lock is
  // annotated as a try-lock: it adds no lock-order edge.
  const unsigned t = f | __tsan_mutex_try_lock;
  __tsan_mutex_post_unlock(mu, f);
  __tsan_mutex_pre_lock(mu, t);
  __tsan_mutex_post_lock(mu, t, 0);
  const bool r = EvalPlain(a->cond);
  __tsan_mutex_pre_unlock(mu, f);
  return r;
}

// Abseil's own deadlock detector keeps its lock graph under an internal
// spin lock TSan cannot see. TSan checks the lock order of the annotated
// mutexes itself, so the detector is switched off in these builds.
const bool kDetectorOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

namespace {

// Abseil's mutex state word: a writer holds the lock (kMuWriter in
// absl/synchronization/mutex.cc).
constexpr intptr_t kWriterHolds = 0x0008;

}  // namespace

Mutex::~Mutex() {
  static auto real = Lookup<void (*)(Mutex*)>("5MutexD1Ev");
  __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

void Mutex::Lock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex4LockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_lock(this, 0);
  real(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

bool Mutex::TryLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool locked = real(this);
  __tsan_mutex_post_lock(
      this, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
      0);
  return locked;
}

bool Mutex::ReaderTryLock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_read_lock);
  const bool locked = real(this);
  __tsan_mutex_post_lock(
      this,
      locked ? __tsan_mutex_try_read_lock : __tsan_mutex_try_read_lock_failed,
      0);
  return locked;
}

void Mutex::Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex6UnlockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_unlock(this, 0);
  {
    InLibrary op(this, Phase::kUnlocking, 0);
    real(this);
  }
  __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderUnlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  if (Nested(this)) return real(this);
  __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  {
    InLibrary op(this, Phase::kUnlocking, __tsan_mutex_read_lock);
    real(this);
  }
  __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

namespace {

// The flags of the hold the calling thread has on `mu` (Await, CondVar).
unsigned HeldFlags(intptr_t state) {
  return (state & kWriterHolds) != 0 ? 0 : __tsan_mutex_read_lock;
}

// LockWhen*, ReaderLockWhen*: the library acquires the mutex once the
// condition holds.
template <typename Call>
auto AcquireWhen(const void* mu, unsigned flags, Call call) {
  void* m = Addr(mu);
  __tsan_mutex_pre_lock(m, flags);
  auto r = [&] {
    InLibrary op(mu, Phase::kLocking, flags);
    return call();
  }();
  __tsan_mutex_post_lock(m, flags, 0);
  return r;
}

// Await*, CondVar::Wait*: the library releases the held mutex, waits and
// acquires it again before returning.
template <typename Call>
auto ReleaseWaitAcquire(const void* mu, unsigned flags, Call call) {
  __tsan_mutex_pre_unlock(Addr(mu), flags);
  __tsan_mutex_post_unlock(Addr(mu), flags);
  return AcquireWhen(mu, flags, call);
}

}  // namespace

void Mutex::Await(const Condition& cond) {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex5AwaitERKNS0_9ConditionE");
  if (Nested(this)) return real(this, cond);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  ReleaseWaitAcquire(this, HeldFlags(mu_.load(std::memory_order_relaxed)), [&] {
    real(this, annotated);
    return true;
  });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  if (Nested(this)) return real(this, cond, timeout);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return ReleaseWaitAcquire(this,
                            HeldFlags(mu_.load(std::memory_order_relaxed)),
                            [&] { return real(this, annotated, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  if (Nested(this)) return real(this, cond, deadline);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return ReleaseWaitAcquire(this,
                            HeldFlags(mu_.load(std::memory_order_relaxed)),
                            [&] { return real(this, annotated, deadline); });
}

void Mutex::LockWhen(const Condition& cond) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex8LockWhenERKNS0_9ConditionE");
  if (Nested(this)) return real(this, cond);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  AcquireWhen(this, 0, [&] {
    real(this, annotated);
    return true;
  });
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  if (Nested(this)) return real(this, cond, timeout);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return AcquireWhen(this, 0, [&] { return real(this, annotated, timeout); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  if (Nested(this)) return real(this, cond, deadline);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return AcquireWhen(this, 0, [&] { return real(this, annotated, deadline); });
}

void Mutex::ReaderLockWhen(const Condition& cond)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  if (Nested(this)) return real(this, cond);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  AcquireWhen(this, __tsan_mutex_read_lock, [&] {
    real(this, annotated);
    return true;
  });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond,
                                      absl::Duration timeout)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  if (Nested(this)) return real(this, cond, timeout);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return AcquireWhen(this, __tsan_mutex_read_lock,
                     [&] { return real(this, annotated, timeout); });
}

bool Mutex::ReaderLockWhenWithDeadline(
    const Condition& cond, absl::Time deadline) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  if (Nested(this)) return real(this, cond, deadline);
  Annotated a{&cond, this};
  const Condition annotated(&EvalAnnotated, &a);
  return AcquireWhen(this, __tsan_mutex_read_lock,
                     [&] { return real(this, annotated, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static auto real =
      Lookup<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  if (Nested(mu)) return real(this, mu);
  ReleaseWaitAcquire(mu, HeldFlags(mu->mu_.load(std::memory_order_relaxed)),
                     [&] {
                       real(this, mu);
                       return true;
                     });
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  static auto real = Lookup<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  if (Nested(mu)) return real(this, mu, timeout);
  return ReleaseWaitAcquire(mu,
                            HeldFlags(mu->mu_.load(std::memory_order_relaxed)),
                            [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  static auto real = Lookup<bool (*)(CondVar*, Mutex*, absl::Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  if (Nested(mu)) return real(this, mu, deadline);
  return ReleaseWaitAcquire(mu,
                            HeldFlags(mu->mu_.load(std::memory_order_relaxed)),
                            [&] { return real(this, mu, deadline); });
}

// Notification, Barrier and BlockingCounter: their internal mutex is
// annotated through the entry points above, but a notification that has
// already happened is seen through an atomic flag without it, so each of
// them also releases at its object's address when it signals and acquires
// there once the wait is over.

void Notification::Notify() {
  static auto real = Lookup<void (*)(Notification*)>("12Notification6NotifyEv");
  __tsan_release(this);
  // HasBeenNotified is inline: its acquire load of notified_yet_ is
  // instrumented and pairs with this release.
  __tsan_release(&notified_yet_);
  real(this);
}

void Notification::WaitForNotification() const {
  static auto real = Lookup<void (*)(const Notification*)>(
      "12Notification19WaitForNotificationEv", /*is_const=*/true);
  real(this);
  __tsan_acquire(Addr(this));
}

bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  static auto real = Lookup<bool (*)(const Notification*, absl::Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE",
      /*is_const=*/true);
  const bool r = real(this, timeout);
  if (r) __tsan_acquire(Addr(this));
  return r;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  static auto real = Lookup<bool (*)(const Notification*, absl::Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE",
      /*is_const=*/true);
  const bool r = real(this, deadline);
  if (r) __tsan_acquire(Addr(this));
  return r;
}

bool Barrier::Block() {
  static auto real = Lookup<bool (*)(Barrier*)>("7Barrier5BlockEv");
  __tsan_release(this);
  const bool r = real(this);
  __tsan_acquire(this);
  return r;
}

bool BlockingCounter::DecrementCount() {
  static auto real =
      Lookup<bool (*)(BlockingCounter*)>("15BlockingCounter14DecrementCountEv");
  __tsan_release(this);
  return real(this);
}

void BlockingCounter::Wait() {
  static auto real =
      Lookup<void (*)(BlockingCounter*)>("15BlockingCounter4WaitEv");
  real(this);
  __tsan_acquire(this);
}

ABSL_NAMESPACE_END
}  // namespace absl
