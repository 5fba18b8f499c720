// The embedded backend's group client, Kafka's ConsumerCoordinator (the
// member's side of the group protocol, run inside Poll; the engine's
// GroupCoordinator is the broker's side): heartbeat, (re)join, collect the
// assignment, and call the rebalance listener in Kafka's order. It keeps
// the member id, generation and join state, the last assignment (for the
// sticky assignors), and the metadata its last join saw (a change makes it
// rejoin). The subscription and positions live in the consumer's
// SubscriptionState; a new assignment is installed through the consumer's
// hook.
#ifndef BROOK_LIB_CONSUMER_CONSUMER_COORDINATOR_H_
#define BROOK_LIB_CONSUMER_CONSUMER_COORDINATOR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "client/rebalance_invoker.h"
#include "client/subscription_state.h"
#include "consumer/committer.h"
#include "group/coordinator.h"
#include "log/topic_registry.h"

namespace brook {

// Thread-compatible (owned by one consumer). Listeners run on the caller's
// thread with no brook lock held (the coordinator's calls return before any
// listener runs); a listener may call back into the consumer, even close it.
class ConsumerCoordinator {
 public:
  // What the member needs from its consumer.
  struct Hooks {
    // The positions an auto commit commits before partitions are revoked.
    absl::AnyInvocable<OffsetMap()> consumed_offsets;
    // Makes `partitions` the assignment (the SubscriptionState and the
    // fetcher's bindings).
    absl::AnyInvocable<void(const std::vector<TopicPartition>&)> install;
  };

  // Every pointer must outlive the member; `options` too. `closed` is the
  // consumer's closed flag (a listener may close the consumer).
  ConsumerCoordinator(GroupCoordinator* coordinator, TopicRegistry* topics,
                      Clock* clock, const ConsumerOptions* options,
                      bool auto_commit, SubscriptionState* subscriptions,
                      RebalanceInvoker* listener, Committer* committer,
                      const bool* closed, Hooks hooks);
  ConsumerCoordinator(const ConsumerCoordinator&) = delete;
  ConsumerCoordinator& operator=(const ConsumerCoordinator&) = delete;

  // One round of the protocol inside Poll: heartbeat, join, collect.
  // REQUIRES: subscribed.
  absl::Status Poll();
  // The Poll that Poll() ran in returned: the member's max.poll.interval.ms
  // starts.
  void EndPoll();
  // The deadline a Poll may wait until: `deadline` capped by the group's
  // and the member's own timers.
  absl::Time WaitDeadline(absl::Time deadline);

  // After Subscribe / SubscribePattern: the metadata check restarts, and a
  // `changed` subscription rejoins on the next Poll.
  void OnSubscribe(bool changed);
  // EnforceRebalance, or a new subscription: rejoin on the next Poll (after
  // the rebalance under way, if any).
  void RequestRejoin();
  // Close / Unsubscribe: revoke (or lose) the assignment and leave. A static
  // member (group.instance.id) does not leave: it stops heartbeating and the
  // group keeps it until session.timeout.ms.
  void Leave(bool lost);

  // The group's view of this member, for Consumer::GroupMetadata.
  ConsumerGroupMetadata Metadata() const;
  // What a commit is checked against.
  MemberGeneration Generation() const;
  // FencedInstanceId once another member took the group.instance.id.
  const absl::Status& fenced() const { return fenced_; }

  // Test hooks: the member stops (or resumes) heartbeating.
  void MarkUnresponsive();
  void MarkResponsive();

 private:
  // The client side of the group protocol (Kafka's MemberState,
  // simplified).
  enum class JoinState {
    kNeedJoin,  // Must (re)join before the next assignment.
    kJoining,   // Joined; waiting for the rebalance to complete.
    kStable,    // Holds the assignment of generation_.
  };

  bool active() const { return subscriptions_->subscribed() && !*closed_; }
  // Before (re)joining: auto commit; eager revokes everything.
  void PrepareJoin();
  absl::Status SendJoin();
  void ApplyJoinResult(const JoinResult& result);
  // The member was removed: OnPartitionsLost, forget member id/generation.
  void LosePartitions();
  // Another member took this group.instance.id: OnPartitionsLost, and every
  // later group call fails with `status` (FencedInstanceId), as in Kafka.
  void Fence(absl::Status status);
  // Commits `offsets` in the current generation; best effort, as Kafka's
  // auto commit before a rebalance.
  void CommitBeforeRevoke(const OffsetMap& offsets);
  // Every metadata.max.age.ms: re-evaluates the pattern and compares the
  // subscribed topics' partition counts with those of the last join. True
  // when the member must rejoin.
  bool MetadataChanged(absl::Time now);
  // Subscribed topic -> partition count (0: missing), as the engine has them.
  std::map<std::string, int32_t> SubscribedMetadata() const;

  GroupCoordinator* const coordinator_;
  TopicRegistry* const topics_;
  Clock* const clock_;
  const ConsumerOptions* const options_;
  const bool auto_commit_;
  // Every configured assignor supports the cooperative protocol.
  const bool cooperative_;
  SubscriptionState* const subscriptions_;
  RebalanceInvoker* const listener_;
  Committer* const committer_;
  const bool* const closed_;
  Hooks hooks_;

  absl::Status fenced_;
  // The metadata the last join saw, and when to look again.
  std::map<std::string, int32_t> joined_metadata_;
  absl::Time next_metadata_check_ = absl::InfinitePast();
  JoinState join_state_ = JoinState::kNeedJoin;
  bool rejoin_requested_ = false;  // Rejoin after the rebalance under way.
  std::string member_id_;
  int32_t generation_ = -1;
  // The assignment of the last completed rebalance and its generation, as
  // Kafka's StickyAssignor keeps them (onAssignment) for its user data.
  std::vector<TopicPartition> last_assignment_;
  int32_t last_assignment_generation_ = -1;
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_CONSUMER_COORDINATOR_H_
