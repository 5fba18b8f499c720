// Kafka's RoundRobinAssignor.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "brook/assignor.h"
#include "group/assignors/group_input.h"
#include "group/assignors/java_compat.h"

namespace brook {
namespace {

class RoundRobinAssignor final : public Assignor {
 public:
  absl::string_view name() const override { return "roundrobin"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& subscription) const override {
    absl::StatusOr<assignors::PreparedGroup> group =
        assignors::PrepareGroup(subscription);
    if (!group.ok()) return group.status();
    GroupAssignment assignment = assignors::EmptyAssignment(*group);
    const std::vector<size_t> members = assignors::MemberInfoOrder(*group);
    if (members.empty()) return assignment;
    std::vector<absl::flat_hash_set<absl::string_view>> subscribed(
        group->members.size());
    for (size_t i = 0; i < group->members.size(); ++i) {
      subscribed[i].insert(group->members[i].topics.begin(),
                           group->members[i].topics.end());
    }

    // All partitions, topics in Java String order (Kafka's TreeSet of
    // subscribed topics), partitions in numeric order.
    std::vector<std::string> topics;
    for (const auto& entry : group->partitions_per_topic) {
      topics.push_back(entry.first);
    }
    std::sort(topics.begin(), topics.end(),
              [](const std::string& a, const std::string& b) {
                return assignors::JavaStringCompare(a, b) < 0;
              });

    // A circular iterator over the members in MemberInfo order: each
    // partition goes to the next member subscribed to its topic, and the
    // iterator moves past that member.
    size_t next = 0;
    for (const std::string& topic : topics) {
      const int32_t count = group->partitions_per_topic.at(topic);
      for (int32_t p = 0; p < count; ++p) {
        while (!subscribed[members[next]].contains(topic)) {
          next = (next + 1) % members.size();
        }
        assignment[group->members[members[next]].id].emplace_back(topic, p);
        next = (next + 1) % members.size();
      }
    }
    assignors::SortAssignment(&assignment);
    return assignment;
  }
};

}  // namespace

std::unique_ptr<Assignor> NewRoundRobinAssignor() {
  return std::make_unique<RoundRobinAssignor>();
}

}  // namespace brook
