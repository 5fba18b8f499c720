// One consumer group and its state machine: Kafka's group states and
// transitions (join, sync, heartbeat, leave, the deadlines of
// max.poll.interval.ms, session.timeout.ms and the rebalance timeout), as
// functions of the group and the current time. Not thread-safe: the
// GroupCoordinator keeps every group under its lock, passes the time in and
// acts on what each call reports (GroupEffects: wake the members, save the
// membership snapshot). No engine is needed: tests build a Group directly.
#ifndef BROOK_LIB_GROUP_GROUP_H_
#define BROOK_LIB_GROUP_GROUP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/record.h"

namespace brook {

// A member's JoinGroup request.
struct JoinRequest {
  std::string group_id;
  std::string member_id;  // Empty for a new member.
  std::string client_id;
  std::string group_instance_id;
  std::vector<std::string> topics;
  std::vector<std::string> strategies;  // partition.assignment.strategy.
  std::vector<TopicPartition> owned;
  int32_t owned_generation = -1;
  // The assignment of the member's last completed rebalance and its
  // generation, which Kafka's (eager) StickyAssignor sends in its user data
  // although the member revoked it before joining. The "sticky" assignor
  // gets them as the member's owned partitions.
  std::vector<TopicPartition> previous_assignment;
  int32_t previous_generation = -1;
  absl::Duration max_poll_interval = absl::Minutes(5);
  absl::Duration session_timeout = absl::Seconds(45);
};

// What a member learns when a rebalance it joined completes (Kafka's
// JoinGroup + SyncGroup responses in one).
struct JoinResult {
  int32_t generation = -1;
  std::string protocol;  // The chosen assignor's name.
  std::string leader;    // Member id of the leader.
  std::vector<TopicPartition> assignment;
};

struct GroupMemberState {
  std::string member_id;
  std::string client_id;
  std::string group_instance_id;  // Empty for a dynamic member.
  std::vector<std::string> topics;
  std::vector<std::string> strategies;  // Preferred first.
  std::vector<TopicPartition> owned;    // As reported at the last join.
  int32_t owned_generation = -1;
  // As reported at the last join (JoinRequest::previous_assignment).
  std::vector<TopicPartition> previous_assignment;
  int32_t previous_generation = -1;
  absl::Duration max_poll_interval;  // Also its rebalance timeout.
  // session.timeout.ms: how long the coordinator keeps a member that stopped
  // heartbeating (crashed, frozen, or a static member that closed).
  absl::Duration session_timeout = absl::Seconds(45);
  // Set while the member does not heartbeat: the time of its last heartbeat.
  // There is no heartbeat thread; a consumer object that exists heartbeats
  // implicitly, so only the testing hooks (crash, freeze) and a static
  // member's Close set it. Removed at that time + session_timeout.
  std::optional<absl::Time> unresponsive_since;
  absl::Time last_poll;
  // Inside a Poll call: alive whatever its last_poll (Kafka's poll timer is
  // reset throughout a poll call), so a clock jump cannot expire it.
  bool polling = false;
  // Joined the rebalance under way.
  bool joined = false;
  // Generation of the member's current assignment.
  int32_t generation = -1;
  std::vector<TopicPartition> assignment;
  // Set when a rebalance the member joined completes, until it collects it
  // (or the error that ended it).
  std::optional<JoinResult> result;
  absl::Status result_error;
  // The member's entry in its group's deadline index (InfiniteFuture: none).
  absl::Time indexed_deadline = absl::InfiniteFuture();
};

// What a Group call changed that the coordinator must act on.
struct GroupEffects {
  bool wake = false;      // Members may have to act: wake them.
  bool snapshot = false;  // The membership changed: save its snapshot.
};

class Group {
 public:
  // The partition count of a topic; nullopt for an unknown topic.
  using PartitionCounts =
      std::function<std::optional<int32_t>(const std::string& topic)>;

  Group(std::string id, PartitionCounts partitions);

  const std::string& id() const { return id_; }
  ConsumerGroupState state() const { return state_; }
  int32_t generation() const { return generation_; }
  const std::string& protocol() const { return protocol_; }
  const std::string& leader() const { return leader_; }
  const std::map<std::string, GroupMemberState, std::less<>>& members() const {
    return members_;
  }
  // The member, or nullptr.
  const GroupMemberState* member(absl::string_view member_id) const;

  // --- The protocol. Each call first runs the deadline checks at `now`. ---

  // Joins (or rejoins), starting a rebalance unless one is under way. Counts
  // as a poll (until EndPoll). Returns the member id: a new one, Kafka's
  // "<client.id or group.instance.id>-<uuid>" with a uuid drawn from a fixed
  // sequence by ++*member_number, when request.member_id is empty. Errors:
  // UnknownMemberId, FencedInstanceId, InconsistentGroupProtocol.
  absl::StatusOr<std::string> Join(const JoinRequest& request, absl::Time now,
                                   int64_t* member_number);
  // The result of the rebalance the member joined, once it completed;
  // nullopt while it is under way. Counts as a poll.
  absl::StatusOr<std::optional<JoinResult>> TakeJoinResult(
      absl::string_view member_id, absl::Time now);
  // A Poll of a member in `generation` (see GroupCoordinator::Heartbeat).
  absl::Status Heartbeat(absl::string_view member_id, int32_t generation,
                         absl::Time now);
  // The member's Poll returned: its max.poll.interval runs from now.
  void EndPoll(absl::string_view member_id, absl::Time now);
  // Removes the member at once (LeaveGroup); the others rebalance.
  void Leave(absl::string_view member_id, absl::Time now);
  // The member stops (or resumes) heartbeating.
  void MarkUnresponsive(absl::string_view member_id, absl::Time now);
  void MarkResponsive(absl::string_view member_id);
  // Whether a commit of the member in `generation` is accepted (the
  // deadline checks run first). CommitFailed or FencedInstanceId if not.
  absl::Status CheckCommit(absl::string_view member_id, int32_t generation,
                           absl::Time now);
  // Whether a commit without a generation (a consumer outside the group,
  // using Assign) is accepted: only while the group has no members, as
  // Kafka's coordinator (the deadline checks run first). CommitFailed if not.
  absl::Status CheckOutsideCommit(absl::Time now);
  // The CommitFailed error of a member that is not in `generation`.
  static absl::Status CommitFailed(absl::string_view group_id,
                                   absl::string_view member_id,
                                   int32_t generation);

  // Removes the members whose deadline passed and ends a rebalance whose
  // timeout passed.
  void CheckDeadlines(absl::Time now);
  // The earliest deadline: a member's max.poll.interval or session timeout,
  // the rebalance timeout; InfiniteFuture if none.
  absl::Time NextDeadline() const;

  // Whether the indexes the group keeps over its members (deadlines, joined
  // members, static members, strategies) agree with a scan of the members;
  // for tests.
  absl::Status CheckIndexes() const;

  // What the calls since the last TakeEffects changed.
  GroupEffects TakeEffects() { return std::exchange(effects_, {}); }

  // Kafka's description of the group (members sorted, each assignment
  // sorted; host "/localhost").
  ConsumerGroupDescription Describe() const;
  // Members whose completed rebalance result is not collected yet.
  int32_t uncollected() const;

 private:
  GroupMemberState* FindMember(absl::string_view member_id);
  // The error for a member id the group does not hold: FencedInstanceId for
  // a replaced static member, else UnknownMemberId.
  absl::Status MissingMember(absl::string_view member_id) const;
  // The member's Poll began (after the deadline checks).
  void StartPoll(GroupMemberState* m, absl::Time now);
  // A new member with the instance id of `old_id` takes its place (Kafka's
  // static member replacement); the old id is fenced. Returns the new id.
  std::string ReplaceStaticMember(const std::string& old_id,
                                  const JoinRequest& request,
                                  int64_t* member_number);
  void RemoveMember(const std::string& member_id, absl::Time now);
  // The member's deadline: its session timeout while it does not
  // heartbeat, else its max.poll.interval unless it is inside Poll.
  static absl::Time MemberDeadline(const GroupMemberState& m);
  // Moves the member's deadline index entry to its current deadline.
  void Reindex(GroupMemberState* m);
  // Adds the member to (removes it from) every index; every change of a
  // member's strategies, instance id or liveness goes between the two.
  void Attach(GroupMemberState* m);
  void Detach(GroupMemberState* m);
  void SetJoined(GroupMemberState* m, bool joined);
  // Whether some strategy of `request` is supported by every member but the
  // caller and the static member it replaces (then each of those members
  // has one in common with it).
  bool EveryOtherMemberSupportsOne(const JoinRequest& request,
                                   const std::string& replaced) const;
  void StartRebalance(absl::Time now);
  bool MaybeComplete();
  void CompleteRebalance();
  // Kafka's broker-side selectProtocol.
  std::string SelectProtocol() const;

  std::string id_;
  PartitionCounts partitions_;
  ConsumerGroupState state_ = ConsumerGroupState::kEmpty;
  int32_t generation_ = 0;
  std::string protocol_;
  std::string leader_;
  absl::Time rebalance_deadline_ = absl::InfiniteFuture();
  std::map<std::string, GroupMemberState, std::less<>> members_;
  // Member ids replaced by a newer member with the same group.instance.id
  // (static membership): their calls fail with FencedInstanceId.
  std::map<std::string, std::string, std::less<>> fenced_;  // -> instance id.
  // Indexes over members_, so that no call of one member walks them all.
  // Every member with a deadline: (deadline, member id).
  std::set<std::pair<absl::Time, std::string>> deadlines_;
  int64_t joined_ = 0;  // Members with `joined` set.
  // group.instance.id -> ids of the members with it.
  std::map<std::string, std::set<std::string>, std::less<>> static_members_;
  // Strategy -> how many members support it.
  std::map<std::string, int64_t, std::less<>> supporters_;
  GroupEffects effects_;
};

}  // namespace brook

#endif  // BROOK_LIB_GROUP_GROUP_H_
