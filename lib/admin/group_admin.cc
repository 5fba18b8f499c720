#include "admin/group_admin.h"

#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/offset_for_time.h"
#include "util/offset_reset.h"
#include "util/status_macros.h"

namespace brook {

absl::StatusOr<std::optional<ConsumerGroupDescription>> GroupAdmin::FindGroup(
    absl::string_view group) {
  if (store_->read_only()) {
    // Snapshots describe the members of the process holding the directory;
    // without a holder they are a gone process's (a writing open clears
    // them, a read-only one must not write).
    if (!store_->HolderPresent()) {
      return std::optional<ConsumerGroupDescription>();
    }
    return snapshots_->Load(group);
  }
  coordinator_->CheckDeadlines(group);
  return coordinator_->Describe(group);
}

absl::StatusOr<std::vector<std::string>> GroupAdmin::ListGroups() {
  // As Kafka's ListGroups: groups with members, and Empty groups that still
  // have committed offsets. A group whose members all left and that has no
  // offsets is gone (Kafka removes it as Dead).
  std::set<std::string> ids;
  if (store_->read_only()) {
    // The groups live in the process that holds the directory: read the
    // membership snapshots it keeps.
    BROOK_ASSIGN_OR_RETURN(std::vector<std::string> snapshot_ids,
                           snapshots_->List());
    for (const std::string& id : snapshot_ids) {
      BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                             FindGroup(id));
      if (g && !g->members.empty()) ids.insert(id);
    }
  } else {
    for (const std::string& id : coordinator_->GroupIds()) {
      BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                             FindGroup(id));
      if (g && !g->members.empty()) ids.insert(id);
    }
  }
  BROOK_ASSIGN_OR_RETURN(std::vector<std::string> with_offsets,
                         offsets_->ListGroups());
  ids.insert(with_offsets.begin(), with_offsets.end());
  return std::vector<std::string>(ids.begin(), ids.end());
}

absl::StatusOr<ConsumerGroupDescription> GroupAdmin::DescribeGroup(
    absl::string_view group) {
  BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                         FindGroup(group));
  if (g && !g->members.empty()) {
    g->group_id = std::string(group);
    return *std::move(g);
  }
  ConsumerGroupDescription d;
  d.group_id = std::string(group);
  BROOK_ASSIGN_OR_RETURN(auto offsets, offsets_->FetchAll(group));
  if (!offsets.empty()) {
    d.state = ConsumerGroupState::kEmpty;
    d.protocol_type = "consumer";
    if (g) d.generation = g->generation;
  }
  return d;
}

absl::StatusOr<std::vector<GroupPartitionOffset>> GroupAdmin::ListGroupOffsets(
    absl::string_view group) {
  BROOK_ASSIGN_OR_RETURN(auto offsets, offsets_->FetchAll(group));
  std::vector<GroupPartitionOffset> out;
  for (const auto& [tp, o] : offsets) {
    GroupPartitionOffset p;
    p.partition = tp;
    p.committed_offset = o.offset;
    p.metadata = o.metadata;
    std::shared_ptr<Topic> topic = topics_->Find(tp.topic);
    if (topic != nullptr && tp.partition >= 0 &&
        tp.partition < topic->num_partitions()) {
      p.log_end_offset = topic->partition(tp.partition)
                             .high_watermark.load(std::memory_order_acquire);
      // Unclamped, as Kafka's tool: a committed offset past the log end
      // (a manual commit, or records lost to damage) shows negative lag.
      p.lag = p.log_end_offset - p.committed_offset;
    }
    out.push_back(std::move(p));
  }
  return out;
}

absl::Status GroupAdmin::CheckNoActiveMembers(absl::string_view group,
                                             absl::string_view what) {
  BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                         FindGroup(group));
  if (g && !g->members.empty()) {
    return Error(ErrorCode::kNonEmptyGroup,
                 absl::StrCat("cannot ", what, " of group ", group, ": it has ",
                              g->members.size(),
                              " active member(s); stop its consumers first"));
  }
  return absl::OkStatus();
}

absl::Status GroupAdmin::DeleteGroup(absl::string_view group) {
  // Under the coordinator's lock, so no member joins while offsets go.
  return coordinator_->WhileGroupEmpty(group, "delete the offsets", [&] {
    return offsets_->DeleteGroup(group);
  });
}

absl::StatusOr<std::vector<OffsetResetPlanEntry>> GroupAdmin::ResetOffsets(
    absl::string_view group, absl::string_view topic_name,
    const OffsetResetSpec& spec, bool dry_run) {
  BROOK_RETURN_IF_ERROR(CheckNoActiveMembers(group, "reset the offsets"));
  std::shared_ptr<Topic> topic = topics_->Find(topic_name);
  if (topic == nullptr) return UnknownTopic(topic_name);
  std::vector<TopicPartition> partitions;
  for (int32_t p = 0; p < topic->num_partitions(); ++p) {
    partitions.emplace_back(topic->name(), p);
  }
  BROOK_ASSIGN_OR_RETURN(auto committed,
                         offsets_->Fetch(group, partitions));
  std::vector<OffsetResetPlanEntry> plan;
  std::map<TopicPartition, OffsetAndMetadata> writes;
  for (const TopicPartition& tp : partitions) {
    const PartitionState& s = topic->partition(tp.partition);
    const int64_t start = s.log_start.load(std::memory_order_acquire);
    const int64_t end = s.high_watermark.load(std::memory_order_acquire);
    OffsetResetPlanEntry e;
    e.partition = tp;
    auto it = committed.find(tp);
    if (it != committed.end()) e.old_offset = it->second.offset;
    std::optional<int64_t> by_time;
    if (spec.kind == OffsetResetSpec::Kind::kTimestamp) {
      BROOK_ASSIGN_OR_RETURN(
          std::optional<TimestampedOffset> found,
          FindOffsetForTime(*store_, *topic, tp.partition, start, end,
                            absl::ToUnixMillis(spec.timestamp)));
      if (found) by_time = found->offset;
    }
    BROOK_ASSIGN_OR_RETURN(e.new_offset,
                           OffsetResetTarget(spec, group, tp, e.old_offset,
                                             start, end, by_time));
    writes[tp] = OffsetAndMetadata{e.new_offset};
    plan.push_back(std::move(e));
  }
  if (!dry_run) {
    BROOK_RETURN_IF_ERROR(
        coordinator_->WhileGroupEmpty(group, "reset the offsets", [&] {
          return offsets_->Commit(group, writes, clock_->Now());
        }));
  }
  return plan;
}

}  // namespace brook
