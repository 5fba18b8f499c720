// When a consumer auto-commits, as Kafka's enable.auto.commit: the
// positions of earlier polls are committed at the start of a Poll once
// auto.commit.interval.ms has passed since the last time (and before a
// rebalance and at Close, which the backend does whenever enabled()).
// Backends ask Due(now) at the start of each Poll.
#ifndef BROOK_LIB_CLIENT_AUTO_COMMIT_H_
#define BROOK_LIB_CLIENT_AUTO_COMMIT_H_

#include "absl/time/time.h"

namespace brook {

// Thread-compatible (owned by one consumer).
class AutoCommitTimer {
 public:
  // `enabled`: enable.auto.commit with a group.id. The first commit is due
  // `interval` after `now` (the consumer's creation).
  AutoCommitTimer(bool enabled, absl::Duration interval, absl::Time now)
      : enabled_(enabled), interval_(interval), next_(now + interval) {}

  bool enabled() const { return enabled_; }
  // True when enabled and the interval has passed; the next one is then due
  // `interval` after `now`, as Kafka's timer restarts at the commit.
  bool Due(absl::Time now);
  absl::Time next() const { return next_; }

 private:
  const bool enabled_;
  const absl::Duration interval_;
  absl::Time next_;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_AUTO_COMMIT_H_
