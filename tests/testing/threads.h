// Running test code on several threads at once.
#ifndef BROOK_TESTS_TESTING_THREADS_H_
#define BROOK_TESTS_TESTING_THREADS_H_

#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"

namespace brook {

// Runs body(0) .. body(threads - 1), each on its own thread, released
// together by a barrier so that they contend; returns once all have ended.
inline void RunTogether(int threads, const std::function<void(int)>& body) {
  absl::Barrier* start = new absl::Barrier(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([start, &body, t] {
      if (start->Block()) delete start;
      body(t);
    });
  }
  for (std::thread& w : workers) w.join();
}

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_THREADS_H_
