// KafkaProducer: the Producer of the Kafka backend, over one librdkafka
// producer handle. Records are handed to rd_kafka_produceva; their delivery
// reports arrive as events on the handle's main queue, which one poller
// thread serves, so send callbacks run on that one backend thread (as the
// embedded engine's run on its appender thread). What librdkafka does not do
// as Kafka's Java producer does is emulated here (SCALE-OUT.md §1.1):
// max.block.ms (a wait while librdkafka's queue is full), the fast
// UnknownTopicOrPartition at Send (a cached metadata lookup), Kafka's size
// checks, custom partitioners and sticky partitioning for them.
#ifndef BROOK_LIB_KAFKA_KAFKA_PRODUCER_H_
#define BROOK_LIB_KAFKA_KAFKA_PRODUCER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "brook/options.h"
#include "brook/partitioner.h"
#include "brook/producer.h"
#include "kafka/kafka_metadata.h"

namespace brook {

// Thread-safe. Owns its librdkafka handle; independent of the client that
// created it.
class KafkaProducer : public Producer {
 public:
  // `client`: the client's base properties. REQUIRES: options.client_id set.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const Properties& client, const ProducerOptions& options);
  ~KafkaProducer() override;

  SendFuture Send(ProducerRecord record, SendCallback callback) override;
  absl::Status Flush() override;
  absl::StatusOr<int32_t> PartitionsFor(absl::string_view topic) override;
  absl::Status Close(absl::Duration timeout) override;

 private:
  struct Shared;

  KafkaProducer(std::shared_ptr<Shared> shared, ProducerOptions options,
                absl::Duration metadata_max_age);

  struct TopicInfo {
    int32_t partitions;
    std::shared_ptr<const std::string> name;  // Shared by its records.
  };
  // The partition count of `topic`, from the cache while younger than
  // metadata.max.age.ms at `now`, else from the cluster (waiting until
  // `deadline`).
  absl::StatusOr<TopicInfo> PartitionCount(const std::string& topic,
                                           absl::Time now,
                                           absl::Time deadline);
  // The partition for a record the producer partitions itself (custom
  // partitioner or partitioner.ignore.keys), or RD_KAFKA_PARTITION_UA for
  // librdkafka's murmur2_random. IllegalState for a partitioner's bad pick.
  absl::StatusOr<int32_t> ChoosePartition(const ProducerRecord& record,
                                          int32_t num_partitions,
                                          size_t record_size)
      ABSL_LOCKS_EXCLUDED(sticky_mu_);
  // Waits until every record sent so far completed and its callback
  // returned, or `deadline`; false at the deadline.
  bool AwaitNothingPending(absl::Time deadline);

  // Constant after construction.
  const std::shared_ptr<Shared> shared_;
  const ProducerOptions options_;
  const absl::Duration metadata_max_age_;
  std::thread poller_;

  std::atomic<bool> closed_{false};

  absl::Mutex close_mu_;
  bool close_done_ ABSL_GUARDED_BY(close_mu_) = false;

  // Sticky partitioning for records whose partitioner answers kUseSticky
  // (or ignores keys): Kafka's built-in sticky partitioner fills batch.size
  // bytes of one partition, then moves to another.
  struct Sticky {
    int32_t partition = -1;
    int64_t bytes = 0;
  };
  absl::Mutex sticky_mu_;
  absl::flat_hash_map<std::string, Sticky> sticky_ ABSL_GUARDED_BY(sticky_mu_);
  absl::BitGen bitgen_ ABSL_GUARDED_BY(sticky_mu_);
};

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_PRODUCER_H_
