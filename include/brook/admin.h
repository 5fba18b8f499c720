// Administration of topics (create, delete, list, describe, retention,
// record deletion) and consumer groups (list, describe, committed offsets
// and lag, delete, reset offsets), as Kafka's Admin client and its command
// line tools offer them.
#ifndef BROOK_ADMIN_H_
#define BROOK_ADMIN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/options.h"
#include "brook/record.h"

namespace brook {

// The most partitions a topic may have. Each costs 32 bytes of engine
// memory while the engine is open, whether it holds records or not, plus
// what clients assigned to it keep (bench/RESULTS.md has the figures); an
// empty partition costs nothing on disk or at open.
inline constexpr int32_t kMaxPartitionsPerTopic = 1000000;

struct PartitionDescription {
  int32_t partition = 0;
  // First offset still readable: moved forward by retention and
  // DeleteRecords, never by anything else.
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;  // Next offset to be written.
  // Bytes the partition takes on disk: the storage's estimate over its
  // files (compressed) and memory buffers. Deleted records count until the
  // storage rewrites their files, which retention does at once. -1 on the
  // Kafka backend (librdkafka 2.0.2 cannot ask for log directories).
  int64_t size_bytes = 0;
  // On a cluster: the broker id of the partition's leader, its replicas
  // and in-sync replicas. The embedded engine keeps one copy: leader -1,
  // both lists empty.
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
};

// What retention and compaction removed from one partition
// (Admin::CleanTopics).
struct CleanedPartition {
  std::string topic;
  int32_t partition = 0;
  // Offsets the log start moved past plus records compaction removed.
  int64_t records_removed = 0;
  int64_t bytes_removed = 0;     // Stored bytes before minus after.
  int64_t log_start_offset = 0;  // The log start offset after.
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;
  TopicConfig config;
};

// One change of Admin::IncrementalAlterConfigs (Kafka's AlterConfigOp;
// its APPEND and SUBTRACT are not supported).
struct AlterConfigOp {
  enum class Type {
    kSet,     // The setting takes `value`.
    kDelete,  // The setting goes back to its default.
  };
  std::string name;  // Kafka's name, e.g. "retention.ms".
  std::string value;
  Type type = Type::kSet;
};

// One setting of a topic (Kafka's ConfigEntry).
struct ConfigEntry {
  std::string name;
  std::string value;
  // The value is the default (brook does not tell a default set explicitly
  // from one never set).
  bool is_default = true;
};

// A topic to create with Admin::CreateTopics (Kafka's NewTopic).
struct NewTopic {
  std::string name;
  int32_t partitions = 1;  // -1: the engine's num.partitions.
  TopicConfig config;
  // Copies of each partition on a cluster; -1: the cluster's
  // default.replication.factor. The embedded engine keeps one copy and
  // ignores it.
  int16_t replication_factor = -1;
};

// Kafka's consumer group states (ConsumerGroupState).
enum class ConsumerGroupState {
  kEmpty,                // No members; may still have committed offsets.
  kPreparingRebalance,   // Waiting for members to (re)join.
  kCompletingRebalance,  // Assignment under way.
  kStable,               // Every member has its assignment.
  kDead,                 // No members and no committed offsets.
};

// Kafka's name of `state`, e.g. "PreparingRebalance".
absl::string_view ConsumerGroupStateName(ConsumerGroupState state);

// One member of a group (Kafka's MemberDescription).
struct MemberDescription {
  std::string member_id;
  std::string client_id;
  std::string group_instance_id;           // Empty for a dynamic member.
  // Where the member runs, as Kafka's "/<client address>": every member of
  // an embedded engine runs in the process holding the data directory,
  // shown as "/localhost".
  std::string host;
  std::vector<TopicPartition> assignment;  // Sorted.
};

// A consumer group (Kafka's ConsumerGroupDescription).
struct ConsumerGroupDescription {
  std::string group_id;
  ConsumerGroupState state = ConsumerGroupState::kDead;
  std::string protocol_type;  // "consumer"; empty for a Dead group.
  std::string protocol;       // The chosen assignor; empty without members.
  // The group's generation and the member id of its leader (empty without
  // members), which the embedded engine shows; Kafka's DescribeGroups does
  // not return them, so none on the Kafka backend.
  std::optional<int32_t> generation;
  std::optional<std::string> leader;
  std::vector<MemberDescription> members;  // Sorted by member id.
  // The coordinator broker on a cluster, "host:port"; empty embedded.
  std::string coordinator;
};

// A group's committed offset of one partition, with the partition's log end
// offset and the lag between them.
struct GroupPartitionOffset {
  TopicPartition partition;
  int64_t committed_offset = -1;
  int64_t log_end_offset = -1;  // -1 when the topic no longer exists.
  // log_end_offset - committed_offset, negative when the committed offset
  // is past the log end (as Kafka's tool shows it); none when the log end
  // is unknown.
  std::optional<int64_t> lag;
  std::string metadata;
};

// Where ResetOffsets moves a group's committed offsets, as the options of
// kafka-consumer-groups.sh --reset-offsets. New offsets are clamped into
// [log start offset, log end offset] of each partition.
struct OffsetResetSpec {
  enum class Kind {
    kEarliest,   // The log start offset.
    kLatest,     // The log end offset.
    kTimestamp,  // First offset whose record timestamp >= timestamp.
    kOffset,     // `value`.
    kShiftBy,    // The committed offset + `value` (may be negative).
  };
  Kind kind = Kind::kEarliest;
  absl::Time timestamp;
  int64_t value = 0;

  static OffsetResetSpec ToEarliest() { return {Kind::kEarliest, {}, 0}; }
  static OffsetResetSpec ToLatest() { return {Kind::kLatest, {}, 0}; }
  static OffsetResetSpec ToTimestamp(absl::Time t) {
    return {Kind::kTimestamp, t, 0};
  }
  static OffsetResetSpec ToOffset(int64_t offset) {
    return {Kind::kOffset, {}, offset};
  }
  static OffsetResetSpec ShiftBy(int64_t n) { return {Kind::kShiftBy, {}, n}; }
};

// One partition of a ResetOffsets plan.
struct OffsetResetPlanEntry {
  TopicPartition partition;
  int64_t old_offset = -1;  // -1: no committed offset.
  int64_t new_offset = 0;
};

// Topic and group administration. Thread-safe; owned by the Client (the
// Engine, or the Kafka backend's client) and valid while it is. On the Kafka
// backend the calls that only a local engine can do (CleanTopics) return
// Unsupported.
class Admin {
 public:
  virtual ~Admin() = default;

  // Creates `name` with `partitions` partitions (-1: the engine's
  // num.partitions, as Kafka's KIP-464), all or nothing. Errors:
  // InvalidTopic (Kafka's naming rules: ASCII letters, digits, '.', '_',
  // '-'; 1..249 characters; not "." or ".."; and a name that differs from
  // an existing topic's only by '.' against '_' collides with it),
  // InvalidPartitions (not -1 and not in [1, kMaxPartitionsPerTopic]),
  // TopicAlreadyExists.
  virtual absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                                   const TopicConfig& config = {}) = 0;
  // As above with Kafka property names; InvalidConfig for unknown names or
  // bad values.
  virtual absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                                   const Properties& config) = 0;

  // Creates several topics, each all or nothing and with CreateTopic's
  // errors, returned in the order of `topics` (Kafka's createTopics). Much
  // faster than one CreateTopic each in a directory with many topics: the
  // storage records every topic's options in one file that it rewrites at
  // each creation, here once for all of them (bench/RESULTS.md).
  virtual std::vector<absl::Status> CreateTopics(
      const std::vector<NewTopic>& topics) = 0;

  // Deletes a topic and its data, an unreadable one included.
  // UnknownTopicOrPartition if missing.
  virtual absl::Status DeleteTopic(absl::string_view name) = 0;

  // Topic names, sorted, including topics that could not be read at open
  // (damaged metadata or log): DescribeTopic says why.
  virtual absl::StatusOr<std::vector<std::string>> ListTopics() = 0;

  // The topic's partitions (log start and end offsets) and configuration.
  // Errors: UnknownTopicOrPartition; Corruption for a topic that could not
  // be read at open, naming the damage (producing to or consuming from it
  // fails the same way; it can be deleted).
  virtual absl::StatusOr<TopicDescription> DescribeTopic(
      absl::string_view name) = 0;

  // Grows `topic` to `total` partitions (Kafka's createPartitions with
  // NewPartitions.increaseTo). Existing partitions keep their records and
  // offsets; the new ones start empty at offset 0. Producers use them from
  // their next send, so a key may now map to another partition than
  // before. Subscribed consumer groups rebalance onto them at their next
  // metadata refresh (ConsumerOptions::metadata_max_age). Errors:
  // UnknownTopicOrPartition, InvalidPartitions (`total` not above the
  // current count, or above kMaxPartitionsPerTopic), storage.
  virtual absl::Status CreatePartitions(absl::string_view topic,
                                        int32_t total) = 0;

  // Changes settings of `topic` (Kafka's incrementalAlterConfigs), all or
  // nothing, stored and in effect when it returns: a shorter retention
  // applies at the next check (or CleanTopics), a compression.type to the
  // files written from then on, message.timestamp.type and
  // max.message.bytes to records sent from then on. Errors:
  // UnknownTopicOrPartition, InvalidConfig (an unknown setting or a bad
  // value, naming it), storage.
  virtual absl::Status IncrementalAlterConfigs(
      absl::string_view topic, const std::vector<AlterConfigOp>& ops) = 0;

  // Every setting of `topic`, sorted by name (Kafka's describeConfigs).
  // Errors: UnknownTopicOrPartition.
  virtual absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      absl::string_view topic) = 0;

  // Applies retention (retention.ms, retention.bytes of topics whose
  // cleanup.policy includes "delete") and compaction (topics whose
  // cleanup.policy includes "compact", whatever their dirty ratio) to
  // `topics` now, every topic when empty, instead of waiting for the
  // periodic check (EngineOptions::log_retention_check_interval), and
  // returns what it removed per partition it changed, sorted. Compaction
  // leaves each partition's last batch, batches younger than
  // min.compaction.lag.ms and tombstones younger than their delete horizon
  // as they are (README, "Compacted topics"). The space is returned to the
  // device before it returns. Errors: UnknownTopicOrPartition, storage.
  virtual absl::StatusOr<std::vector<CleanedPartition>> CleanTopics(
      const std::vector<std::string>& topics = {}) = 0;

  // Kafka's deleteRecords: moves each partition's log start offset to the
  // given offset (-1: the partition's high watermark), making the records
  // below it unreadable and deleting them from storage; returns each
  // partition's log start offset after (its low watermark). An offset
  // below the current log start changes nothing. Every entry is checked
  // before any is applied. Errors: UnknownTopicOrPartition,
  // OffsetOutOfRange (an offset beyond the high watermark, or below -1),
  // storage.
  virtual absl::StatusOr<std::map<TopicPartition, int64_t>> DeleteRecords(
      const std::map<TopicPartition, int64_t>& before) = 0;

  // Ids of the groups that have members or committed offsets, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListGroups() = 0;

  // The group's state and members. A group with neither members nor
  // committed offsets is described as Dead (not an error), as in Kafka.
  virtual absl::StatusOr<ConsumerGroupDescription> DescribeGroup(
      absl::string_view group) = 0;

  // Every committed offset of `group` with its partition's log end offset and
  // lag, sorted by partition; empty for an unknown group.
  virtual absl::StatusOr<std::vector<GroupPartitionOffset>> ListGroupOffsets(
      absl::string_view group) = 0;

  // Deletes the group's committed offsets. NonEmptyGroup while the group has
  // active members; GroupIdNotFound when it has neither members nor
  // committed offsets (as Kafka's DeleteGroups).
  virtual absl::Status DeleteGroup(absl::string_view group) = 0;

  // Moves `group`'s committed offsets of every partition of `topic` as
  // `spec` says and returns the plan (sorted by partition); with `dry_run`
  // nothing is written. Errors: NonEmptyGroup (active members),
  // UnknownTopicOrPartition, InvalidRequest (kShiftBy for a partition without
  // a committed offset).
  virtual absl::StatusOr<std::vector<OffsetResetPlanEntry>> ResetOffsets(
      absl::string_view group, absl::string_view topic,
      const OffsetResetSpec& spec, bool dry_run = false) = 0;
};

}  // namespace brook

#endif  // BROOK_ADMIN_H_
