#include "brook/partitioner.h"

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace brook {

// Kafka's org.apache.kafka.common.utils.Utils.murmur2: 32-bit MurmurHash2
// with seed 0x9747b28c, reading 4 bytes little-endian at a time, bytes as
// unsigned values. Computed in uint32_t, which matches Java's wrapping ints.
int32_t Murmur2(absl::string_view data) {
  const uint32_t length = static_cast<uint32_t>(data.size());
  const uint32_t seed = 0x9747b28c;
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());

  uint32_t h = seed ^ length;
  const uint32_t length4 = length / 4;
  for (uint32_t i = 0; i < length4; ++i) {
    const uint32_t i4 = i * 4;
    uint32_t k = static_cast<uint32_t>(bytes[i4]) |
                 (static_cast<uint32_t>(bytes[i4 + 1]) << 8) |
                 (static_cast<uint32_t>(bytes[i4 + 2]) << 16) |
                 (static_cast<uint32_t>(bytes[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3:
      h ^= static_cast<uint32_t>(bytes[tail + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(bytes[tail + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(bytes[tail]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t PartitionForKey(absl::string_view key, int32_t num_partitions) {
  // Kafka's Utils.toPositive: clear the sign bit (not Math.abs).
  const int32_t positive = Murmur2(key) & 0x7fffffff;
  return positive % num_partitions;
}

namespace {

class DefaultPartitioner : public Partitioner {
 public:
  int32_t Partition(absl::string_view, const Bytes& key, const Bytes&,
                    int32_t num_partitions) override {
    if (!key) return kUseSticky;
    return PartitionForKey(*key, num_partitions);
  }
};

// As Kafka's RoundRobinPartitioner: a counter per topic, keys ignored.
class RoundRobinPartitioner : public Partitioner {
 public:
  int32_t Partition(absl::string_view topic, const Bytes&, const Bytes&,
                    int32_t num_partitions) override {
    absl::MutexLock lock(&mu_);
    uint32_t next = counters_[topic]++;
    return static_cast<int32_t>((next & 0x7fffffff) %
                                static_cast<uint32_t>(num_partitions));
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint32_t> counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::shared_ptr<Partitioner> NewDefaultPartitioner() {
  return std::make_shared<DefaultPartitioner>();
}

std::shared_ptr<Partitioner> NewRoundRobinPartitioner() {
  return std::make_shared<RoundRobinPartitioner>();
}

}  // namespace brook
