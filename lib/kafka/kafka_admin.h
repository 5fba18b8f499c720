// KafkaAdmin: the Admin of the Kafka backend, over librdkafka's admin API
// and metadata calls on one producer-type handle the client owns, created
// at the first call (SCALE-OUT.md §1.5). What the cluster does
// asynchronously is awaited so that brook's contracts hold: a created topic
// is in the metadata when CreateTopic returns, a deleted one gone.
// Emulated: IncrementalAlterConfigs (librdkafka 2.0.2 has only the
// non-incremental AlterConfigs), ResetOffsets (as kafka-consumer-groups.sh
// does it). Unsupported: CleanTopics (the broker applies retention and
// compaction itself).
#ifndef BROOK_LIB_KAFKA_KAFKA_ADMIN_H_
#define BROOK_LIB_KAFKA_KAFKA_ADMIN_H_

#include <librdkafka/rdkafka.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "brook/admin.h"
#include "kafka/kafka_metadata.h"

namespace brook {

// Thread-safe. Owned by the KafkaClient; after Close every call returns
// Closed.
class KafkaAdmin : public Admin {
 public:
  explicit KafkaAdmin(Properties base);
  ~KafkaAdmin() override;

  // Releases the handle (calls under way finish with their reference).
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                           const TopicConfig& config) override;
  absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                           const Properties& config) override;
  std::vector<absl::Status> CreateTopics(
      const std::vector<NewTopic>& topics) override;
  absl::Status DeleteTopic(absl::string_view name) override;
  absl::StatusOr<std::vector<std::string>> ListTopics() override;
  absl::StatusOr<TopicDescription> DescribeTopic(
      absl::string_view name) override;
  absl::Status CreatePartitions(absl::string_view topic,
                                int32_t total) override;
  absl::Status IncrementalAlterConfigs(
      absl::string_view topic, const std::vector<AlterConfigOp>& ops) override;
  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      absl::string_view topic) override;
  absl::StatusOr<std::vector<CleanedPartition>> CleanTopics(
      const std::vector<std::string>& topics) override;
  absl::StatusOr<std::map<TopicPartition, int64_t>> DeleteRecords(
      const std::map<TopicPartition, int64_t>& before) override;
  absl::StatusOr<std::vector<std::string>> ListGroups() override;
  absl::StatusOr<ConsumerGroupDescription> DescribeGroup(
      absl::string_view group) override;
  absl::StatusOr<std::vector<GroupPartitionOffset>> ListGroupOffsets(
      absl::string_view group) override;
  absl::Status DeleteGroup(absl::string_view group) override;
  absl::StatusOr<std::vector<OffsetResetPlanEntry>> ResetOffsets(
      absl::string_view group, absl::string_view topic,
      const OffsetResetSpec& spec, bool dry_run) override;

 private:
  struct EventDeleter {
    void operator()(rd_kafka_event_t* ev) const { rd_kafka_event_destroy(ev); }
  };
  using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

  // One topic to create, with the broker-side properties to give it.
  struct TopicToCreate {
    std::string name;
    int32_t partitions = -1;
    int16_t replication_factor = -1;
    Properties config;
  };
  // One setting as DescribeConfigs reports it.
  struct RawConfig {
    std::string name;
    std::optional<std::string> value;  // None when sensitive or null.
    bool is_default = true;
    rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
  };

  // The handle, created at the first call. Closed after Close.
  absl::StatusOr<KafkaHandle> Handle() ABSL_LOCKS_EXCLUDED(mu_);
  // Starts an admin request on a private queue with `start` and returns its
  // result event; the event's error as a status.
  absl::StatusOr<Event> Call(
      rd_kafka_t* rk, rd_kafka_admin_op_t op, absl::string_view what,
      const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>&
          start);
  std::vector<absl::Status> CreateRaw(const std::vector<TopicToCreate>& topics);
  absl::StatusOr<std::vector<RawConfig>> DescribeRaw(rd_kafka_t* rk,
                                                     absl::string_view topic);
  // Polls the metadata of `topic` until `ready` holds for it (or for its
  // absence when UnknownTopicOrPartition), or the admin timeout passes.
  absl::Status AwaitMetadata(
      rd_kafka_t* rk, absl::string_view topic,
      const std::function<bool(
          const absl::StatusOr<std::vector<KafkaPartitionMetadata>>&)>& ready,
      absl::string_view waiting_for);

  const Properties base_;
  absl::Mutex mu_;
  KafkaHandle rk_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_ADMIN_H_
