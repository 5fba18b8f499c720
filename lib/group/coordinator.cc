#include "group/coordinator.h"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/assignor.h"
#include "brook/error.h"
#include "group/assignment_check.h"

namespace brook {
namespace {

absl::Status UnknownMember(absl::string_view group_id,
                           absl::string_view member_id) {
  return Error(ErrorCode::kUnknownMemberId,
               absl::StrCat("member ", member_id, " is not in group ", group_id,
                            " (removed or left); rejoin"));
}

bool Supports(const GroupMemberState& m, absl::string_view strategy) {
  return std::find(m.strategies.begin(), m.strategies.end(), strategy) !=
         m.strategies.end();
}

// Kafka's broker-side selectProtocol: the candidates are the strategies
// every member supports; each member votes for its first candidate and the
// most votes win. brook breaks ties by the leader's preference order (Kafka
// leaves them to hash-map order).
std::string SelectProtocol(const Group& group) {
  const GroupMemberState* leader = nullptr;
  auto it = group.members.find(group.leader);
  leader =
      it != group.members.end() ? &it->second : &group.members.begin()->second;
  std::vector<std::string> candidates;
  for (const std::string& s : leader->strategies) {
    bool everyone = true;
    for (const auto& [id, m] : group.members) everyone &= Supports(m, s);
    if (everyone) candidates.push_back(s);
  }
  if (candidates.empty()) return "";
  std::map<std::string, int> votes;
  for (const auto& [id, m] : group.members) {
    for (const std::string& s : m.strategies) {
      if (std::find(candidates.begin(), candidates.end(), s) !=
          candidates.end()) {
        ++votes[s];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const std::string& s : candidates) {  // Leader's order breaks ties.
    if (votes[s] > best_votes) {
      best = s;
      best_votes = votes[s];
    }
  }
  return best;
}

}  // namespace

absl::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

GroupCoordinator::GroupCoordinator(Clock* clock, TopicRegistry* topics,
                                   OffsetStore* offsets,
                                   GroupSnapshots* snapshots,
                                   DataNotifier* notifier)
    : clock_(clock),
      topics_(topics),
      offsets_(offsets),
      snapshots_(snapshots),
      notifier_(notifier) {}

void GroupCoordinator::SaveSnapshotLocked(const Group& group) {
  snapshots_->Save(group.id, group).IgnoreError();
}

Group* GroupCoordinator::FindLocked(absl::string_view group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

absl::Status GroupCoordinator::MissingMemberLocked(
    const Group* group, absl::string_view group_id,
    absl::string_view member_id) {
  auto it = group->fenced.find(std::string(member_id));
  if (it == group->fenced.end()) return UnknownMember(group_id, member_id);
  return Error(ErrorCode::kFencedInstanceId,
               absl::StrCat("member ", member_id, " of group ", group_id,
                            " was fenced: another member joined with its "
                            "group.instance.id '",
                            it->second, "'"));
}

std::string GroupCoordinator::ReplaceStaticMemberLocked(
    Group* group, const std::string& old_id, const JoinRequest& request) {
  GroupMemberState m = std::move(group->members[old_id]);
  group->members.erase(old_id);
  group->fenced[old_id] = m.group_instance_id;
  std::string id = absl::StrCat(request.client_id, "-", ++next_member_number_);
  m.member_id = id;
  m.client_id = request.client_id;
  m.max_poll_interval = request.max_poll_interval;
  m.session_timeout = request.session_timeout;
  m.unresponsive_since.reset();
  m.result.reset();
  m.result_error = absl::OkStatus();
  if (group->leader == old_id) group->leader = id;
  group->members[id] = std::move(m);
  return id;
}

absl::StatusOr<std::string> GroupCoordinator::Join(const JoinRequest& request) {
  bool changed = false;
  std::string member_id;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group& group = groups_[request.group_id];
    if (group.id.empty()) group.id = request.group_id;
    if (!request.member_id.empty()) {
      auto it = group.members.find(request.member_id);
      if (it == group.members.end()) {
        return MissingMemberLocked(&group, request.group_id, request.member_id);
      }
    }
    // Before the caller counts as polling: a member whose
    // max.poll.interval.ms passed has left, even when its own call is the
    // first to notice (Kafka's heartbeat thread leaves for it).
    changed = CheckDeadlinesLocked(&group, now);
    // Static membership: a new member with a known group.instance.id takes
    // the place of the old one (returning after a crash, or a duplicate that
    // fences it).
    std::string replaced;
    if (request.member_id.empty() && !request.group_instance_id.empty()) {
      for (const auto& [id, m] : group.members) {
        if (m.group_instance_id == request.group_instance_id) {
          replaced = id;
          break;
        }
      }
    }
    // No strategy in common with the members already in the group: the
    // newcomer is refused (the group keeps its protocol), as in Kafka.
    for (const auto& [id, m] : group.members) {
      if (id == request.member_id || id == replaced) continue;
      bool common = false;
      for (const std::string& s : request.strategies) common |= Supports(m, s);
      if (!common) {
        if (changed) notifier_->Notify();
        return Error(ErrorCode::kInconsistentGroupProtocol,
                     absl::StrCat("none of the strategies [",
                                  absl::StrJoin(request.strategies, ", "),
                                  "] is supported by member ", id, " of group ",
                                  request.group_id));
      }
    }
    member_id = request.member_id;
    bool kept = false;  // A static member took over with no rebalance.
    if (!replaced.empty()) {
      const GroupMemberState& old = group.members[replaced];
      const bool same_protocol =
          old.topics == request.topics && old.strategies == request.strategies;
      member_id = ReplaceStaticMemberLocked(&group, replaced, request);
      if (same_protocol && group.state == GroupState::kStable) {
        // As Kafka's broker for a known static member of a Stable group: it
        // gets the old member's assignment in the current generation, and
        // the others do not rebalance.
        GroupMemberState& m = group.members[member_id];
        m.last_poll = now;
        m.polling = true;
        m.result = JoinResult{group.generation, group.protocol, group.leader,
                              m.assignment};
        kept = true;
      }
    }
    if (kept) {
      changed = true;
      SaveSnapshotLocked(group);  // The member id changed.
    } else if (member_id.empty()) {
      member_id = absl::StrCat(request.client_id, "-", ++next_member_number_);
    } else if (!group.members.count(member_id)) {
      // Removed by the deadline check above.
      if (changed) notifier_->Notify();
      return UnknownMember(request.group_id, member_id);
    }
    if (!kept) {
      GroupMemberState& m = group.members[member_id];
      m.member_id = member_id;
      m.client_id = request.client_id;
      m.group_instance_id = request.group_instance_id;
      m.topics = request.topics;
      m.strategies = request.strategies;
      m.owned = request.owned;
      m.owned_generation = request.owned_generation;
      m.max_poll_interval = request.max_poll_interval;
      m.session_timeout = request.session_timeout;
      m.unresponsive_since.reset();
      m.last_poll = now;
      m.polling = true;
      m.result.reset();
      m.result_error = absl::OkStatus();
      if (group.leader.empty()) group.leader = member_id;
      if (group.state != GroupState::kPreparingRebalance) {
        StartRebalanceLocked(&group, now);
      } else {
        // A newcomer can extend the rebalance timeout, never shorten it.
        group.rebalance_deadline =
            std::max(group.rebalance_deadline, now + request.max_poll_interval);
      }
      m.joined = true;
      MaybeCompleteLocked(&group);
      changed = true;
    }
  }
  if (changed) notifier_->Notify();
  return member_id;
}

absl::StatusOr<std::optional<JoinResult>> GroupCoordinator::TakeJoinResult(
    absl::string_view group_id, absl::string_view member_id) {
  bool changed = false;
  absl::StatusOr<std::optional<JoinResult>> out = std::nullopt;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group == nullptr) return UnknownMember(group_id, member_id);
    // As in Join: an expired caller is removed before it counts as polling.
    changed = CheckDeadlinesLocked(group, now);
    auto it = group->members.find(std::string(member_id));
    if (it != group->members.end()) {
      it->second.last_poll = now;
      it->second.polling = true;
    }
    if (it == group->members.end()) {
      out = MissingMemberLocked(group, group_id, member_id);
    } else if (!it->second.result_error.ok()) {
      out = std::exchange(it->second.result_error, absl::OkStatus());
    } else if (it->second.result) {
      out = std::exchange(it->second.result, std::nullopt);
    }
  }
  if (changed) notifier_->Notify();
  return out;
}

absl::Status GroupCoordinator::Heartbeat(absl::string_view group_id,
                                         absl::string_view member_id,
                                         int32_t generation) {
  bool changed = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group == nullptr) return UnknownMember(group_id, member_id);
    // As in Join: an expired caller is removed before it counts as polling.
    changed = CheckDeadlinesLocked(group, now);
    auto it = group->members.find(std::string(member_id));
    if (it != group->members.end()) {
      it->second.last_poll = now;
      it->second.polling = true;
    }
    if (it == group->members.end()) {
      status = MissingMemberLocked(group, group_id, member_id);
    } else if (group->state == GroupState::kPreparingRebalance) {
      status = Error(ErrorCode::kRebalanceInProgress,
                     absl::StrCat("group ", group_id, " is rebalancing"));
    } else if (it->second.generation != generation) {
      status = Error(
          ErrorCode::kIllegalGeneration,
          absl::StrCat("generation ", generation, " of group ", group_id,
                       " is not the current one (", group->generation, ")"));
    }
  }
  if (changed) notifier_->Notify();
  return status;
}

GroupMemberState* GroupCoordinator::FindMemberLocked(
    absl::string_view group_id, absl::string_view member_id) {
  Group* group = FindLocked(group_id);
  if (group == nullptr) return nullptr;
  auto it = group->members.find(std::string(member_id));
  return it == group->members.end() ? nullptr : &it->second;
}

void GroupCoordinator::EndPoll(absl::string_view group_id,
                               absl::string_view member_id) {
  absl::MutexLock lock(&mu_);
  GroupMemberState* m = FindMemberLocked(group_id, member_id);
  if (m == nullptr) return;
  m->polling = false;
  m->last_poll = clock_->Now();
}

void GroupCoordinator::Leave(absl::string_view group_id,
                             absl::string_view member_id) {
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr || !group->members.count(std::string(member_id))) {
      return;
    }
    RemoveMemberLocked(group, std::string(member_id), clock_->Now());
  }
  notifier_->Notify();
}

void GroupCoordinator::MarkUnresponsive(absl::string_view group_id,
                                        absl::string_view member_id) {
  {
    absl::MutexLock lock(&mu_);
    GroupMemberState* m = FindMemberLocked(group_id, member_id);
    if (m == nullptr) return;
    m->polling = false;
    if (!m->unresponsive_since) m->unresponsive_since = clock_->Now();
  }
  // The group's next deadline changed: waiters recompute theirs.
  notifier_->Notify();
}

void GroupCoordinator::MarkResponsive(absl::string_view group_id,
                                      absl::string_view member_id) {
  {
    absl::MutexLock lock(&mu_);
    GroupMemberState* m = FindMemberLocked(group_id, member_id);
    if (m == nullptr) return;
    // Its max.poll.interval still runs from its last poll.
    m->unresponsive_since.reset();
  }
  notifier_->Notify();
}

absl::Status GroupCoordinator::CommitOffsets(
    absl::string_view group_id, absl::string_view member_id, int32_t generation,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  bool changed = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group != nullptr) changed = CheckDeadlinesLocked(group, now);
    const GroupMemberState* m = nullptr;
    if (group != nullptr) {
      auto it = group->members.find(std::string(member_id));
      if (it != group->members.end()) m = &it->second;
    }
    // As Kafka's broker: commits with the current generation are accepted
    // while Stable and during PreparingRebalance (so a member can commit in
    // onPartitionsRevoked before it rejoins).
    if (m == nullptr && group != nullptr &&
        group->fenced.count(std::string(member_id))) {
      status = MissingMemberLocked(group, group_id, member_id);
    } else if (m == nullptr || m->generation != generation ||
               group->generation != generation ||
               (group->state != GroupState::kStable &&
                group->state != GroupState::kPreparingRebalance)) {
      status = Error(
          ErrorCode::kCommitFailed,
          absl::StrCat("commit failed: member ", member_id, " generation ",
                       generation, " is no longer part of group ", group_id,
                       "'s current generation (it was removed or the group "
                       "rebalanced, e.g. Poll was not called within "
                       "max.poll.interval.ms); its partitions may have "
                       "moved to another member"));
    } else {
      status = offsets_->Commit(group_id, offsets, now);
    }
  }
  if (changed) notifier_->Notify();
  return status;
}

absl::Status GroupCoordinator::CommitOutsideGroup(
    absl::string_view group_id,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  bool changed = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group != nullptr) changed = CheckDeadlinesLocked(group, now);
    if (group != nullptr && !group->members.empty()) {
      status = Error(
          ErrorCode::kCommitFailed,
          absl::StrCat("commit failed: group ", group_id, " has ",
                       group->members.size(),
                       " active member(s); a consumer that is not a member "
                       "(one using Assign) can commit its offsets only while "
                       "the group is empty"));
    } else {
      status = offsets_->Commit(group_id, offsets, now);
    }
  }
  if (changed) notifier_->Notify();
  return status;
}

absl::Time GroupCoordinator::NextDeadline(absl::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  if (group == nullptr) return absl::InfiniteFuture();
  absl::Time next = absl::InfiniteFuture();
  if (group->state == GroupState::kPreparingRebalance) {
    next = group->rebalance_deadline;
  }
  for (const auto& [id, m] : group->members) {
    if (m.unresponsive_since) {
      next = std::min(next, *m.unresponsive_since + m.session_timeout);
    } else if (!m.polling) {
      next = std::min(next, m.last_poll + m.max_poll_interval);
    }
  }
  return next;
}

void GroupCoordinator::CheckDeadlines(absl::string_view group_id) {
  bool changed = false;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group != nullptr) changed = CheckDeadlinesLocked(group, clock_->Now());
  }
  if (changed) notifier_->Notify();
}

std::optional<GroupDescription> GroupCoordinator::Describe(
    absl::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  if (group == nullptr) return std::nullopt;
  GroupDescription d;
  d.state = group->state;
  d.generation = group->generation;
  d.protocol = group->protocol;
  d.leader = group->leader;
  for (const auto& [id, m] : group->members) {
    d.members[id] = m.assignment;
    if (m.result || !m.result_error.ok()) ++d.uncollected;
  }
  return d;
}

bool GroupCoordinator::CheckDeadlinesLocked(Group* group, absl::Time now) {
  bool changed = false;
  // session.timeout.ms: a member that stopped heartbeating is removed.
  // max.poll.interval.ms: a live member that stopped polling is removed (a
  // member that stopped heartbeating cannot leave on its own: only the
  // session timeout removes it).
  std::vector<std::string> expired;
  for (const auto& [id, m] : group->members) {
    if (m.unresponsive_since
            ? now >= *m.unresponsive_since + m.session_timeout
            : !m.polling && now >= m.last_poll + m.max_poll_interval) {
      expired.push_back(id);
    }
  }
  for (const std::string& id : expired) {
    RemoveMemberLocked(group, id, now);
    changed = true;
  }
  // The rebalance timeout: complete without the members that did not rejoin.
  if (group->state == GroupState::kPreparingRebalance &&
      now >= group->rebalance_deadline) {
    std::vector<std::string> late;
    for (const auto& [id, m] : group->members) {
      if (!m.joined) late.push_back(id);
    }
    for (const std::string& id : late) group->members.erase(id);
    if (!group->members.count(group->leader)) group->leader.clear();
    changed = true;
    if (!MaybeCompleteLocked(group) && group->members.empty()) {
      group->state = GroupState::kEmpty;
      ++group->generation;
      SaveSnapshotLocked(*group);
    }
  }
  return changed;
}

void GroupCoordinator::RemoveMemberLocked(Group* group,
                                          const std::string& member_id,
                                          absl::Time now) {
  group->members.erase(member_id);
  if (group->leader == member_id) {
    group->leader = group->members.empty() ? "" : group->members.begin()->first;
  }
  if (group->members.empty()) {
    // Kafka bumps the generation when a group empties, so a zombie's later
    // commit fails.
    group->state = GroupState::kEmpty;
    ++group->generation;
    group->rebalance_deadline = absl::InfiniteFuture();
    SaveSnapshotLocked(*group);
    return;
  }
  if (group->state == GroupState::kPreparingRebalance) {
    MaybeCompleteLocked(group);  // The leaver may have been the last one.
  } else {
    StartRebalanceLocked(group, now);
  }
}

void GroupCoordinator::StartRebalanceLocked(Group* group, absl::Time now) {
  group->state = GroupState::kPreparingRebalance;
  // The rebalance timeout is the largest max.poll.interval.ms of the
  // members, as in Kafka's JoinGroup.
  absl::Duration timeout = absl::ZeroDuration();
  for (auto& [id, m] : group->members) {
    m.joined = false;
    timeout = std::max(timeout, m.max_poll_interval);
  }
  group->rebalance_deadline = now + timeout;
}

bool GroupCoordinator::MaybeCompleteLocked(Group* group) {
  if (group->state != GroupState::kPreparingRebalance ||
      group->members.empty()) {
    return false;
  }
  for (const auto& [id, m] : group->members) {
    if (!m.joined) return false;
  }
  CompleteRebalanceLocked(group);
  return true;
}

void GroupCoordinator::CompleteRebalanceLocked(Group* group) {
  // Join and sync in one step: the coordinator runs the leader's assignor
  // itself, so CompletingRebalance lasts only this critical section.
  group->state = GroupState::kCompletingRebalance;
  ++group->generation;
  if (!group->members.count(group->leader)) {
    group->leader = group->members.begin()->first;
  }
  group->protocol = SelectProtocol(*group);
  GroupSubscription input;
  for (const auto& [id, m] : group->members) {
    GroupMember gm;
    gm.member_id = id;
    if (!m.group_instance_id.empty())
      gm.group_instance_id = m.group_instance_id;
    gm.topics = m.topics;
    gm.owned_partitions = m.owned;
    gm.generation = m.owned_generation;
    for (const std::string& topic : m.topics) {
      if (input.partitions_per_topic.count(topic)) continue;
      std::shared_ptr<Topic> t = topics_->Find(topic);
      if (t != nullptr) input.partitions_per_topic[topic] = t->num_partitions();
    }
    input.members.push_back(std::move(gm));
  }
  absl::StatusOr<GroupAssignment> assignment =
      absl::InternalError("no assignor");
  std::shared_ptr<Assignor> assignor = AssignorByName(group->protocol);
  if (assignor != nullptr) {
    assignment = assignor->Assign(input);
    if (assignment.ok()) {
      const std::vector<RebalanceProtocol> protocols =
          assignor->supported_protocols();
      const bool cooperative =
          std::find(protocols.begin(), protocols.end(),
                    RebalanceProtocol::kCooperative) != protocols.end();
      absl::Status valid = CheckAssignment(input, *assignment, cooperative);
      if (!valid.ok()) assignment = valid;
    }
  } else {
    assignment = Error(
        ErrorCode::kInconsistentGroupProtocol,
        absl::StrCat("unknown assignor '", group->protocol, "' in group"));
  }
  for (auto& [id, m] : group->members) {
    m.joined = false;
    m.generation = group->generation;
    if (!assignment.ok()) {
      m.assignment.clear();
      m.result_error = assignment.status();
      continue;
    }
    m.assignment = (*assignment)[id];
    m.result = JoinResult{group->generation, group->protocol, group->leader,
                          m.assignment};
  }
  group->rebalance_deadline = absl::InfiniteFuture();
  group->state = GroupState::kStable;
  SaveSnapshotLocked(*group);
}

// Administration -----------------------------------------------------------

std::vector<std::string> GroupCoordinator::AdminGroupIds() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  ids.reserve(groups_.size());
  for (const auto& [id, group] : groups_) ids.push_back(id);
  return ids;
}

std::optional<Group> GroupCoordinator::AdminSnapshot(
    absl::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  if (group == nullptr) return std::nullopt;
  return *group;
}

absl::Status GroupCoordinator::WhileGroupEmpty(
    absl::string_view group_id, absl::string_view what,
    absl::FunctionRef<absl::Status()> write) {
  bool changed = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group != nullptr) changed = CheckDeadlinesLocked(group, clock_->Now());
    if (group != nullptr && !group->members.empty()) {
      status = Error(ErrorCode::kNonEmptyGroup,
                     absl::StrCat("cannot ", what, " of group ", group_id,
                                  ": it has ", group->members.size(),
                                  " active member(s); stop its consumers "
                                  "first"));
    } else {
      status = write();
    }
  }
  if (changed) notifier_->Notify();
  return status;
}

}  // namespace brook
