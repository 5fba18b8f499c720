// Rebalance callbacks for consumers that Subscribe to topics in a group
// (Kafka's ConsumerRebalanceListener), and the group metadata a consumer
// reports.
#ifndef BROOK_REBALANCE_LISTENER_H_
#define BROOK_REBALANCE_LISTENER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brook/record.h"

namespace brook {

// Told when the consumer's partitions change. Every method runs on the
// consumer's own thread, from Poll (and from Close and Unsubscribe), with no
// brook lock held, so it may call the consumer (CommitSync in
// OnPartitionsRevoked is the documented way to avoid duplicates). Order, as
// in Kafka: eager protocol: OnPartitionsRevoked(everything) before the
// consumer rejoins, then OnPartitionsAssigned(the new assignment);
// cooperative protocol: OnPartitionsRevoked(only what moves away), then
// OnPartitionsAssigned(only what was added, possibly empty).
//
// Lifetime: a listener passed by pointer must outlive its consumer's
// subscription (the consumer's Close, Unsubscribe and destructor call it).
// Pass a std::shared_ptr instead to let the consumer keep it alive. A
// listener destroyed too early is never called: the consumer notices (each
// listener carries a liveness flag that its destructor clears), skips the
// call and logs an error; debug builds (without NDEBUG) abort there so the
// bug is found.
class ConsumerRebalanceListener {
 public:
  ConsumerRebalanceListener() = default;
  // A copy is a listener of its own, with its own lifetime.
  ConsumerRebalanceListener(const ConsumerRebalanceListener&) {}
  ConsumerRebalanceListener& operator=(const ConsumerRebalanceListener&) {
    return *this;
  }
  virtual ~ConsumerRebalanceListener() {
    alive_->store(false, std::memory_order_release);
  }

  // `partitions` are about to stop being owned; their positions are still
  // readable and committable.
  virtual void OnPartitionsRevoked(
      const std::vector<TopicPartition>& partitions) = 0;
  // `partitions` were added to the assignment.
  virtual void OnPartitionsAssigned(
      const std::vector<TopicPartition>& partitions) = 0;
  // `partitions` were already given away (the consumer was removed from the
  // group, e.g. for not polling within max.poll.interval.ms): committing
  // them fails. Default: OnPartitionsRevoked, as in Kafka.
  virtual void OnPartitionsLost(const std::vector<TopicPartition>& partitions) {
    OnPartitionsRevoked(partitions);
  }

  // Internal: the flag the destructor clears, for the consumer's check.
  std::shared_ptr<const std::atomic<bool>> liveness() const { return alive_; }

 private:
  std::shared_ptr<std::atomic<bool>> alive_ =
      std::make_shared<std::atomic<bool>>(true);
};

// Kafka's ConsumerGroupMetadata: who the consumer is in its group.
struct ConsumerGroupMetadata {
  std::string group_id;
  int32_t generation_id = -1;  // -1 until the first rebalance completes.
  std::string member_id;       // Empty until the consumer joined.
  std::optional<std::string> group_instance_id;
};

}  // namespace brook

#endif  // BROOK_REBALANCE_LISTENER_H_
