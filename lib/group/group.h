// One consumer group's in-memory state as the coordinator keeps it: Kafka's
// group states, the generation, the chosen protocol, the leader and the
// members with their subscriptions and liveness timestamps. Plain data; the
// GroupCoordinator guards it.
#ifndef BROOK_LIB_GROUP_GROUP_H_
#define BROOK_LIB_GROUP_GROUP_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/record.h"

namespace brook {

// Kafka's group states (GroupState in the broker).
enum class GroupState {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
  kDead,
};

// Kafka's name of `state`, e.g. "PreparingRebalance".
absl::string_view GroupStateName(GroupState state);

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
};

struct Group {
  std::string id;
  GroupState state = GroupState::kEmpty;
  int32_t generation = 0;
  std::string protocol;
  std::string leader;
  absl::Time rebalance_deadline = absl::InfiniteFuture();
  std::map<std::string, GroupMemberState> members;  // By member id.
  // Member ids replaced by a newer member with the same group.instance.id
  // (static membership): their calls fail with FencedInstanceId.
  std::map<std::string, std::string> fenced;  // Member id -> instance id.
};

}  // namespace brook

#endif  // BROOK_LIB_GROUP_GROUP_H_
