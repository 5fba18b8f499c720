// AdminImpl: topic administration over the engine core.
#ifndef BROOK_LIB_ADMIN_ADMIN_IMPL_H_
#define BROOK_LIB_ADMIN_ADMIN_IMPL_H_

#include <memory>

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
  absl::Status DeleteTopic(absl::string_view name) override;
  absl::StatusOr<std::vector<std::string>> ListTopics() override;
  absl::StatusOr<TopicDescription> DescribeTopic(
      absl::string_view name) override;

 private:
  const std::shared_ptr<EngineCore> core_;
};

}  // namespace brook

#endif  // BROOK_LIB_ADMIN_ADMIN_IMPL_H_
