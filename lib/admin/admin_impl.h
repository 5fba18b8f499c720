// AdminImpl: topic and group administration over the engine core.
#ifndef BROOK_LIB_ADMIN_ADMIN_IMPL_H_
#define BROOK_LIB_ADMIN_ADMIN_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "brook/admin.h"
#include "core/core.h"

namespace brook {

// Thread-safe.
class AdminImpl : public Admin {
 public:
  explicit AdminImpl(std::shared_ptr<EngineCore> core)
      : core_(std::move(core)) {}

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
  // NonEmptyGroup when `group` has members (after the coordinator's
  // deadline checks, so members past max.poll.interval do not count).
  absl::Status CheckNoActiveMembers(absl::string_view group,
                                    absl::string_view what);
  // The group as the coordinator holds it (after its deadline checks), or,
  // read-only, as the holding process's snapshot describes it.
  absl::StatusOr<std::optional<ConsumerGroupDescription>> FindGroup(
      absl::string_view group);

  const std::shared_ptr<EngineCore> core_;
};

}  // namespace brook

#endif  // BROOK_LIB_ADMIN_ADMIN_IMPL_H_
