// Rebalance callbacks for consumers that Subscribe to topics in a group
// (Kafka's ConsumerRebalanceListener), and the group metadata a consumer
// reports.
#ifndef BROOK_REBALANCE_LISTENER_H_
#define BROOK_REBALANCE_LISTENER_H_

#include <cstdint>
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
class ConsumerRebalanceListener {
 public:
  virtual ~ConsumerRebalanceListener() = default;

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
