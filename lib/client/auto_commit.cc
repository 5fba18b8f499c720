#include "client/auto_commit.h"

namespace brook {

bool AutoCommitTimer::Due(absl::Time now) {
  if (!enabled_ || now < next_) return false;
  next_ = now + interval_;
  return true;
}

}  // namespace brook
