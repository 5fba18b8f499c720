#include "admin/admin_impl.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "group/group.h"
#include "log/offset_for_time.h"
#include "log/topic_registry.h"
#include "util/offset_reset.h"
#include "util/status_macros.h"

namespace brook {

absl::Status AdminImpl::CreateTopic(absl::string_view name, int32_t partitions,
                                    const TopicConfig& config) {
  return core_->CreateTopic(name, partitions, config);
}

absl::Status AdminImpl::CreateTopic(absl::string_view name, int32_t partitions,
                                    const Properties& config) {
  BROOK_ASSIGN_OR_RETURN(TopicConfig parsed,
                         TopicConfig::FromProperties(config));
  return core_->CreateTopic(name, partitions, parsed);
}

std::vector<absl::Status> AdminImpl::CreateTopics(
    const std::vector<NewTopic>& topics) {
  return core_->CreateTopics(topics);
}

absl::Status AdminImpl::DeleteTopic(absl::string_view name) {
  return core_->DeleteTopic(name);
}

absl::StatusOr<std::vector<std::string>> AdminImpl::ListTopics() {
  if (core_->closed()) return EngineCore::ClosedError();
  std::vector<std::string> names = core_->topics().List();
  for (const auto& [name, reason] : core_->topics().ListUnreadable()) {
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<TopicDescription> AdminImpl::DescribeTopic(
    absl::string_view name) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                         core_->topics().FindReadable(name));
  core_->RunDueRetention();
  TopicDescription d;
  d.name = topic->name();
  d.config = topic->config();
  for (int32_t p = 0; p < topic->num_partitions(); ++p) {
    const PartitionState& s = topic->partition(p);
    PartitionDescription pd;
    pd.partition = p;
    pd.log_start_offset = s.log_start.load(std::memory_order_acquire);
    pd.log_end_offset = s.high_watermark.load(std::memory_order_acquire);
    // Partitions that never held a record take no space (and a wide topic
    // is described without a storage call per partition).
    if (pd.log_end_offset > 0) {
      BROOK_ASSIGN_OR_RETURN(pd.size_bytes,
                             core_->store().PartitionSize(topic->cf(), p));
    }
    d.partitions.push_back(pd);
  }
  return d;
}

absl::Status AdminImpl::CreatePartitions(absl::string_view topic,
                                         int32_t total) {
  if (core_->closed()) return EngineCore::ClosedError();
  return core_->topics().AddPartitions(topic, total);
}

absl::Status AdminImpl::IncrementalAlterConfigs(
    absl::string_view topic, const std::vector<AlterConfigOp>& ops) {
  if (core_->closed()) return EngineCore::ClosedError();
  Properties set;
  std::vector<std::string> reset;
  for (const AlterConfigOp& op : ops) {
    if (op.type == AlterConfigOp::Type::kSet) {
      set[op.name] = op.value;
    } else {
      reset.push_back(op.name);
    }
  }
  return core_->topics().AlterConfig(topic, set, reset);
}

absl::StatusOr<std::vector<ConfigEntry>> AdminImpl::DescribeConfigs(
    absl::string_view name) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                         core_->topics().FindReadable(name));
  const Properties defaults = TopicConfig().ToProperties();
  std::vector<ConfigEntry> out;
  for (const auto& [key, value] : topic->config().ToProperties()) {
    auto d = defaults.find(key);
    out.push_back(
        ConfigEntry{key, value, d != defaults.end() && d->second == value});
  }
  return out;
}

absl::StatusOr<std::vector<CleanedPartition>> AdminImpl::CleanTopics(
    const std::vector<std::string>& topics) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(LogCleaner * cleaner, core_->cleaner());
  return cleaner->Clean(topics);
}

absl::StatusOr<std::map<TopicPartition, int64_t>> AdminImpl::DeleteRecords(
    const std::map<TopicPartition, int64_t>& before) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(LogCleaner * cleaner, core_->cleaner());
  // Every entry is checked before any is applied.
  std::vector<std::pair<std::shared_ptr<Topic>, const TopicPartition*>> found;
  for (const auto& [tp, offset] : before) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           core_->topics().FindReadable(tp.topic));
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
    BROOK_RETURN_IF_ERROR(
        LogCleaner::CheckDeleteOffset(*topic, tp.partition, offset));
    found.emplace_back(std::move(topic), &tp);
  }
  std::map<TopicPartition, int64_t> out;
  for (const auto& [topic, tp] : found) {
    const int64_t below = before.at(*tp);
    BROOK_ASSIGN_OR_RETURN(
        out[*tp], cleaner->DeleteRecords(*topic, tp->partition, below));
  }
  return out;
}

// --- Groups -----------------------------------------------------------------

absl::StatusOr<std::optional<ConsumerGroupDescription>> AdminImpl::FindGroup(
    absl::string_view group) {
  if (core_->store().read_only()) {
    // Snapshots describe the members of the process holding the directory;
    // without a holder they are a gone process's (a writing open clears
    // them, a read-only one must not write).
    if (!core_->store().HolderPresent()) {
      return std::optional<ConsumerGroupDescription>();
    }
    return core_->snapshots().Load(group);
  }
  core_->coordinator().CheckDeadlines(group);
  return core_->coordinator().Describe(group);
}

absl::StatusOr<std::vector<std::string>> AdminImpl::ListGroups() {
  if (core_->closed()) return EngineCore::ClosedError();
  // As Kafka's ListGroups: groups with members, and Empty groups that still
  // have committed offsets. A group whose members all left and that has no
  // offsets is gone (Kafka removes it as Dead).
  std::set<std::string> ids;
  if (core_->store().read_only()) {
    // The groups live in the process that holds the directory: read the
    // membership snapshots it keeps.
    BROOK_ASSIGN_OR_RETURN(std::vector<std::string> snapshot_ids,
                           core_->snapshots().List());
    for (const std::string& id : snapshot_ids) {
      BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                             FindGroup(id));
      if (g && !g->members.empty()) ids.insert(id);
    }
  } else {
    for (const std::string& id : core_->coordinator().GroupIds()) {
      BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                             FindGroup(id));
      if (g && !g->members.empty()) ids.insert(id);
    }
  }
  BROOK_ASSIGN_OR_RETURN(std::vector<std::string> with_offsets,
                         core_->offsets().ListGroups());
  ids.insert(with_offsets.begin(), with_offsets.end());
  return std::vector<std::string>(ids.begin(), ids.end());
}

absl::StatusOr<ConsumerGroupDescription> AdminImpl::DescribeGroup(
    absl::string_view group) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(std::optional<ConsumerGroupDescription> g,
                         FindGroup(group));
  if (g && !g->members.empty()) {
    g->group_id = std::string(group);
    return *std::move(g);
  }
  ConsumerGroupDescription d;
  d.group_id = std::string(group);
  BROOK_ASSIGN_OR_RETURN(auto offsets, core_->offsets().FetchAll(group));
  if (!offsets.empty()) {
    d.state = ConsumerGroupState::kEmpty;
    d.protocol_type = "consumer";
    if (g) d.generation = g->generation;
  }
  return d;
}

absl::StatusOr<std::vector<GroupPartitionOffset>> AdminImpl::ListGroupOffsets(
    absl::string_view group) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_ASSIGN_OR_RETURN(auto offsets, core_->offsets().FetchAll(group));
  std::vector<GroupPartitionOffset> out;
  for (const auto& [tp, o] : offsets) {
    GroupPartitionOffset p;
    p.partition = tp;
    p.committed_offset = o.offset;
    p.metadata = o.metadata;
    std::shared_ptr<Topic> topic = core_->topics().Find(tp.topic);
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

absl::Status AdminImpl::CheckNoActiveMembers(absl::string_view group,
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

absl::Status AdminImpl::DeleteGroup(absl::string_view group) {
  if (core_->closed()) return EngineCore::ClosedError();
  // Under the coordinator's lock, so no member joins while offsets go.
  return core_->coordinator().WhileGroupEmpty(group, "delete the offsets", [&] {
    return core_->offsets().DeleteGroup(group);
  });
}

absl::StatusOr<std::vector<OffsetResetPlanEntry>> AdminImpl::ResetOffsets(
    absl::string_view group, absl::string_view topic_name,
    const OffsetResetSpec& spec, bool dry_run) {
  if (core_->closed()) return EngineCore::ClosedError();
  BROOK_RETURN_IF_ERROR(CheckNoActiveMembers(group, "reset the offsets"));
  std::shared_ptr<Topic> topic = core_->topics().Find(topic_name);
  if (topic == nullptr) return UnknownTopic(topic_name);
  std::vector<TopicPartition> partitions;
  for (int32_t p = 0; p < topic->num_partitions(); ++p) {
    partitions.emplace_back(topic->name(), p);
  }
  BROOK_ASSIGN_OR_RETURN(auto committed,
                         core_->offsets().Fetch(group, partitions));
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
          FindOffsetForTime(core_->store(), *topic, tp.partition, start, end,
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
        core_->coordinator().WhileGroupEmpty(group, "reset the offsets", [&] {
          return core_->offsets().Commit(group, writes, core_->clock()->Now());
        }));
  }
  return plan;
}

}  // namespace brook
