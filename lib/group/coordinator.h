// The in-memory group coordinator: the broker side of Kafka's consumer group
// protocol for every group of one engine. It keeps the groups (each runs its
// own state machine, group/group.h) in a map under one lock, gives them the
// time, saves their membership snapshots and wakes the members when a group
// changed. Consumers drive it from Poll; see DESIGN-NOTES.md ("Consumer
// groups: coordinator and the protocol in Poll", "Group state machine on the
// group").
#ifndef BROOK_LIB_GROUP_COORDINATOR_H_
#define BROOK_LIB_GROUP_COORDINATOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/clock.h"
#include "brook/record.h"
#include "group/group.h"
#include "group/group_snapshots.h"
#include "group/offset_store.h"
#include "log/data_notifier.h"
#include "log/topic_registry.h"

namespace brook {

// Thread-safe. Lock order: mu_ comes before the topic registry's lock (read
// while assigning) and the offset store (written under mu_ by CommitOffsets,
// so a removal cannot slip between the generation check and the write). It
// is released before the notifier is poked and never held while user code
// runs.
class GroupCoordinator {
 public:
  // Every pointer must outlive the coordinator. `snapshots` receives each
  // group's membership when a rebalance completes or the group empties.
  GroupCoordinator(Clock* clock, TopicRegistry* topics, OffsetStore* offsets,
                   GroupSnapshots* snapshots, DataNotifier* notifier);
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Joins (or rejoins) `request.group_id`, starting a rebalance unless one is
  // under way. Counts as a poll (until EndPoll). Returns the member id (a new
  // one when request.member_id is empty). Errors: UnknownMemberId (the member
  // was removed; rejoin with an empty id), InconsistentGroupProtocol (no
  // strategy in common).
  absl::StatusOr<std::string> Join(const JoinRequest& request)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The result of the rebalance `member_id` joined, once it completed;
  // nullopt while it is under way. Counts as a poll (until EndPoll). Errors:
  // UnknownMemberId, or the assignor's error.
  absl::StatusOr<std::optional<JoinResult>> TakeJoinResult(
      absl::string_view group_id, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // A Poll of a member in `generation`: marks it polling (until EndPoll) and
  // runs the group's deadline checks. OK while the group is Stable at that
  // generation; RebalanceInProgress when the member must rejoin;
  // IllegalGeneration when it missed a generation; UnknownMemberId when it
  // was removed.
  absl::Status Heartbeat(absl::string_view group_id,
                         absl::string_view member_id, int32_t generation)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The member's Poll returned: its max.poll.interval runs from now.
  void EndPoll(absl::string_view group_id, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Removes the member at once; the others rebalance.
  void Leave(absl::string_view group_id, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The member stops heartbeating (a crash or freeze in tests, a static
  // member's Close): it stays in the group, with its assignment, until
  // session.timeout.ms passes, then is removed and the others rebalance. A
  // static member replaced meanwhile (same group.instance.id) is not.
  void MarkUnresponsive(absl::string_view group_id, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Heartbeats resume (a thawed member); no-op for a removed member.
  void MarkResponsive(absl::string_view group_id, absl::string_view member_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Commits `offsets` for a member of `generation`. CommitFailed when the
  // member is unknown or the generation is not the group's current one.
  absl::Status CommitOffsets(
      absl::string_view group_id, absl::string_view member_id,
      int32_t generation,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Commits `offsets` for a consumer outside the group (one that assigns
  // its partitions, committing without a generation). As Kafka's
  // coordinator, only while the group has no members: CommitFailed
  // otherwise (Kafka answers UNKNOWN_MEMBER_ID, which its client raises as
  // CommitFailedException).
  absl::Status CommitOutsideGroup(
      absl::string_view group_id,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The earliest time at which a deadline of the group (a member's
  // max.poll.interval, the rebalance timeout) passes; InfiniteFuture if none.
  absl::Time NextDeadline(absl::string_view group_id) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs the group's deadline checks now.
  void CheckDeadlines(absl::string_view group_id) ABSL_LOCKS_EXCLUDED(mu_);

  // The group as Admin describes it (no deadline checks: call
  // CheckDeadlines first for a fresh view); nullopt for a group the
  // coordinator never saw. `uncollected`, when given, receives how many
  // members have not collected the result of a completed rebalance.
  std::optional<ConsumerGroupDescription> Describe(
      absl::string_view group_id, int32_t* uncollected = nullptr)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Ids of every group the coordinator holds, with or without members.
  std::vector<std::string> GroupIds() ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `write` (an offset store change) while no member can join the
  // group, after the deadline checks; NonEmptyGroup, without running it,
  // when the group has members. `what` completes "cannot ... of group G".
  absl::Status WhileGroupEmpty(absl::string_view group_id,
                               absl::string_view what,
                               absl::FunctionRef<absl::Status()> write)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Group* FindLocked(absl::string_view group_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Acts on what the calls on `group` changed: saves its snapshot (best
  // effort: it only informs read-only engines, so a failed write is not the
  // caller's error). Returns whether the members must be woken.
  bool ApplyEffectsLocked(Group* group) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  TopicRegistry* const topics_;
  OffsetStore* const offsets_;
  GroupSnapshots* const snapshots_;
  DataNotifier* const notifier_;

  absl::Mutex mu_;
  std::map<std::string, Group, std::less<>> groups_ ABSL_GUARDED_BY(mu_);
  int64_t next_member_number_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace brook

#endif  // BROOK_LIB_GROUP_COORDINATOR_H_
