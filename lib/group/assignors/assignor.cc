// AssignorByName and the input handling shared by all assignors.
#include "brook/assignor.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "group/assignors/group_input.h"
#include "group/assignors/java_compat.h"
#include "util/assignor_registry.h"

namespace brook {

std::shared_ptr<Assignor> AssignorByName(absl::string_view name) {
  if (name == "range") return NewRangeAssignor();
  if (name == "roundrobin") return NewRoundRobinAssignor();
  if (name == "sticky") return NewStickyAssignor();
  if (name == "cooperative-sticky") return NewCooperativeStickyAssignor();
  return RegisteredAssignor(name);
}

namespace assignors {

absl::StatusOr<PreparedGroup> PrepareGroup(
    const GroupSubscription& subscription) {
  for (const auto& [topic, count] : subscription.partitions_per_topic) {
    if (count < 0) {
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("topic ", topic,
                                " has a negative partition "
                                "count ",
                                count));
    }
  }
  absl::flat_hash_set<absl::string_view> ids;
  std::set<std::string> subscribed;
  for (const GroupMember& member : subscription.members) {
    if (!ids.insert(member.member_id).second) {
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("member id ", member.member_id,
                                " appears more than once"));
    }
    subscribed.insert(member.topics.begin(), member.topics.end());
  }

  PreparedGroup group;
  // As AbstractPartitionAssignor.assign(Cluster, ...): every subscribed topic
  // the metadata knows with at least one partition; others are skipped.
  for (const std::string& topic : subscribed) {
    auto it = subscription.partitions_per_topic.find(topic);
    if (it != subscription.partitions_per_topic.end() && it->second > 0) {
      group.partitions_per_topic.emplace(topic, it->second);
    }
  }

  std::vector<int32_t> hashes;
  hashes.reserve(subscription.members.size());
  for (const GroupMember& member : subscription.members) {
    hashes.push_back(JavaStringHash(member.member_id));
  }
  for (size_t index : JavaHashMapOrder(hashes)) {
    const GroupMember& in = subscription.members[index];
    PreparedMember member;
    member.id = in.member_id;
    member.instance_id = in.group_instance_id;
    member.generation = in.generation;
    absl::flat_hash_set<absl::string_view> seen;
    for (const std::string& topic : in.topics) {
      if (seen.insert(topic).second) member.topics.push_back(topic);
    }
    for (const TopicPartition& tp : in.owned_partitions) {
      auto it = group.partitions_per_topic.find(tp.topic);
      if (it != group.partitions_per_topic.end() && tp.partition >= 0 &&
          tp.partition < it->second) {
        member.owned.push_back(tp);
      }
    }
    group.members.push_back(std::move(member));
  }
  return group;
}

std::vector<size_t> MemberInfoOrder(const PreparedGroup& group) {
  std::vector<size_t> order(group.members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Kafka's AbstractPartitionAssignor.MemberInfo.compareTo.
  const auto less = [&group](size_t a, size_t b) {
    const PreparedMember& x = group.members[a];
    const PreparedMember& y = group.members[b];
    if (x.instance_id.has_value() && y.instance_id.has_value()) {
      return JavaStringCompare(*x.instance_id, *y.instance_id) < 0;
    }
    if (x.instance_id.has_value() != y.instance_id.has_value()) {
      return x.instance_id.has_value();
    }
    return JavaStringCompare(x.id, y.id) < 0;
  };
  std::stable_sort(order.begin(), order.end(), less);
  return order;
}

GroupAssignment EmptyAssignment(const PreparedGroup& group) {
  GroupAssignment assignment;
  for (const PreparedMember& member : group.members) {
    assignment.emplace(member.id, std::vector<TopicPartition>());
  }
  return assignment;
}

void SortAssignment(GroupAssignment* assignment) {
  for (auto& [member, partitions] : *assignment) {
    std::sort(partitions.begin(), partitions.end());
  }
}

}  // namespace assignors
}  // namespace brook
