// Kafka's CooperativeStickyAssignor: the sticky assignment, minus every
// partition that would move from one member to another in this rebalance.
// Its owner revokes it (it is no longer in the owner's assignment); the
// follow-up rebalance, with the partition owned by nobody, assigns it.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "brook/assignor.h"
#include "group/assignors/group_input.h"
#include "group/assignors/sticky.h"

namespace brook {
namespace assignors {
namespace {

// Kafka's computePartitionsTransferringOwnership, for the general builder:
// partitions both newly assigned to some member and revoked from the
// member that reported owning them.
std::vector<int> ComputeTransferring(
    const StickyModel& model, const std::vector<std::vector<int>>& lists) {
  const size_t n = model.member_ids.size();
  std::vector<int> added_to(model.total_partitions, -1);
  std::vector<char> revoked(model.total_partitions, 0);
  std::vector<char> mark(model.total_partitions, 0);
  for (size_t c = 0; c < n; ++c) {
    for (int tp : model.owned[c]) mark[tp] = 1;
    for (int tp : lists[c]) {
      if (!mark[tp]) added_to[tp] = static_cast<int>(c);
    }
    for (int tp : model.owned[c]) mark[tp] = 0;
    for (int tp : lists[c]) mark[tp] = 1;
    for (int tp : model.owned[c]) {
      if (!mark[tp]) revoked[tp] = 1;
    }
    for (int tp : lists[c]) mark[tp] = 0;
  }
  std::vector<int> transferring(model.total_partitions, -1);
  for (int tp = 0; tp < model.total_partitions; ++tp) {
    if (added_to[tp] >= 0 && revoked[tp]) transferring[tp] = added_to[tp];
  }
  return transferring;
}

class CooperativeStickyAssignor final : public Assignor {
 public:
  absl::string_view name() const override { return "cooperative-sticky"; }

  std::vector<RebalanceProtocol> supported_protocols() const override {
    return {RebalanceProtocol::kCooperative, RebalanceProtocol::kEager};
  }

  absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& subscription) const override {
    absl::StatusOr<PreparedGroup> group = PrepareGroup(subscription);
    if (!group.ok()) return group.status();
    const StickyModel model = BuildStickyModel(*group);
    absl::StatusOr<StickyResult> result = StickyAssign(model);
    if (!result.ok()) return result.status();
    std::vector<std::vector<int>>& lists = result->assignment;

    // The constrained builder tracks transfers itself; after the general
    // one they follow from comparing owned and assigned partitions.
    const std::vector<int> transferring =
        result->transferring.has_value() ? *result->transferring
                                         : ComputeTransferring(model, lists);
    for (size_t c = 0; c < lists.size(); ++c) {
      std::vector<int>& list = lists[c];
      list.erase(
          std::remove_if(
              list.begin(), list.end(),
              [&](int tp) { return transferring[tp] == static_cast<int>(c); }),
          list.end());
    }
    return ToGroupAssignment(model, lists);
  }
};

}  // namespace
}  // namespace assignors

std::unique_ptr<Assignor> NewCooperativeStickyAssignor() {
  return std::make_unique<assignors::CooperativeStickyAssignor>();
}

}  // namespace brook
