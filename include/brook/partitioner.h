// Partitioning: which partition a record without an explicit partition goes
// to. The default matches Kafka's Java client bit for bit, so keys land where
// a Kafka cluster would put them.
#ifndef BROOK_PARTITIONER_H_
#define BROOK_PARTITIONER_H_

#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"
#include "brook/record.h"

namespace brook {

// Kafka's Utils.murmur2 (seed 0x9747b28c) over the bytes of `data`.
int32_t Murmur2(absl::string_view data);

// Kafka's default keyed partitioner: (murmur2(key) & 0x7fffffff) % partitions.
// REQUIRES: num_partitions > 0.
int32_t PartitionForKey(absl::string_view key, int32_t num_partitions);

// Chooses a partition for records sent without one. Implementations must be
// thread-safe: any thread that calls Producer::Send may call them.
class Partitioner {
 public:
  // Returned by Partition() to let the producer use its built-in sticky
  // partitioning (fill a batch for one partition, then move on).
  static constexpr int32_t kUseSticky = -1;

  virtual ~Partitioner() = default;

  // Returns a partition in [0, num_partitions), or kUseSticky.
  virtual int32_t Partition(absl::string_view topic, const Bytes& key,
                            const Bytes& value, int32_t num_partitions) = 0;
};

// murmur2 for non-null keys, sticky for null keys (Kafka's default).
std::shared_ptr<Partitioner> NewDefaultPartitioner();

// Every record to the next partition in turn, keys ignored (Kafka's
// RoundRobinPartitioner).
std::shared_ptr<Partitioner> NewRoundRobinPartitioner();

}  // namespace brook

#endif  // BROOK_PARTITIONER_H_
