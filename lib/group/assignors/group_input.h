// What every assignor does first, as Kafka's AbstractPartitionAssignor does:
// validate the GroupSubscription, keep only the topics some member subscribes
// to (with partitions), and put the members in the order Kafka would iterate
// them, plus the member ordering range and roundrobin use.
#ifndef BROOK_LIB_GROUP_ASSIGNORS_GROUP_INPUT_H_
#define BROOK_LIB_GROUP_ASSIGNORS_GROUP_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "brook/assignor.h"
#include "brook/record.h"

namespace brook {
namespace assignors {

struct PreparedMember {
  std::string id;
  std::optional<std::string> instance_id;
  // Subscribed topics in input order, duplicates removed (Kafka's
  // subscriptions are sets). May name topics that do not exist.
  std::vector<std::string> topics;
  // Previously owned partitions in input order, keeping only those of topics
  // in PreparedGroup::partitions_per_topic and within the partition count.
  std::vector<TopicPartition> owned;
  int32_t generation = kDefaultGeneration;
};

struct PreparedGroup {
  // Kafka's partitionsPerTopic: topics subscribed by at least one member that
  // have at least one partition.
  std::map<std::string, int32_t> partitions_per_topic;
  // Members in the iteration order of the HashMap<String, Subscription>
  // Kafka's group leader builds, the members put in input order.
  std::vector<PreparedMember> members;
};

// Validates and normalizes `subscription`. Returns kInvalidRequest for a
// duplicate member id or a negative partition count.
absl::StatusOr<PreparedGroup> PrepareGroup(
    const GroupSubscription& subscription);

// Indexes into group.members in Kafka's MemberInfo order: static members
// first, by group.instance.id, then dynamic members by member id (Java String
// order). The sort is stable, as Collections.sort is.
std::vector<size_t> MemberInfoOrder(const PreparedGroup& group);

// An assignment with an empty list for every member.
GroupAssignment EmptyAssignment(const PreparedGroup& group);

// Sorts every list by topic then partition.
void SortAssignment(GroupAssignment* assignment);

}  // namespace assignors
}  // namespace brook

#endif  // BROOK_LIB_GROUP_ASSIGNORS_GROUP_INPUT_H_
