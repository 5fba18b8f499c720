#include "group/coordinator.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {
namespace {

absl::Status UnknownGroupMember(absl::string_view group_id,
                                absl::string_view member_id) {
  return Error(ErrorCode::kUnknownMemberId,
               absl::StrCat("member ", member_id, " is not in group ", group_id,
                            " (removed or left); rejoin"));
}

}  // namespace

GroupCoordinator::GroupCoordinator(Clock* clock, TopicRegistry* topics,
                                   OffsetStore* offsets,
                                   GroupSnapshots* snapshots,
                                   DataNotifier* notifier)
    : clock_(clock),
      topics_(topics),
      offsets_(offsets),
      snapshots_(snapshots),
      notifier_(notifier) {}

Group* GroupCoordinator::FindLocked(absl::string_view group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

bool GroupCoordinator::ApplyEffectsLocked(Group* group) {
  const GroupEffects effects = group->TakeEffects();
  if (effects.snapshot) {
    // Best effort (see the declaration).
    snapshots_->Save(group->id(), group->Describe()).IgnoreError();
  }
  return effects.wake;
}

absl::StatusOr<std::string> GroupCoordinator::Join(const JoinRequest& request) {
  bool wake = false;
  absl::StatusOr<std::string> member_id;
  {
    absl::MutexLock lock(&mu_);
    auto it = groups_.find(request.group_id);
    if (it == groups_.end()) {
      TopicRegistry* topics = topics_;
      it = groups_
               .emplace(request.group_id,
                        Group(request.group_id,
                              [topics](const std::string& topic)
                                  -> std::optional<int32_t> {
                                std::shared_ptr<Topic> t = topics->Find(topic);
                                if (t == nullptr) return std::nullopt;
                                return t->num_partitions();
                              }))
               .first;
    }
    Group& group = it->second;
    member_id = group.Join(request, clock_->Now(), &next_member_number_);
    wake = ApplyEffectsLocked(&group);
  }
  if (wake) notifier_->Notify();
  return member_id;
}

absl::StatusOr<std::optional<JoinResult>> GroupCoordinator::TakeJoinResult(
    absl::string_view group_id, absl::string_view member_id) {
  bool wake = false;
  absl::StatusOr<std::optional<JoinResult>> out = std::nullopt;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return UnknownGroupMember(group_id, member_id);
    out = group->TakeJoinResult(member_id, clock_->Now());
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
  return out;
}

absl::Status GroupCoordinator::Heartbeat(absl::string_view group_id,
                                         absl::string_view member_id,
                                         int32_t generation) {
  bool wake = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return UnknownGroupMember(group_id, member_id);
    status = group->Heartbeat(member_id, generation, clock_->Now());
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
  return status;
}

void GroupCoordinator::EndPoll(absl::string_view group_id,
                               absl::string_view member_id) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  if (group == nullptr) return;
  group->EndPoll(member_id, clock_->Now());
  // Changes nothing the members wait for.
  ApplyEffectsLocked(group);
}

void GroupCoordinator::Leave(absl::string_view group_id,
                             absl::string_view member_id) {
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return;
    group->Leave(member_id, clock_->Now());
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
}

void GroupCoordinator::MarkUnresponsive(absl::string_view group_id,
                                        absl::string_view member_id) {
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return;
    group->MarkUnresponsive(member_id, clock_->Now());
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
}

void GroupCoordinator::MarkResponsive(absl::string_view group_id,
                                      absl::string_view member_id) {
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return;
    group->MarkResponsive(member_id);
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
}

absl::Status GroupCoordinator::CommitOffsets(
    absl::string_view group_id, absl::string_view member_id, int32_t generation,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  bool wake = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group == nullptr) {
      status = Group::CommitFailed(group_id, member_id, generation);
    } else {
      status = group->CheckCommit(member_id, generation, now);
      wake = ApplyEffectsLocked(group);
    }
    if (status.ok()) status = offsets_->Commit(group_id, offsets, now);
  }
  if (wake) notifier_->Notify();
  return status;
}

absl::Status GroupCoordinator::CommitOutsideGroup(
    absl::string_view group_id,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  bool wake = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    Group* group = FindLocked(group_id);
    if (group != nullptr) {
      status = group->CheckOutsideCommit(now);
      wake = ApplyEffectsLocked(group);
    }
    if (status.ok()) status = offsets_->Commit(group_id, offsets, now);
  }
  if (wake) notifier_->Notify();
  return status;
}

absl::Time GroupCoordinator::NextDeadline(absl::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  return group == nullptr ? absl::InfiniteFuture() : group->NextDeadline();
}

void GroupCoordinator::CheckDeadlines(absl::string_view group_id) {
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group == nullptr) return;
    group->CheckDeadlines(clock_->Now());
    wake = ApplyEffectsLocked(group);
  }
  if (wake) notifier_->Notify();
}

std::optional<ConsumerGroupDescription> GroupCoordinator::Describe(
    absl::string_view group_id, int32_t* uncollected) {
  absl::MutexLock lock(&mu_);
  Group* group = FindLocked(group_id);
  if (group == nullptr) return std::nullopt;
  if (uncollected != nullptr) *uncollected = group->uncollected();
  return group->Describe();
}

std::vector<std::string> GroupCoordinator::GroupIds() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  ids.reserve(groups_.size());
  for (const auto& [id, group] : groups_) ids.push_back(id);
  return ids;
}

absl::Status GroupCoordinator::WhileGroupEmpty(
    absl::string_view group_id, absl::string_view what,
    absl::FunctionRef<absl::Status()> write) {
  bool wake = false;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    Group* group = FindLocked(group_id);
    if (group != nullptr) {
      group->CheckDeadlines(clock_->Now());
      wake = ApplyEffectsLocked(group);
    }
    if (group != nullptr && !group->members().empty()) {
      status = Error(ErrorCode::kNonEmptyGroup,
                     absl::StrCat("cannot ", what, " of group ", group_id,
                                  ": it has ", group->members().size(),
                                  " active member(s); stop its consumers "
                                  "first"));
    } else {
      status = write();
    }
  }
  if (wake) notifier_->Notify();
  return status;
}

}  // namespace brook
