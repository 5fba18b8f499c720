// Kafka's RangeAssignor (without rack awareness, which brook has no use for).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "brook/assignor.h"
#include "group/assignors/group_input.h"

namespace brook {
namespace {

class RangeAssignor final : public Assignor {
 public:
  absl::string_view name() const override { return "range"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& subscription) const override {
    absl::StatusOr<assignors::PreparedGroup> group =
        assignors::PrepareGroup(subscription);
    if (!group.ok()) return group.status();
    GroupAssignment assignment = assignors::EmptyAssignment(*group);
    const std::vector<size_t> order = assignors::MemberInfoOrder(*group);

    // Each topic on its own: its subscribers in MemberInfo order (static
    // members by group.instance.id, then dynamic ones by member id) get
    // consecutive ranges, and as in Kafka the first `extra` of them get one
    // partition more than the rest.
    absl::flat_hash_map<absl::string_view, std::vector<const std::string*>>
        consumers_per_topic;
    for (size_t index : order) {
      const assignors::PreparedMember& member = group->members[index];
      for (const std::string& topic : member.topics) {
        consumers_per_topic[topic].push_back(&member.id);
      }
    }
    for (const auto& [topic, num_partitions] : group->partitions_per_topic) {
      const std::vector<const std::string*>& consumers =
          consumers_per_topic[topic];
      if (consumers.empty()) continue;
      const int32_t n = static_cast<int32_t>(consumers.size());
      const int32_t per_consumer = num_partitions / n;
      const int32_t extra = num_partitions % n;
      int32_t next = 0;
      for (int32_t i = 0; i < n && next < num_partitions; ++i) {
        const int32_t count = per_consumer + (i < extra ? 1 : 0);
        std::vector<TopicPartition>& list = assignment[*consumers[i]];
        for (int32_t k = 0; k < count; ++k) list.emplace_back(topic, next++);
      }
    }
    assignors::SortAssignment(&assignment);
    return assignment;
  }
};

}  // namespace

std::unique_ptr<Assignor> NewRangeAssignor() {
  return std::make_unique<RangeAssignor>();
}

}  // namespace brook
