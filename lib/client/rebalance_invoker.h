// Calls the subscription's ConsumerRebalanceListener, as Kafka's
// ConsumerRebalanceListenerInvoker: holds the listener (borrowed with its
// liveness flag, or shared) and checks before each call that a borrowed one
// still exists. A backend's group client decides when and with which
// partitions to call it (revoked before rejoining, assigned after every
// completed rebalance, lost when the member was removed).
#ifndef BROOK_LIB_CLIENT_REBALANCE_INVOKER_H_
#define BROOK_LIB_CLIENT_REBALANCE_INVOKER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "brook/rebalance_listener.h"
#include "brook/record.h"

namespace brook {

// The subscription's listener: not owned (with its liveness flag) or
// shared. A value.
struct ListenerRef {
  ListenerRef() = default;
  explicit ListenerRef(ConsumerRebalanceListener* listener);
  explicit ListenerRef(std::shared_ptr<ConsumerRebalanceListener> listener);

  ConsumerRebalanceListener* raw = nullptr;
  std::shared_ptr<const std::atomic<bool>> alive;
  std::shared_ptr<ConsumerRebalanceListener> owner;
};

// Thread-compatible (owned by one consumer). Listeners run on the caller's
// thread; the caller holds no lock.
class RebalanceInvoker {
 public:
  // `client_id` names the consumer in the error about a destroyed listener.
  explicit RebalanceInvoker(std::string client_id)
      : client_id_(std::move(client_id)) {}
  RebalanceInvoker(const RebalanceInvoker&) = delete;
  RebalanceInvoker& operator=(const RebalanceInvoker&) = delete;

  void set_listener(ListenerRef listener) { listener_ = std::move(listener); }
  void clear_listener() { listener_ = ListenerRef(); }

  // The listener to call; nullptr without one, and (after logging an error,
  // or aborting in debug builds) when it was destroyed too early.
  ConsumerRebalanceListener* LiveListener() const;

  // Each calls the live listener, if any, with `partitions` (even empty:
  // the caller decides whether an empty call is due, as Kafka's eager
  // revoke and every onPartitionsAssigned are).
  void Revoked(const std::vector<TopicPartition>& partitions);
  void Assigned(const std::vector<TopicPartition>& partitions);
  void Lost(const std::vector<TopicPartition>& partitions);

 private:
  const std::string client_id_;
  ListenerRef listener_;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_REBALANCE_INVOKER_H_
