// Kafka's GeneralAssignmentBuilder: the sticky assignment when members
// subscribe to different topics. Keeps every still-valid owned partition,
// gives each unassigned partition to the least loaded subscriber, then moves
// partitions from loaded to less loaded subscribers until no move improves
// the balance, preferring moves that undo earlier moves or return a
// partition to its previous owner.
#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "group/assignors/java_compat.h"
#include "group/assignors/sticky.h"

namespace brook {
namespace assignors {
namespace {

// Kafka's PartitionMovements: which partitions moved between which members
// during this assignment, so a later move in the opposite direction can
// move one of those partitions back instead of a new one.
class PartitionMovements {
 public:
  explicit PartitionMovements(const StickyModel& model)
      : model_(model), by_topic_(model.topic_names.size()) {}

  // getTheActualPartitionToBeMoved: moving `tp` from `from` to `to` should
  // instead move a partition that earlier moved from `to` to `tp`'s original
  // member, if there is one (the first in Kafka's HashSet order).
  int ActualPartitionToMove(int tp, int from, int to) const {
    const auto& moves = by_topic_[model_.partition_topics[tp]];
    if (moves.empty()) return tp;
    auto it = movements_.find(tp);
    if (it != movements_.end()) from = it->second.first;
    auto reverse = moves.find({to, from});
    if (reverse == moves.end()) return tp;
    return reverse->second.First();
  }

  // movePartition.
  void Move(int tp, int from, int to) {
    auto it = movements_.find(tp);
    if (it == movements_.end()) {
      AddRecord(tp, {from, to});
      return;
    }
    const Pair earlier = RemoveRecord(tp);
    // A partition that moves back to where it started is no movement.
    if (earlier.first != to) AddRecord(tp, {earlier.first, to});
  }

 private:
  using Pair = std::pair<int, int>;  // (source member, destination member)

  Pair RemoveRecord(int tp) {
    auto it = movements_.find(tp);
    const Pair pair = it->second;
    movements_.erase(it);
    auto& moves = by_topic_[model_.partition_topics[tp]];
    auto set = moves.find(pair);
    set->second.Remove(tp, model_.partition_hash(tp));
    if (set->second.empty()) moves.erase(set);
    return pair;
  }

  void AddRecord(int tp, Pair pair) {
    movements_[tp] = pair;
    by_topic_[model_.partition_topics[tp]][pair].Add(tp,
                                                     model_.partition_hash(tp));
  }

  const StickyModel& model_;
  absl::flat_hash_map<int, Pair> movements_;
  // Per topic: (source, destination) -> partitions that moved that way.
  std::vector<std::map<Pair, JavaHashSet>> by_topic_;
};

class GeneralBuilder {
 public:
  GeneralBuilder(const StickyModel& model, const OwnedPartitions& owned)
      : m_(model),
        owned_(owned),
        num_members_(static_cast<int>(model.member_ids.size())),
        potential_(model.topic_names.size()),
        max_size_(num_members_, 0),
        owner_(model.total_partitions, -1),
        count_(num_members_, 0),
        fixed_(num_members_, 0),
        sorted_(ByLoad{&count_, &model.member_ranks}),
        movements_(model) {
    for (int c = 0; c < num_members_; ++c) {
      for (int t : m_.topics[c]) {
        potential_[t].push_back(c);
        max_size_[c] += m_.topic_sizes[t];
      }
    }
  }

  std::vector<std::vector<int>> Build() {
    PrepopulatePreviousOwners();
    // Keep every owned partition whose topic the member still subscribes to.
    std::vector<char> kept(m_.total_partitions, 0);
    for (int c = 0; c < num_members_; ++c) {
      for (int tp : owned_.owned[c]) owner_[tp] = c;
    }
    for (int c = 0; c < num_members_; ++c) {
      for (int tp : owned_.owned[c]) {
        if (m_.subscribes[c][m_.partition_topics[tp]]) {
          ++count_[c];
          kept[tp] = 1;
        } else {
          revocation_required_ = true;
        }
      }
    }

    // All partitions, topics with fewer potential members first (then by
    // name), and those not kept.
    std::vector<int> topic_order(m_.topic_names.size());
    for (size_t t = 0; t < topic_order.size(); ++t) topic_order[t] = t;
    std::sort(topic_order.begin(), topic_order.end(), [this](int a, int b) {
      if (potential_[a].size() != potential_[b].size()) {
        return potential_[a].size() < potential_[b].size();
      }
      return a < b;
    });
    std::vector<int> all_partitions;
    all_partitions.reserve(m_.total_partitions);
    for (int t : topic_order) {
      for (int p = 0; p < m_.topic_sizes[t]; ++p) {
        all_partitions.push_back(m_.topic_offsets[t] + p);
      }
    }
    std::vector<int> unassigned;
    for (int tp : all_partitions) {
      if (!kept[tp]) unassigned.push_back(tp);
    }

    for (int c = 0; c < num_members_; ++c) sorted_.insert(c);
    Balance(std::move(all_partitions), std::move(unassigned));

    std::vector<std::vector<int>> assignment(num_members_);
    for (int tp = 0; tp < m_.total_partitions; ++tp) {
      if (owner_[tp] >= 0) assignment[owner_[tp]].push_back(tp);
    }
    return assignment;
  }

 private:
  // Orders members by partition count, then member id: Kafka's TreeSet with
  // SubscriptionComparator. A member's count must not change while it is in
  // the set.
  struct ByLoad {
    const std::vector<int>* count;
    const std::vector<int>* rank;
    bool operator()(int a, int b) const {
      if ((*count)[a] != (*count)[b]) return (*count)[a] < (*count)[b];
      return (*rank)[a] < (*rank)[b];
    }
  };

  // prepopulateCurrentAssignments: a partition's previous owner is the
  // member of the highest generation below the current maximum that claimed
  // it (the first such member on ties).
  void PrepopulatePreviousOwners() {
    prev_owner_.assign(m_.total_partitions, -1);
    prev_generation_.assign(m_.total_partitions, 0);
    for (int c = 0; c < num_members_; ++c) {
      const int32_t generation = m_.generations[c];
      if (generation >= owned_.max_generation) continue;
      for (int tp : m_.owned[c]) {
        if (prev_owner_[tp] < 0 || generation > prev_generation_[tp]) {
          prev_owner_[tp] = c;
          prev_generation_[tp] = generation;
        }
      }
    }
  }

  void Assign(int tp, int c) {
    sorted_.erase(c);
    owner_[tp] = c;
    ++count_[c];
    sorted_.insert(c);
  }

  // The least loaded member subscribed to topic `t`.
  int LeastLoadedSubscriber(int t) const {
    for (int c : sorted_) {
      if (m_.subscribes[c][t]) return c;
    }
    return -1;
  }

  bool CanMemberParticipate(int c, const std::vector<char>& in_shared) const {
    // A member below its maximum can take more; one holding a partition of
    // a topic with other potential members can give some away.
    return count_[c] < max_size_[c] || in_shared[c];
  }

  void Balance(std::vector<int> all_partitions, std::vector<int> unassigned) {
    const bool initializing = sorted_.empty() || count_[*sorted_.rbegin()] == 0;

    for (int tp : unassigned) {
      const int c = LeastLoadedSubscriber(m_.partition_topics[tp]);
      if (c >= 0) Assign(tp, c);
    }

    // Only partitions of topics with two or more potential members, and only
    // members that can gain or give partitions, take part in reassignment.
    const auto fixed_partition = [this](int tp) {
      return potential_[m_.partition_topics[tp]].size() < 2;
    };
    all_partitions.erase(std::remove_if(all_partitions.begin(),
                                        all_partitions.end(), fixed_partition),
                         all_partitions.end());
    unassigned.erase(
        std::remove_if(unassigned.begin(), unassigned.end(), fixed_partition),
        unassigned.end());
    std::vector<char> in_shared(num_members_, 0);
    for (int tp = 0; tp < m_.total_partitions; ++tp) {
      if (owner_[tp] >= 0 && !fixed_partition(tp)) in_shared[owner_[tp]] = 1;
    }
    for (int c = 0; c < num_members_; ++c) {
      if (!CanMemberParticipate(c, in_shared)) {
        sorted_.erase(c);
        fixed_[c] = 1;
      }
    }

    const std::vector<int> pre_owner = owner_;
    const std::vector<int> pre_count = count_;

    // Unless subscription changes already force revocations, first try to
    // balance by moving only the newly assigned partitions.
    if (!revocation_required_) PerformReassignments(unassigned);
    const bool reassigned = PerformReassignments(all_partitions);

    // Keep the moves only if they made the assignment more balanced.
    if (!initializing && reassigned &&
        BalanceScore(count_) >= BalanceScore(pre_count)) {
      owner_ = pre_owner;
      count_ = pre_count;
    }
  }

  // getBalanceScore over the members taking part: the sum over all pairs of
  // the difference of their partition counts.
  int64_t BalanceScore(const std::vector<int>& counts) const {
    std::vector<int64_t> values;
    for (int c = 0; c < num_members_; ++c) {
      if (!fixed_[c]) values.push_back(counts[c]);
    }
    std::sort(values.begin(), values.end());
    int64_t score = 0;
    int64_t prefix = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      score += values[i] * static_cast<int64_t>(i) - prefix;
      prefix += values[i];
    }
    return score;
  }

  // isBalanced: counts differ by at most one, or no member could take a
  // partition of one of its topics from a member holding two or more
  // partitions more than it does.
  bool IsBalanced() const {
    if (sorted_.empty()) return true;
    const int min = count_[*sorted_.begin()];
    const int max = count_[*sorted_.rbegin()];
    if (min >= max - 1) return true;
    // The highest count among the holders of each topic's partitions.
    std::vector<int> max_holder(m_.topic_names.size(), -1);
    for (int tp = 0; tp < m_.total_partitions; ++tp) {
      const int holder = owner_[tp];
      if (holder < 0 || fixed_[holder]) continue;
      int& best = max_holder[m_.partition_topics[tp]];
      best = std::max(best, count_[holder]);
    }
    for (int c : sorted_) {
      if (count_[c] == max_size_[c]) continue;
      for (int t : m_.topics[c]) {
        if (count_[c] + 1 < max_holder[t]) return false;
      }
    }
    return true;
  }

  bool PerformReassignments(const std::vector<int>& partitions) {
    bool reassigned = false;
    bool modified;
    do {
      modified = false;
      for (size_t i = 0; i < partitions.size() && !IsBalanced(); ++i) {
        const int tp = partitions[i];
        const int t = m_.partition_topics[tp];
        const int c = owner_[tp];
        // Back to its previous owner if that one has two or more fewer. (A
        // previous owner left out of reassignment is skipped; Kafka fails
        // with a NullPointerException there.)
        const int prev = prev_owner_[tp];
        if (prev >= 0 && !fixed_[prev] && count_[c] > count_[prev] + 1) {
          Reassign(tp, prev);
          reassigned = modified = true;
          continue;
        }
        // Otherwise to the least loaded subscriber, if some subscriber has
        // two or more fewer.
        for (int other : potential_[t]) {
          if (count_[c] > count_[other] + 1) {
            const int to = LeastLoadedSubscriber(t);
            assert(to >= 0);
            if (to < 0) break;
            Reassign(tp, to);
            reassigned = modified = true;
            break;
          }
        }
      }
    } while (modified);
    return reassigned;
  }

  void Reassign(int tp, int to) {
    const int moved = movements_.ActualPartitionToMove(tp, owner_[tp], to);
    const int from = owner_[moved];
    sorted_.erase(from);
    sorted_.erase(to);
    movements_.Move(moved, from, to);
    --count_[from];
    ++count_[to];
    owner_[moved] = to;
    sorted_.insert(to);
    sorted_.insert(from);
  }

  const StickyModel& m_;
  const OwnedPartitions& owned_;
  const int num_members_;
  // Kafka's topic2AllPotentialConsumers, and each member's most partitions.
  std::vector<std::vector<int>> potential_;
  std::vector<int> max_size_;
  std::vector<int> prev_owner_;
  std::vector<int32_t> prev_generation_;
  // currentPartitionConsumer and the sizes of currentAssignment.
  std::vector<int> owner_;
  std::vector<int> count_;
  // Members left out of reassignment.
  std::vector<char> fixed_;
  std::set<int, ByLoad> sorted_;
  PartitionMovements movements_;
  bool revocation_required_ = false;
};

}  // namespace

StickyResult GeneralAssign(const StickyModel& model,
                           const OwnedPartitions& owned) {
  StickyResult result;
  result.assignment = GeneralBuilder(model, owned).Build();
  return result;
}

}  // namespace assignors
}  // namespace brook
