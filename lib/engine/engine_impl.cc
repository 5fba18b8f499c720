// Engine::Open and the Engine handle over the shared core.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "admin/admin_impl.h"
#include "brook/engine.h"
#include "consumer/consumer_impl.h"
#include "core/core.h"
#include "engine/engine_testing.h"
#include "producer/producer_impl.h"
#include "storage/store.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// Thread-safe.
class EngineImpl : public Engine {
 public:
  explicit EngineImpl(std::shared_ptr<EngineCore> core)
      : core_(std::move(core)),
        topic_admin_(&core_->catalog(), &core_->topics(), &core_->store(),
                     core_->cleaner()),
        group_admin_(&core_->coordinator(), &core_->offsets(),
                     &core_->snapshots(), &core_->topics(), &core_->store(),
                     core_->clock()),
        admin_(&core_->closed_flag(), &topic_admin_, &group_admin_) {}

  absl::StatusOr<std::unique_ptr<Producer>> CreateProducer(
      const ProducerOptions& options) override {
    if (core_->options().read_only) return ReadOnlyError();
    ProducerOptions o = options;
    if (o.client_id.empty()) {
      o.client_id = absl::StrCat("producer-", core_->NextProducerNumber());
    }
    return ProducerImpl::Create(
        ProducerImpl::EngineParts{core_, &core_->closed_flag(),
                                  core_->clock(), &core_->appender(),
                                  &core_->catalog()},
        o);
  }

  absl::StatusOr<std::unique_ptr<Consumer>> CreateConsumer(
      const ConsumerOptions& options) override {
    ConsumerOptions o = options;
    if (o.client_id.empty()) {
      // ConsumerConfig's default, "null" for a missing group.id included.
      o.client_id = absl::StrCat(
          "consumer-", o.group_id.empty() ? "null" : o.group_id, "-",
          o.group_instance_id.empty()
              ? absl::StrCat(core_->NextConsumerNumber())
              : o.group_instance_id);
    }
    return ConsumerImpl::Create(
        ConsumerImpl::EngineParts{
            core_, &core_->closed_flag(), core_->clock(), &core_->store(),
            core_->cleaner(), &core_->catalog(), &core_->topics(),
            &core_->notifier(), &core_->coordinator(), &core_->offsets()},
        o);
  }

  Admin& admin() override { return admin_; }

  const std::vector<LostRecords>& lost_records() const override {
    return core_->lost_records();
  }

  absl::Status Close() override { return core_->Close(); }

 private:
  const std::shared_ptr<EngineCore> core_;
  TopicAdmin topic_admin_;
  GroupAdmin group_admin_;
  AdminImpl admin_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(
    const EngineOptions& options, absl::string_view dir) {
  return OpenEngineWithEnv(options, dir, nullptr);
}

absl::StatusOr<std::unique_ptr<Engine>> OpenEngineWithEnv(
    const EngineOptions& options, absl::string_view dir, rocksdb::Env* env) {
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<EngineCore> core,
                         EngineCore::Open(options, std::string(dir), env));
  return std::unique_ptr<Engine>(new EngineImpl(std::move(core)));
}

}  // namespace brook
