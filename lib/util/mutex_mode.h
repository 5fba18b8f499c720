// Process-wide absl::Mutex settings brook applies when a client opens.
#ifndef BROOK_LIB_UTIL_MUTEX_MODE_H_
#define BROOK_LIB_UTIL_MUTEX_MODE_H_

namespace brook {

// Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock
// detector on: a graph update on every lock, a few percent of a send.
// Optimized builds of brook turn it off, once per process (see
// DESIGN-NOTES.md); debug builds keep it as a lock-order check.
void SetMutexModeForBuild();

}  // namespace brook

#endif  // BROOK_LIB_UTIL_MUTEX_MODE_H_
