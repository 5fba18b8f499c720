// The sticky assignment shared by the sticky and cooperative-sticky
// assignors: Kafka's AbstractStickyAssignor, which checks whether all members
// subscribe to the same topics and then runs either its constrained
// assignment builder (same subscriptions) or its general one.
//
// Internally topics, partitions and members are numbered:
//  - topics (those of PreparedGroup::partitions_per_topic) in Java String
//    order, so comparing topic numbers compares names as Kafka does;
//  - a partition by a global number: topic_offset[topic] + partition, so
//    numeric order is Kafka's (topic, partition) order;
//  - members by their position in PreparedGroup::members, which is Kafka's
//    HashMap iteration order.
#ifndef BROOK_LIB_GROUP_ASSIGNORS_STICKY_H_
#define BROOK_LIB_GROUP_ASSIGNORS_STICKY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "brook/assignor.h"
#include "group/assignors/group_input.h"

namespace brook {
namespace assignors {

struct StickyModel {
  // Topics, numbered in Java String order.
  std::vector<std::string> topic_names;
  std::vector<int32_t> topic_sizes;
  std::vector<int32_t> topic_hashes;  // String.hashCode
  std::vector<int> topic_offsets;     // global number of partition 0
  std::vector<int> partition_topics;  // global partition number -> topic
  int total_partitions = 0;

  // Members, numbered in Kafka's iteration order.
  std::vector<std::string> member_ids;
  std::vector<int> member_ranks;  // position in Java String order of ids
  // Subscribed topics as given (for the all-subscriptions-equal check,
  // which counts topics that do not exist), and those that exist, in
  // subscription order.
  std::vector<std::vector<std::string>> raw_topics;
  std::vector<std::vector<int>> topics;
  std::vector<std::vector<char>> subscribes;  // [member][topic]
  // MemberData: previously owned partitions (global numbers) and generation.
  std::vector<std::vector<int>> owned;
  std::vector<int32_t> generations;

  int partition_of(int global) const {
    return global - topic_offsets[partition_topics[global]];
  }
  int32_t partition_hash(int global) const;
};

StickyModel BuildStickyModel(const PreparedGroup& group);

// What Kafka's allSubscriptionsEqual() works out besides its return value:
// each member's still-valid owned partitions after settling claims of the
// same partition by several members.
struct OwnedPartitions {
  bool all_subscriptions_equal = true;
  // consumerToOwnedPartitions, in the member's claim order.
  std::vector<std::vector<int>> owned;
  // Partitions claimed by two members of the same generation (invalidated
  // for both), by global number.
  std::vector<char> multiply_claimed;
  int32_t max_generation = kDefaultGeneration;
};

OwnedPartitions ResolveOwnedPartitions(const StickyModel& model);

struct StickyResult {
  // Partitions (global numbers) per member.
  std::vector<std::vector<int>> assignment;
  // Kafka's partitionsTransferringOwnership: for each partition the member
  // that takes it over from another owner (-1 if none). Computed by the
  // constrained builder only; nullopt after the general one.
  std::optional<std::vector<int>> transferring;
};

// ConstrainedAssignmentBuilder (all members subscribe to the same topics).
absl::StatusOr<StickyResult> ConstrainedAssign(const StickyModel& model,
                                               const OwnedPartitions& owned);

// GeneralAssignmentBuilder.
StickyResult GeneralAssign(const StickyModel& model,
                           const OwnedPartitions& owned);

// AbstractStickyAssignor.assign: picks the builder.
absl::StatusOr<StickyResult> StickyAssign(const StickyModel& model);

// Converts a result to member id -> sorted partitions.
GroupAssignment ToGroupAssignment(const StickyModel& model,
                                  const std::vector<std::vector<int>>& lists);

}  // namespace assignors
}  // namespace brook

#endif  // BROOK_LIB_GROUP_ASSIGNORS_STICKY_H_
