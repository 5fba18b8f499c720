// Kafka's StickyAssignor, and the parts of AbstractStickyAssignor both sticky
// assignors share: numbering the input, settling ownership claims, and
// choosing between the constrained and the general assignment builder.
#include "group/assignors/sticky.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "brook/assignor.h"
#include "group/assignors/group_input.h"
#include "group/assignors/java_compat.h"

namespace brook {
namespace assignors {

int32_t StickyModel::partition_hash(int global) const {
  return JavaTopicPartitionHash(topic_hashes[partition_topics[global]],
                                partition_of(global));
}

StickyModel BuildStickyModel(const PreparedGroup& group) {
  StickyModel model;
  for (const auto& entry : group.partitions_per_topic) {
    model.topic_names.push_back(entry.first);
  }
  std::sort(model.topic_names.begin(), model.topic_names.end(),
            [](const std::string& a, const std::string& b) {
              return JavaStringCompare(a, b) < 0;
            });
  absl::flat_hash_map<std::string, int> topic_index;
  for (size_t t = 0; t < model.topic_names.size(); ++t) {
    const std::string& name = model.topic_names[t];
    const int32_t size = group.partitions_per_topic.at(name);
    topic_index[name] = static_cast<int>(t);
    model.topic_sizes.push_back(size);
    model.topic_hashes.push_back(JavaStringHash(name));
    model.topic_offsets.push_back(model.total_partitions);
    model.partition_topics.insert(model.partition_topics.end(), size,
                                  static_cast<int>(t));
    model.total_partitions += size;
  }

  const size_t n = group.members.size();
  std::vector<int> by_name(n);
  for (size_t c = 0; c < n; ++c) by_name[c] = static_cast<int>(c);
  std::sort(by_name.begin(), by_name.end(), [&group](int a, int b) {
    return JavaStringCompare(group.members[a].id, group.members[b].id) < 0;
  });
  model.member_ranks.resize(n);
  for (size_t r = 0; r < n; ++r) model.member_ranks[by_name[r]] = r;

  for (const PreparedMember& member : group.members) {
    model.member_ids.push_back(member.id);
    model.raw_topics.push_back(member.topics);
    std::vector<int> topics;
    std::vector<char> subscribes(model.topic_names.size(), 0);
    for (const std::string& topic : member.topics) {
      auto it = topic_index.find(topic);
      if (it == topic_index.end()) continue;
      topics.push_back(it->second);
      subscribes[it->second] = 1;
    }
    model.topics.push_back(std::move(topics));
    model.subscribes.push_back(std::move(subscribes));
    std::vector<int> owned;
    for (const TopicPartition& tp : member.owned) {
      owned.push_back(model.topic_offsets[topic_index.at(tp.topic)] +
                      tp.partition);
    }
    model.owned.push_back(std::move(owned));
    model.generations.push_back(member.generation);
  }
  return model;
}

// Kafka's allSubscriptionsEqual(). Members are visited in Kafka's iteration
// order, which matters: a later claim of a partition by a member of a higher
// generation wins, of the same generation invalidates the partition for both.
OwnedPartitions ResolveOwnedPartitions(const StickyModel& model) {
  OwnedPartitions result;
  const size_t n = model.member_ids.size();
  result.owned.resize(n);
  result.multiply_claimed.assign(model.total_partitions, 0);
  absl::flat_hash_set<absl::string_view> first_topics;
  std::vector<int> claimed_by(model.total_partitions, -1);
  for (size_t c = 0; c < n; ++c) {
    const std::vector<std::string>& topics = model.raw_topics[c];
    // Kafka (re)initializes its reference set while it is empty, so a member
    // with no topics visited first makes every subscription "equal" and the
    // constrained builder then hands it partitions it never subscribed to
    // (whether that happens depends on the hash order of member ids; Kafka's
    // client then rejoins, to the same result). brook takes the first
    // member's set, empty or not: such a member gets nothing.
    if (c == 0) {
      first_topics.insert(topics.begin(), topics.end());
    } else if (result.all_subscriptions_equal &&
               !(topics.size() == first_topics.size() &&
                 absl::c_all_of(topics, [&](const std::string& t) {
                   return first_topics.contains(t);
                 }))) {
      result.all_subscriptions_equal = false;
    }

    const int32_t generation = model.generations[c];
    result.max_generation = std::max(result.max_generation, generation);
    std::vector<int>& owned = result.owned[c];
    for (int tp : model.owned[c]) {
      const int other = claimed_by[tp];
      if (other < 0) {
        owned.push_back(tp);
        claimed_by[tp] = static_cast<int>(c);
        continue;
      }
      std::vector<int>& other_owned = result.owned[other];
      const auto drop_from_other = [&] {
        auto it = absl::c_find(other_owned, tp);
        if (it != other_owned.end()) other_owned.erase(it);
      };
      const int32_t other_generation = model.generations[other];
      if (generation == other_generation) {
        result.multiply_claimed[tp] = 1;
        drop_from_other();
        claimed_by[tp] = static_cast<int>(c);
      } else if (generation > other_generation) {
        owned.push_back(tp);
        drop_from_other();
        claimed_by[tp] = static_cast<int>(c);
      }
      // Otherwise the other member's newer claim stands.
    }
  }
  return result;
}

absl::StatusOr<StickyResult> StickyAssign(const StickyModel& model) {
  if (model.member_ids.empty()) return StickyResult();
  const OwnedPartitions owned = ResolveOwnedPartitions(model);
  if (owned.all_subscriptions_equal) return ConstrainedAssign(model, owned);
  return GeneralAssign(model, owned);
}

GroupAssignment ToGroupAssignment(const StickyModel& model,
                                  const std::vector<std::vector<int>>& lists) {
  GroupAssignment assignment;
  for (size_t c = 0; c < model.member_ids.size(); ++c) {
    std::vector<int> sorted = lists[c];
    std::sort(sorted.begin(), sorted.end());
    std::vector<TopicPartition>& out = assignment[model.member_ids[c]];
    out.reserve(sorted.size());
    for (int global : sorted) {
      out.emplace_back(model.topic_names[model.partition_topics[global]],
                       model.partition_of(global));
    }
  }
  // Global numbers follow Java String order of topics; brook sorts by bytes.
  SortAssignment(&assignment);
  return assignment;
}

namespace {

class StickyAssignor final : public Assignor {
 public:
  absl::string_view name() const override { return "sticky"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& subscription) const override {
    absl::StatusOr<PreparedGroup> group = PrepareGroup(subscription);
    if (!group.ok()) return group.status();
    const StickyModel model = BuildStickyModel(*group);
    absl::StatusOr<StickyResult> result = StickyAssign(model);
    if (!result.ok()) return result.status();
    return ToGroupAssignment(model, result->assignment);
  }
};

}  // namespace
}  // namespace assignors

std::unique_ptr<Assignor> NewStickyAssignor() {
  return std::make_unique<assignors::StickyAssignor>();
}

}  // namespace brook
