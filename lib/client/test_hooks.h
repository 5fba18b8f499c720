// What brook/testing.h's consumer hooks need from a backend's consumer: a
// crash (gone without leaving its group), and a stall and its end. A
// backend that cannot model one returns Unsupported naming it.
#ifndef BROOK_LIB_CLIENT_TEST_HOOKS_H_
#define BROOK_LIB_CLIENT_TEST_HOOKS_H_

#include "absl/status/status.h"

namespace brook {

class ConsumerTestHooks {
 public:
  virtual ~ConsumerTestHooks() = default;
  // Stops responding without leaving: no commit, no listener call, no
  // LeaveGroup; later calls fail with Closed.
  virtual absl::Status TEST_Crash() = 0;
  // Stops heartbeating until TEST_Thaw.
  virtual absl::Status TEST_Freeze() = 0;
  virtual absl::Status TEST_Thaw() = 0;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_TEST_HOOKS_H_
