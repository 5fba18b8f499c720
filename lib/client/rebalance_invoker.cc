#include "client/rebalance_invoker.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/log.h"
#include "util/logging.h"

namespace brook {

ListenerRef::ListenerRef(ConsumerRebalanceListener* listener)
    : raw(listener),
      alive(listener != nullptr ? listener->liveness() : nullptr) {}

ListenerRef::ListenerRef(std::shared_ptr<ConsumerRebalanceListener> listener)
    : ListenerRef(listener.get()) {
  owner = std::move(listener);
}

ConsumerRebalanceListener* RebalanceInvoker::LiveListener() const {
  if (listener_.raw == nullptr) return nullptr;
  if (listener_.alive->load(std::memory_order_acquire)) return listener_.raw;
  const std::string message = absl::StrCat(
      "consumer ", client_id_,
      ": the rebalance listener given to Subscribe was destroyed while the "
      "consumer still needed it; it was not called. Keep it alive until the "
      "consumer is closed, or pass it as a std::shared_ptr");
#ifndef NDEBUG
  Log(LogLevel::kError, message);
  std::abort();
#else
  Log(LogLevel::kError, message);
  return nullptr;
#endif
}

void RebalanceInvoker::Revoked(const std::vector<TopicPartition>& partitions) {
  if (ConsumerRebalanceListener* l = LiveListener()) {
    l->OnPartitionsRevoked(partitions);
  }
}

void RebalanceInvoker::Assigned(const std::vector<TopicPartition>& partitions) {
  if (ConsumerRebalanceListener* l = LiveListener()) {
    l->OnPartitionsAssigned(partitions);
  }
}

void RebalanceInvoker::Lost(const std::vector<TopicPartition>& partitions) {
  if (ConsumerRebalanceListener* l = LiveListener()) {
    l->OnPartitionsLost(partitions);
  }
}

}  // namespace brook
