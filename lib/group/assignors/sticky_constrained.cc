// Kafka's ConstrainedAssignmentBuilder: the sticky assignment when every
// member subscribes to the same topics. Each member keeps owned partitions up
// to its quota; the rest are dealt round-robin to the members still under
// quota.
#include <algorithm>
#include <cstddef>
#include <list>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "group/assignors/sticky.h"

namespace brook {
namespace assignors {

absl::StatusOr<StickyResult> ConstrainedAssign(const StickyModel& model,
                                               const OwnedPartitions& owned) {
  const int num_members = static_cast<int>(model.member_ids.size());
  const int total = model.total_partitions;
  // Every member gets min_quota or max_quota partitions, and exactly
  // `expected_over_min` of them get max_quota.
  const int min_quota = total / num_members;
  const int max_quota = (total + num_members - 1) / num_members;
  const int expected_over_min = total % num_members;
  int current_over_min = 0;

  StickyResult result;
  result.assignment.resize(num_members);
  result.transferring.emplace(total, -1);
  std::vector<int>& transferring = *result.transferring;
  // The member a partition was revoked from because it owned more than its
  // quota; Kafka's maybeRevokedPartitions.
  std::vector<int> revoked_from(total, -1);
  std::vector<char> assigned(total, 0);
  std::list<int> unfilled_under_min;  // hold fewer than min_quota
  std::list<int> unfilled_at_min;     // hold min_quota, may get one more

  // 1. Keep owned partitions, visiting members in Kafka's iteration order:
  // the first members found owning max_quota or more keep max_quota, as long
  // as fewer than `expected_over_min` members got that many.
  for (int c = 0; c < num_members; ++c) {
    std::vector<int> mine = owned.owned[c];
    // Kafka keeps the lowest partition numbers first, topic breaking ties.
    std::sort(mine.begin(), mine.end(), [&model](int a, int b) {
      const int pa = model.partition_of(a);
      const int pb = model.partition_of(b);
      if (pa != pb) return pa < pb;
      return model.partition_topics[a] < model.partition_topics[b];
    });
    mine.erase(std::remove_if(mine.begin(), mine.end(),
                              [&owned](int tp) {
                                return owned.multiply_claimed[tp] != 0;
                              }),
               mine.end());
    const int count = static_cast<int>(mine.size());
    int keep;
    if (count < min_quota) {
      keep = count;
      unfilled_under_min.push_back(c);
    } else if (count >= max_quota && current_over_min < expected_over_min) {
      keep = max_quota;
      if (++current_over_min == expected_over_min) unfilled_at_min.clear();
    } else {
      keep = min_quota;
      if (current_over_min < expected_over_min) unfilled_at_min.push_back(c);
    }
    for (int i = 0; i < count; ++i) {
      if (i < keep) {
        result.assignment[c].push_back(mine[i]);
        assigned[mine[i]] = 1;
      } else {
        revoked_from[mine[i]] = c;
      }
    }
  }

  const auto by_member_id = [&model](int a, int b) {
    return model.member_ranks[a] < model.member_ranks[b];
  };
  unfilled_under_min.sort(by_member_id);
  unfilled_at_min.sort(by_member_id);

  // A partition reassigned away from a member that owned it (over quota, or
  // claimed twice) is "transferring ownership": the cooperative assignor
  // holds it back until its owner has revoked it.
  const auto assign_new = [&](int tp, int c) {
    result.assignment[c].push_back(tp);
    if ((revoked_from[tp] >= 0 && revoked_from[tp] != c) ||
        owned.multiply_claimed[tp] != 0) {
      transferring[tp] = c;
    }
    return static_cast<int>(result.assignment[c].size());
  };

  // 2. Deal the unassigned partitions in (topic, partition) order: cycle
  // through the members under min_quota (by member id); once none is left,
  // give one more each to members at min_quota.
  auto next = unfilled_under_min.begin();
  auto last = unfilled_under_min.end();
  for (int tp = 0; tp < total; ++tp) {
    if (assigned[tp]) continue;
    int c;
    if (next != unfilled_under_min.end()) {
      last = next;
      c = *next++;
    } else if (unfilled_under_min.empty() && unfilled_at_min.empty()) {
      return Error(ErrorCode::kIllegalState,
                   "sticky assignment: no more unfilled members to assign to");
    } else if (unfilled_under_min.empty()) {
      c = unfilled_at_min.front();
      unfilled_at_min.pop_front();
      last = unfilled_under_min.end();
    } else {
      next = unfilled_under_min.begin();
      last = next;
      c = *next++;
    }
    const int count = assign_new(tp, c);
    if (count == min_quota) {
      // Kafka removes the member its iterator returned last.
      if (last != unfilled_under_min.end()) {
        unfilled_under_min.erase(last);
        last = unfilled_under_min.end();
      }
      unfilled_at_min.push_back(c);
    } else if (count == max_quota) {
      ++current_over_min;
    }
  }

  // 3. Kafka's verifyUnfilledMembers.
  if (!unfilled_under_min.empty()) {
    if (current_over_min != expected_over_min) {
      return Error(ErrorCode::kIllegalState,
                   "sticky assignment: fewer members than expected reached "
                   "max quota and no partitions are left");
    }
    for (int c : unfilled_under_min) {
      if (static_cast<int>(result.assignment[c].size()) != min_quota) {
        return Error(
            ErrorCode::kIllegalState,
            absl::StrCat("sticky assignment: member ", model.member_ids[c],
                         " does not reach min quota"));
      }
    }
  }
  return result;
}

}  // namespace assignors
}  // namespace brook
