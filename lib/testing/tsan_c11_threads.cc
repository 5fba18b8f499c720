// ThreadSanitizer builds only (BROOK_SANITIZE=thread): makes the C11
// threads of Debian's librdkafka (<threads.h>: thrd_*, mtx_*, cnd_*,
// call_once) visible to TSan.
//
// glibc implements the C11 thread functions over its internal __pthread_*
// entry points, which never reach TSan's interceptors, and the TSan runtime
// of Debian's clang 14 intercepts no C11 function itself
// (google/sanitizers#1603). A thread started with thrd_create therefore has
// no TSan state, and its first allocation crashes the runtime; and what
// librdkafka hands between its threads and brook's (delivery reports,
// consumer messages, callbacks) through an mtx_t or a cnd_t would not be
// ordered, so brook's own accesses to it would be reported as races.
//
// This file defines those functions in the executable. The executable's
// definitions win over libc's for every shared library (librdkafka binds
// mtx_lock@GLIBC_2.34 and the others through its PLT, and an unversioned
// definition in the executable satisfies a versioned reference). Each one
// does what glibc's does, but over the public pthread function, which TSan
// intercepts: in glibc thrd_t is a pthread_t, and mtx_t, cnd_t and
// once_flag are a pthread_mutex_t, a pthread_cond_t and a pthread_once_t
// (the static_asserts below check size and alignment), mtx_init picks the
// same mutex type, and error numbers map to thrd_* results the same way.
// The pthread calls are made from this instrumented file, so
// ignore_noninstrumented_modules does not drop their synchronization.
//
// thrd_current, thrd_equal, thrd_sleep, thrd_yield, thrd_exit and tss_*
// need no TSan support and stay libc's: a thread started here and ended by
// thrd_exit returns its result to thrd_join below as glibc's does
// (converted through uintptr_t).
//
// Every mtx_t, cnd_t and once_flag of the process must go through these
// definitions, never through libc's (TSan's pthread_once keeps its own
// states in the flag); libc itself uses none of them.
//
// Only linked into executables of TSan builds; never into the library.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <new>

namespace {

static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t");
static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t) &&
                  alignof(mtx_t) == alignof(pthread_mutex_t),
              "mtx_t");
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t) &&
                  alignof(cnd_t) == alignof(pthread_cond_t),
              "cnd_t");
static_assert(sizeof(once_flag) == sizeof(pthread_once_t) &&
                  alignof(once_flag) == alignof(pthread_once_t),
              "once_flag");

// glibc's thrd_err_map (nptl/thrd_priv.h).
int Result(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case ETIMEDOUT:
      return thrd_timedout;
    case EBUSY:
      return thrd_busy;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* Posix(mtx_t* m) {
  return reinterpret_cast<pthread_mutex_t*>(m);
}
pthread_cond_t* Posix(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

// A C11 thread's function and argument, until the thread starts.
struct Start {
  thrd_start_t func;
  void* arg;
};

// The new thread's pthread start routine. Its int result travels as a
// pointer, as glibc's start_thread passes a C11 thread's.
void* RunThread(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<uintptr_t>(start.func(start.arg)));
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  auto* start = new (std::nothrow) Start{func, arg};
  if (start == nullptr) return thrd_nomem;
  pthread_t t;
  const int err = pthread_create(&t, nullptr, &RunThread, start);
  if (err != 0) {
    delete start;
    return Result(err);
  }
  *thr = t;
  return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
  void* ret = nullptr;
  const int err = pthread_join(thr, &ret);
  if (err == 0 && res != nullptr) {
    *res = static_cast<int>(reinterpret_cast<uintptr_t>(ret));
  }
  return Result(err);
}

int thrd_detach(thrd_t thr) { return Result(pthread_detach(thr)); }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  // glibc's mtx_init: recursive or normal; mtx_timed makes no difference.
  pthread_mutexattr_settype(&attr, (type & mtx_recursive) != 0
                                       ? PTHREAD_MUTEX_RECURSIVE
                                       : PTHREAD_MUTEX_NORMAL);
  const int err = pthread_mutex_init(Posix(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return Result(err);
}

int mtx_lock(mtx_t* m) { return Result(pthread_mutex_lock(Posix(m))); }

int mtx_trylock(mtx_t* m) { return Result(pthread_mutex_trylock(Posix(m))); }

int mtx_timedlock(mtx_t* __restrict m,
                  const struct timespec* __restrict time_point) {
  return Result(pthread_mutex_timedlock(Posix(m), time_point));
}

int mtx_unlock(mtx_t* m) { return Result(pthread_mutex_unlock(Posix(m))); }

void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(Posix(m)); }

int cnd_init(cnd_t* c) { return Result(pthread_cond_init(Posix(c), nullptr)); }

int cnd_signal(cnd_t* c) { return Result(pthread_cond_signal(Posix(c))); }

int cnd_broadcast(cnd_t* c) { return Result(pthread_cond_broadcast(Posix(c))); }

int cnd_wait(cnd_t* c, mtx_t* m) {
  return Result(pthread_cond_wait(Posix(c), Posix(m)));
}

int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                  const struct timespec* __restrict time_point) {
  return Result(pthread_cond_timedwait(Posix(c), Posix(m), time_point));
}

void cnd_destroy(cnd_t* c) { pthread_cond_destroy(Posix(c)); }

void call_once(once_flag* flag, void (*func)(void)) {
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), func);
}

}  // extern "C"
