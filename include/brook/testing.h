// What a consumer-logic test needs to drive groups deterministically: a
// ManualClock (re-exported from brook/clock.h), hooks that make a consumer
// crash or stall without leaving its group, and a wait until a group is
// Stable. For tests only: the hooks model failures a real process has.
//
//   brook::ManualClock clock;
//   EngineOptions o;  o.in_memory = true;  o.clock = &clock;
//   ... two consumers of group "g" polling on their threads ...
//   namespace bt = brook::testing;
//   ASSERT_OK(bt::AwaitGroupStable(*engine, "g", 2, absl::Seconds(10)));
//   bt::CrashConsumer(*a);             // On a's thread.
//   clock.Advance(absl::Seconds(46));  // Past session.timeout.ms: b takes
//   ASSERT_OK(bt::AwaitGroupStable(*engine, "g", 1, absl::Seconds(10)));
#ifndef BROOK_TESTING_H_
#define BROOK_TESTING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/client.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/options.h"

namespace brook {
namespace testing {

using ::brook::ManualClock;

// Producer options for a test on a ManualClock: linger.ms=0, so a send is
// written at once and Send(...).Get() returns without the test advancing
// the clock (with Kafka's default linger.ms=5 it waits for the clock).
// Kafka's defaults otherwise (acks=all).
ProducerOptions ProducerOptionsForTests();

// Each of the consumer hooks must be called on the thread that uses the
// consumer (or while no call of it is in progress). Errors: IllegalState for
// another thread's consumer or one not created by a brook Client;
// Unsupported where the backend cannot model the failure.

// The consumer stops responding without leaving its group, as a killed process:
// no commit, no listener call, no LeaveGroup (the Kafka backend destroys its
// librdkafka handle without closing it). The coordinator removes it once
// session.timeout.ms passes (on the engine's clock embedded): the other members
// then rebalance, and its uncommitted records are read again by the new owner.
// Every later call of the consumer fails with Closed; Close and the destructor
// do nothing more.
absl::Status CrashConsumer(Consumer& consumer);

// The consumer stops heartbeating, as a stalled process, until ThawConsumer
// (embedded engine only: the Kafka backend's heartbeats run on librdkafka's
// threads, so Unsupported there); its calls meanwhile fail with IllegalState. A
// freeze longer than session.timeout.ms gets it removed (its next Poll after
// the thaw calls OnPartitionsLost and rejoins); a shorter one is unnoticed
// unless max.poll.interval.ms passed since its last Poll.
absl::Status FreezeConsumer(Consumer& consumer);
absl::Status ThawConsumer(Consumer& consumer);

// Waits until group `group_id` is Stable with `members` members. On the
// embedded engine each member must also have collected its assignment (its
// Poll returned from the rebalance), and the group's timers run on the
// engine's clock as it checks. On a Kafka cluster it asks
// Admin::DescribeGroup (whether members collected their assignment cannot
// be seen from outside; poll them until they have). Waits at most
// `real_timeout` of real time (not the engine's clock, so a ManualClock
// cannot stall it). Errors: Timeout, with the group's last state.
absl::Status AwaitGroupStable(Client& client, absl::string_view group_id,
                              int members, absl::Duration real_timeout);

}  // namespace testing
}  // namespace brook

#endif  // BROOK_TESTING_H_
