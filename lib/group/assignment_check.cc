#include "group/assignment_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {
namespace {

absl::Status Invalid(absl::string_view what) {
  return Error(ErrorCode::kIllegalState,
               absl::StrCat("the assignor's result is invalid: ", what));
}

}  // namespace

absl::Status CheckAssignment(const GroupSubscription& input,
                             const GroupAssignment& assignment,
                             bool cooperative) {
  std::map<std::string, const GroupMember*> members;
  // Every member that claims to own each partition (two may, when one
  // missed a generation).
  std::map<TopicPartition, std::set<std::string>> previous_owners;
  for (const GroupMember& m : input.members) {
    members[m.member_id] = &m;
    for (const TopicPartition& tp : m.owned_partitions) {
      previous_owners[tp].insert(m.member_id);
    }
  }
  std::map<TopicPartition, std::string> owner;
  for (const auto& [member_id, partitions] : assignment) {
    auto m = members.find(member_id);
    if (m == members.end()) {
      return Invalid(absl::StrCat("unknown member ", member_id));
    }
    const std::vector<std::string>& topics = m->second->topics;
    for (const TopicPartition& tp : partitions) {
      auto count = input.partitions_per_topic.find(tp.topic);
      if (count == input.partitions_per_topic.end() || tp.partition < 0 ||
          tp.partition >= count->second) {
        return Invalid(absl::StrCat(tp.ToString(), " (to ", member_id,
                                    ") does not exist"));
      }
      if (std::find(topics.begin(), topics.end(), tp.topic) == topics.end()) {
        return Invalid(absl::StrCat(tp.ToString(), " went to ", member_id,
                                    ", which does not subscribe to ",
                                    tp.topic));
      }
      auto [it, inserted] = owner.emplace(tp, member_id);
      if (!inserted) {
        return Invalid(absl::StrCat(tp.ToString(), " went to both ", it->second,
                                    " and ", member_id));
      }
      if (cooperative) {
        // As Kafka's validateCooperativeAssignment: a partition added to a
        // member must not be one another member is giving up.
        auto prev = previous_owners.find(tp);
        if (prev != previous_owners.end() && !prev->second.count(member_id)) {
          return Invalid(absl::StrCat(
              tp.ToString(), " moved from ", *prev->second.begin(), " to ",
              member_id,
              " in one rebalance; the cooperative protocol must revoke it "
              "first"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace brook
