#include "admin/admin_impl.h"

#include "log/topic_registry.h"
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

absl::Status AdminImpl::DeleteTopic(absl::string_view name) {
  return core_->DeleteTopic(name);
}

absl::StatusOr<std::vector<std::string>> AdminImpl::ListTopics() {
  if (core_->closed()) return EngineCore::ClosedError();
  return core_->topics().List();
}

absl::StatusOr<TopicDescription> AdminImpl::DescribeTopic(
    absl::string_view name) {
  if (core_->closed()) return EngineCore::ClosedError();
  std::shared_ptr<Topic> topic = core_->topics().Find(name);
  if (topic == nullptr) return UnknownTopic(name);
  TopicDescription d;
  d.name = topic->name();
  d.config = topic->config();
  for (int32_t p = 0; p < topic->num_partitions(); ++p) {
    const PartitionState& s = topic->partition(p);
    d.partitions.push_back(
        PartitionDescription{p, s.log_start.load(std::memory_order_acquire),
                             s.high_watermark.load(std::memory_order_acquire)});
  }
  return d;
}

}  // namespace brook
