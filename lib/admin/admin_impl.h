// AdminImpl: the Admin behind Engine::admin(): checks that the engine is
// open and hands each call to the topic or the group administration.
#ifndef BROOK_LIB_ADMIN_ADMIN_IMPL_H_
#define BROOK_LIB_ADMIN_ADMIN_IMPL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "admin/group_admin.h"
#include "admin/topic_admin.h"
#include "brook/admin.h"
#include "core/closed_flag.h"

namespace brook {

// Thread-safe. Borrows what it is given; all of it must outlive it (the
// Engine handle owns both).
class AdminImpl : public Admin {
 public:
  AdminImpl(const ClosedFlag* closed, TopicAdmin* topics, GroupAdmin* groups)
      : closed_(closed), topics_(topics), groups_(groups) {}

  absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                           const TopicConfig& config) override;
  absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                           const Properties& config) override;
  std::vector<absl::Status> CreateTopics(
      const std::vector<NewTopic>& topics) override;
  absl::Status DeleteTopic(absl::string_view name) override;
  absl::StatusOr<std::vector<std::string>> ListTopics() override;
  absl::StatusOr<TopicDescription> DescribeTopic(
      absl::string_view name) override;
  absl::Status CreatePartitions(absl::string_view topic,
                                int32_t total) override;
  absl::Status IncrementalAlterConfigs(
      absl::string_view topic, const std::vector<AlterConfigOp>& ops) override;
  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      absl::string_view topic) override;
  absl::StatusOr<std::vector<CleanedPartition>> CleanTopics(
      const std::vector<std::string>& topics) override;
  absl::StatusOr<std::map<TopicPartition, int64_t>> DeleteRecords(
      const std::map<TopicPartition, int64_t>& before) override;
  absl::StatusOr<std::vector<std::string>> ListGroups() override;
  absl::StatusOr<ConsumerGroupDescription> DescribeGroup(
      absl::string_view group) override;
  absl::StatusOr<std::vector<GroupPartitionOffset>> ListGroupOffsets(
      absl::string_view group) override;
  absl::Status DeleteGroup(absl::string_view group) override;
  absl::StatusOr<std::vector<OffsetResetPlanEntry>> ResetOffsets(
      absl::string_view group, absl::string_view topic,
      const OffsetResetSpec& spec, bool dry_run) override;

 private:
  const ClosedFlag* const closed_;
  TopicAdmin* const topics_;
  GroupAdmin* const groups_;
};

}  // namespace brook

#endif  // BROOK_LIB_ADMIN_ADMIN_IMPL_H_
