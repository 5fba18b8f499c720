#include "admin/topic_admin.h"

#include <algorithm>
#include <utility>

#include "brook/error.h"
#include "util/status_macros.h"

namespace brook {

absl::Status TopicAdmin::CreateTopic(absl::string_view name, int32_t partitions,
                                    const TopicConfig& config) {
  return catalog_->Create(name, partitions, config);
}

std::vector<absl::Status> TopicAdmin::CreateTopics(
    const std::vector<NewTopic>& topics) {
  return catalog_->CreateMany(topics);
}

absl::Status TopicAdmin::DeleteTopic(absl::string_view name) {
  return catalog_->Delete(name);
}

std::vector<std::string> TopicAdmin::ListTopics() {
  std::vector<std::string> names = topics_->List();
  for (const auto& [name, reason] : topics_->ListUnreadable()) {
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<TopicDescription> TopicAdmin::DescribeTopic(
    absl::string_view name) {
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                         topics_->FindReadable(name));
  if (cleaner_ != nullptr) cleaner_->RunIfDue();
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
                             store_->PartitionSize(topic->cf(), p));
    }
    d.partitions.push_back(pd);
  }
  return d;
}

absl::Status TopicAdmin::CreatePartitions(absl::string_view topic,
                                         int32_t total) {
  return topics_->AddPartitions(topic, total);
}

absl::Status TopicAdmin::IncrementalAlterConfigs(
    absl::string_view topic, const std::vector<AlterConfigOp>& ops) {
  Properties set;
  std::vector<std::string> reset;
  for (const AlterConfigOp& op : ops) {
    if (op.type == AlterConfigOp::Type::kSet) {
      set[op.name] = op.value;
    } else {
      reset.push_back(op.name);
    }
  }
  return topics_->AlterConfig(topic, set, reset);
}

absl::StatusOr<std::vector<ConfigEntry>> TopicAdmin::DescribeConfigs(
    absl::string_view name) {
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                         topics_->FindReadable(name));
  const Properties defaults = TopicConfig().ToProperties();
  std::vector<ConfigEntry> out;
  for (const auto& [key, value] : topic->config().ToProperties()) {
    auto d = defaults.find(key);
    out.push_back(
        ConfigEntry{key, value, d != defaults.end() && d->second == value});
  }
  return out;
}

absl::StatusOr<std::vector<CleanedPartition>> TopicAdmin::CleanTopics(
    const std::vector<std::string>& topics) {
  BROOK_ASSIGN_OR_RETURN(LogCleaner * cleaner, WritableCleaner());
  return cleaner->Clean(topics);
}

absl::StatusOr<std::map<TopicPartition, int64_t>> TopicAdmin::DeleteRecords(
    const std::map<TopicPartition, int64_t>& before) {
  BROOK_ASSIGN_OR_RETURN(LogCleaner * cleaner, WritableCleaner());
  // Every entry is checked before any is applied.
  std::vector<std::pair<std::shared_ptr<Topic>, const TopicPartition*>> found;
  for (const auto& [tp, offset] : before) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           topics_->FindReadable(tp.topic));
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

absl::StatusOr<LogCleaner*> TopicAdmin::WritableCleaner() {
  if (cleaner_ == nullptr) return ReadOnlyError();
  return cleaner_;
}

}  // namespace brook
