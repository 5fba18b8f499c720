#include "admin/admin_impl.h"

#include "util/status_macros.h"

namespace brook {

absl::Status AdminImpl::CreateTopic(absl::string_view name, int32_t partitions,
                                    const TopicConfig& config) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->CreateTopic(name, partitions, config);
}

absl::Status AdminImpl::CreateTopic(absl::string_view name, int32_t partitions,
                                    const Properties& config) {
  BROOK_ASSIGN_OR_RETURN(TopicConfig parsed,
                         TopicConfig::FromProperties(config));
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->CreateTopic(name, partitions, parsed);
}

std::vector<absl::Status> AdminImpl::CreateTopics(
    const std::vector<NewTopic>& topics) {
  if (closed_->closed()) {
    return std::vector<absl::Status>(topics.size(), ClosedFlag::Error());
  }
  return topics_->CreateTopics(topics);
}

absl::Status AdminImpl::DeleteTopic(absl::string_view name) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->DeleteTopic(name);
}

absl::StatusOr<std::vector<std::string>> AdminImpl::ListTopics() {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->ListTopics();
}

absl::StatusOr<TopicDescription> AdminImpl::DescribeTopic(
    absl::string_view name) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->DescribeTopic(name);
}

absl::Status AdminImpl::CreatePartitions(absl::string_view topic,
                                         int32_t total) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->CreatePartitions(topic, total);
}

absl::Status AdminImpl::IncrementalAlterConfigs(
    absl::string_view topic, const std::vector<AlterConfigOp>& ops) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->IncrementalAlterConfigs(topic, ops);
}

absl::StatusOr<std::vector<ConfigEntry>> AdminImpl::DescribeConfigs(
    absl::string_view topic) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->DescribeConfigs(topic);
}

absl::StatusOr<std::vector<CleanedPartition>> AdminImpl::CleanTopics(
    const std::vector<std::string>& topics) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->CleanTopics(topics);
}

absl::StatusOr<std::map<TopicPartition, int64_t>> AdminImpl::DeleteRecords(
    const std::map<TopicPartition, int64_t>& before) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->DeleteRecords(before);
}

absl::StatusOr<std::vector<std::string>> AdminImpl::ListGroups() {
  if (closed_->closed()) return ClosedFlag::Error();
  return groups_->ListGroups();
}

absl::StatusOr<ConsumerGroupDescription> AdminImpl::DescribeGroup(
    absl::string_view group) {
  if (closed_->closed()) return ClosedFlag::Error();
  return groups_->DescribeGroup(group);
}

absl::StatusOr<std::vector<GroupPartitionOffset>> AdminImpl::ListGroupOffsets(
    absl::string_view group) {
  if (closed_->closed()) return ClosedFlag::Error();
  return groups_->ListGroupOffsets(group);
}

absl::Status AdminImpl::DeleteGroup(absl::string_view group) {
  if (closed_->closed()) return ClosedFlag::Error();
  return groups_->DeleteGroup(group);
}

absl::StatusOr<std::vector<OffsetResetPlanEntry>> AdminImpl::ResetOffsets(
    absl::string_view group, absl::string_view topic,
    const OffsetResetSpec& spec, bool dry_run) {
  if (closed_->closed()) return ClosedFlag::Error();
  return groups_->ResetOffsets(group, topic, spec, dry_run);
}

}  // namespace brook
