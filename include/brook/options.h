// Configuration. Typed option structs with defaults, one per object:
// EngineOptions for the process, TopicConfig per topic, ProducerOptions and
// ConsumerOptions per client. Each parses from Kafka's property names
// ({"acks", "all"}, {"linger.ms", "5"}) so Kafka configs can be pasted. A
// bad value is an InvalidConfig error naming the key and what is allowed.
// An unknown key is, as in Kafka, ignored with a warning for the client and
// engine structs (or refused with UnknownKeys::kReject), and refused for
// TopicConfig, as Kafka's broker refuses an unknown topic config. Kafka keys
// that only matter over a network are accepted and ignored; Kafka keys whose
// feature brook lacks, where ignoring them would change behaviour
// (transactional.id, group.protocol=consumer, ...), are refused. Defaults
// follow the Kafka Java client (4.x) unless noted.
#ifndef BROOK_OPTIONS_H_
#define BROOK_OPTIONS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "brook/clock.h"

namespace brook {

class Partitioner;

// Kafka-style configuration: property name -> value text.
using Properties = std::map<std::string, std::string>;

// What EngineOptions, ProducerOptions and ConsumerOptions::FromProperties do
// with a key they do not know: neither one of the struct's own nor one of
// the Kafka keys listed there as accepted and ignored.
enum class UnknownKeys : int8_t {
  // As Kafka's clients: the key is ignored, logged as a warning through
  // brook/log.h ("The configuration 'x' was supplied but isn't a known
  // producer config.") and listed in FromProperties' `unused`, once the
  // whole config is accepted (a refused one logs nothing). So a config
  // written for Kafka, with keys for a schema registry, newer Kafka
  // features or the application itself, loads unchanged. The default.
  kWarn,
  // InvalidConfig naming the key and listing the known ones, for callers
  // who want a misspelled key to fail rather than be ignored.
  kReject,
};

struct EngineOptions {
  // Keep everything in memory (RocksDB's in-memory environment; same code
  // path as on disk). The directory name is then only a label. Default: false.
  bool in_memory = false;
  // Create the data directory when it does not exist. Default: true.
  bool create_if_missing = true;
  // Open an existing data directory for reading only, even while another
  // process holds it (a RocksDB secondary instance): the topics stored when
  // it opened, with their records and committed offsets, followed as the
  // holder writes more (looked for every 100 ms; topics created later need
  // a new open). Producers cannot be created, and every write (topic and
  // offset changes, commits, including a consumer's auto commit) fails with
  // IllegalState. For inspection tools such as `brook groups describe` and
  // `brook consume`: Admin describes groups from the membership snapshot the
  // holding process writes at each completed rebalance. A follower reads
  // the holder's write-ahead log as written, so it can show records whose
  // acks=all write is still being fsynced: not yet acknowledged, not yet
  // visible to the holder's own consumers, and erased by a power cut at
  // that moment (their offsets then hold other records). Treat what it
  // shows past the last acknowledged record as provisional. A directory
  // nobody holds is read as stored. Creates and changes nothing in the
  // directory. Not with in_memory. Default: false.
  bool read_only = false;
  // Producing to (or assigning) a missing topic creates it with
  // `default_partitions` partitions (Kafka's auto.create.topics.enable).
  // Default: false, so a typo is an UnknownTopicOrPartition error.
  bool auto_create_topics = false;
  // Partition count of auto-created topics (Kafka's num.partitions).
  // Default: 1.
  int32_t default_partitions = 1;
  // Time source for every timeout. Not owned; must outlive the engine.
  // Default: SystemClock().
  Clock* clock = nullptr;

  // Open a data directory that lost acknowledged records to damage (a
  // damaged or deleted write-ahead log), which a normal open refuses with
  // Corruption naming what was lost. The engine opens with what remains,
  // Engine::lost_records() lists what is gone, and the lost offsets are
  // never given to new records (each damaged partition continues after
  // them). Also rebuilds a lost or damaged CURRENT file from the newest
  // MANIFEST. Not with read_only. CLI: `brook --data DIR salvage`.
  // Default: false.
  bool salvage = false;

  // Most storage files (RocksDB table files) kept open at once; others are
  // reopened when read. Bounds the file descriptors the engine uses,
  // whatever the number of topics. 0 picks half of the process's
  // descriptor limit (RLIMIT_NOFILE), 500 under the common 1,024. At least
  // 16 otherwise. Default: 0.
  int32_t max_open_files = 0;

  // How often retention (TopicConfig::retention_ms, retention_bytes) is
  // applied, on `clock`: with a ManualClock, advancing past it applies it
  // (Kafka's log.retention.check.interval.ms). Admin::CleanTopics applies
  // it at once. At least 1 ms. Default: 300000 ms (5 minutes).
  absl::Duration log_retention_check_interval = absl::Milliseconds(300000);

  // Longest metadata string a committed offset may carry (Kafka's
  // offset.metadata.max.bytes): a commit's offsets with longer metadata are
  // not stored and it fails with OffsetMetadataTooLarge, the others are
  // stored (as Kafka's coordinator does). At least 0. Default: 4096.
  int32_t offset_metadata_max_bytes = 4096;

  // Properties: auto.create.topics.enable, num.partitions,
  // log.retention.check.interval.ms, offset.metadata.max.bytes. Accepted
  // and ignored: log.segment.bytes, log.roll.ms, log.roll.hours,
  // log.index.size.max.bytes (brook has no segment files). Refused: the
  // broker's defaults for topic configs that brook applies per topic
  // (log.retention.ms/minutes/hours, log.retention.bytes,
  // log.cleanup.policy, compression.type, message.max.bytes,
  // log.message.timestamp.*, log.cleaner.delete.retention.ms,
  // log.cleaner.min/max.compaction.lag.ms, log.cleaner.min.cleanable.ratio):
  // ignoring them would silently give every topic other settings; set them
  // on each topic's TopicConfig instead. Other keys as `unknown` says; when
  // `unused` is not null it receives the unknown keys that were ignored, in
  // key order (empty with kReject).
  static absl::StatusOr<EngineOptions> FromProperties(
      const Properties& props, UnknownKeys unknown = UnknownKeys::kWarn,
      std::vector<std::string>* unused = nullptr);
  // The settings above that have a property name, as FromProperties reads
  // them. Engine::Open validates the struct by parsing these, so a field set
  // by hand obeys the same rules and messages as a property.
  Properties ToProperties() const;
};

// Per-topic configuration, stored with the topic. Names and defaults are
// Kafka's topic-level configs.
struct TopicConfig {
  // compression.type: producer, uncompressed, none, gzip, snappy, lz4, zstd.
  // Applied as the topic's RocksDB block compression ("producer" and "gzip"
  // map to RocksDB's zlib... see DESIGN-NOTES.md). Default: "producer".
  std::string compression_type = "producer";
  // message.timestamp.type: CreateTime or LogAppendTime. Default: CreateTime.
  std::string message_timestamp_type = "CreateTime";
  // max.message.bytes: largest record batch the topic accepts. Default:
  // 1048588.
  int32_t max_message_bytes = 1048588;
  // retention.ms: a batch of records is deleted once its largest timestamp
  // is older than this (with cleanup.policy delete); -1 keeps forever.
  // Applied every EngineOptions::log_retention_check_interval, from the
  // oldest batch on (log/log_cleaner.h). Default: 604800000 (7 days).
  int64_t retention_ms = 604800000;
  // retention.bytes per partition: the oldest batches are deleted while the
  // partition still holds at least this many bytes without them (with
  // cleanup.policy delete); -1 is unlimited. Default: -1.
  int64_t retention_bytes = -1;
  // cleanup.policy: delete (retention above), compact (for each key only
  // its latest record is kept; log/log_compactor.h), or "compact,delete"
  // (both). Default: "delete".
  std::string cleanup_policy = "delete";
  // delete.retention.ms: with compaction, how long a tombstone (a record
  // with a null value) is kept after the first compaction that saw it, so
  // that a consumer reading from the start sees the deletion. Default:
  // 86400000 (1 day).
  int64_t delete_retention_ms = 86400000;
  // min.compaction.lag.ms: a batch stays uncompacted while its largest
  // timestamp is younger than this. Default: 0.
  int64_t min_compaction_lag_ms = 0;
  // max.compaction.lag.ms: a partition is compacted, whatever its dirty
  // ratio, once its oldest uncompacted batch is older than this. Default:
  // INT64_MAX (never forced). At least 1 and min.compaction.lag.ms.
  int64_t max_compaction_lag_ms = INT64_MAX;
  // min.cleanable.dirty.ratio: a partition is compacted once the bytes
  // written since its last compaction are at least this share of its
  // bytes. Default: 0.5.
  double min_cleanable_dirty_ratio = 0.5;
  // message.timestamp.before.max.ms / message.timestamp.after.max.ms: with
  // CreateTime, Send rejects a record whose timestamp lies further than
  // this before / after the engine clock with InvalidTimestamp. Defaults:
  // INT64_MAX and 3600000 (1 hour), as Kafka 4.
  int64_t message_timestamp_before_max_ms = INT64_MAX;
  int64_t message_timestamp_after_max_ms = 3600000;
  // segment.bytes, segment.ms, segment.index.bytes: accepted and stored so
  // that Kafka topic configs carry over, without effect: brook's unit of
  // retention and compaction is the record batch, not a segment file.
  int32_t segment_bytes = 1073741824;
  int64_t segment_ms = 604800000;
  int32_t segment_index_bytes = 10485760;

  // Every key is one of the above: an unknown one is InvalidConfig naming
  // it and listing the known ones, as Kafka's broker refuses an unknown
  // topic config (the config is stored with the topic, so a misspelled one
  // would otherwise be kept and never applied).
  static absl::StatusOr<TopicConfig> FromProperties(const Properties& props);
  // Every setting by its Kafka name.
  Properties ToProperties() const;
};

enum class Acks : int8_t {
  kNone = 0,    // acks=0: complete when queued; no offset reported.
  kLeader = 1,  // acks=1: complete after the write-ahead log write (survives
                // a process crash).
  kAll = -1,    // acks=all / -1: complete after the WAL is fsynced (survives
                // power loss). Concurrent sends share one fsync.
};

struct ProducerOptions {
  static constexpr absl::Duration kDefaultDeliveryTimeout = absl::Seconds(120);

  // client.id, used in logs and metrics. Default: "producer-N".
  std::string client_id;
  // acks. Default: all, as in the Java client since 3.0.
  Acks acks = Acks::kAll;
  // delivery.timeout.ms: upper bound from Send to completion; a record still
  // unwritten after it fails with Timeout. At least linger.ms (Kafka also
  // adds request.timeout.ms, which has no meaning in-process). Left at its
  // default while linger.ms is larger, it becomes linger.ms + 30 s, as
  // Kafka raises its default to linger.ms + request.timeout.ms. Default:
  // 120 s.
  absl::Duration delivery_timeout = kDefaultDeliveryTimeout;
  // partitioner.class: "default" (murmur2 for keys, sticky otherwise),
  // "round_robin" (or Kafka's RoundRobinPartitioner class name), or a custom
  // one set here. Default: nullptr, the default partitioner.
  std::shared_ptr<Partitioner> partitioner;
  // partitioner.ignore.keys: spread keyed records like keyless ones.
  // Default: false.
  bool partitioner_ignore_keys = false;
  // enable.idempotence: accepted for compatibility; brook never duplicates a
  // record because nothing is retried over a network. Default: true.
  bool enable_idempotence = true;
  // compression.type: none, gzip, snappy, lz4, zstd. Accepted for
  // compatibility; brook compresses at the storage layer per topic (see
  // TopicConfig::compression_type). Default: "none".
  std::string compression_type = "none";

  // linger.ms: how long a batch waits for more records. Default: 5 ms (the
  // Java client's default since Kafka 4.0).
  absl::Duration linger = absl::Milliseconds(5);
  // batch.size: bytes per partition batch. Default: 16384.
  int32_t batch_size = 16384;
  // buffer.memory: bytes of records waiting to be written, across partitions.
  // Default: 33554432.
  int64_t buffer_memory = 33554432;
  // max.block.ms: how long Send may block while buffer.memory is exhausted
  // (or the topic's metadata is missing). Default: 60 s.
  absl::Duration max_block = absl::Seconds(60);
  // max.request.size: largest serialized record accepted. Default: 1048576.
  int32_t max_request_size = 1048576;

  // The Kafka client properties only a cluster uses (bootstrap.servers,
  // security.protocol, sasl.*, ssl.*, retries, request.timeout.ms, ...: the
  // keys listed as accepted and ignored below), kept as given. The Kafka
  // backend passes them to librdkafka (InvalidConfig from CreateProducer
  // naming a key it cannot take); the embedded engine ignores them.
  Properties cluster;

  // Properties: client.id, acks, delivery.timeout.ms, partitioner.class,
  // partitioner.ignore.keys, enable.idempotence, compression.type, linger.ms,
  // batch.size, buffer.memory, max.block.ms, max.request.size. Accepted and
  // ignored, having no meaning in-process: bootstrap.servers, key.serializer,
  // value.serializer, retries, request.timeout.ms,
  // max.in.flight.requests.per.connection, compression.gzip.level,
  // compression.lz4.level, compression.zstd.level,
  // partitioner.adaptive.partitioning.enable,
  // partitioner.availability.timeout.ms, transaction.timeout.ms, and the
  // connection, security and metrics keys (ssl.*, sasl.*, metrics.*, ...;
  // README.md lists them): these go to `cluster`. Refused: transactional.id
  // (transactions are not supported). Other keys as `unknown` says; when
  // `unused` is not null it receives the unknown keys that were ignored, in key
  // order (empty with kReject).
  static absl::StatusOr<ProducerOptions> FromProperties(
      const Properties& props, UnknownKeys unknown = UnknownKeys::kWarn,
      std::vector<std::string>* unused = nullptr);
  // Every setting above except `partitioner` as its property (durations in
  // whole milliseconds, rounded down), `cluster` included. CreateProducer
  // validates the struct by parsing these: InvalidConfig with the message
  // FromProperties gives.
  Properties ToProperties() const;
};

enum class OffsetReset : int8_t {
  kEarliest,  // Start at the log start offset.
  kLatest,    // Start at the log end offset.
  kNone,      // Fail Poll with NoOffsetForPartition.
};

struct ConsumerOptions {
  // group.id: needed to commit offsets and to subscribe.
  // Default: empty (no group).
  std::string group_id;
  // client.id. Default: Kafka's "consumer-<group.id>-<N>" (N counts this
  // engine's consumers from 1; group.instance.id instead of N for a static
  // member; "null" for a missing group.id, as Kafka prints it).
  std::string client_id;
  // group.instance.id for static membership (used with subscribe).
  std::string group_instance_id;
  // auto.offset.reset: where to start without a valid committed offset.
  // Default: latest.
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  // enable.auto.commit: commit consumed positions from Poll every
  // `auto_commit_interval`, and at Close. Only with a group.id.
  // Default: true.
  bool enable_auto_commit = true;
  // auto.commit.interval.ms. Default: 5 s.
  absl::Duration auto_commit_interval = absl::Seconds(5);
  // session.timeout.ms (groups). Default: 45 s.
  absl::Duration session_timeout = absl::Seconds(45);
  // max.poll.interval.ms (groups). Default: 300 s.
  absl::Duration max_poll_interval = absl::Seconds(300);
  // heartbeat.interval.ms (groups). Default: 3 s.
  absl::Duration heartbeat_interval = absl::Seconds(3);
  // metadata.max.age.ms: how often a subscribed consumer looks for topics
  // created or deleted (a pattern's new matches, a subscribed topic that
  // appeared) and rebalances when they changed. Default: 300 s.
  absl::Duration metadata_max_age = absl::Seconds(300);
  // partition.assignment.strategy: assignor names in preference order
  // ("range", "roundrobin", "sticky", "cooperative-sticky"; Kafka's class
  // names such as org.apache.kafka.clients.consumer.RangeAssignor are
  // accepted when parsing). The group uses the strategy its members agree
  // on; the consumer rebalances cooperatively only when every listed
  // strategy supports it, as in Kafka. Default: {"range",
  // "cooperative-sticky"}.
  std::vector<std::string> assignment_strategies = {"range",
                                                    "cooperative-sticky"};

  // max.poll.records: most records one Poll returns. Default: 500.
  int32_t max_poll_records = 500;

  // The Kafka client properties only a cluster uses (bootstrap.servers,
  // fetch.*, client.rack, isolation.level, security and connection keys:
  // those listed as ignored below), kept as given; as
  // ProducerOptions::cluster.
  Properties cluster;

  // Properties: group.id, client.id, group.instance.id, auto.offset.reset,
  // enable.auto.commit, auto.commit.interval.ms, session.timeout.ms,
  // max.poll.interval.ms, heartbeat.interval.ms, metadata.max.age.ms,
  // max.poll.records,
  // partition.assignment.strategy (comma-separated). Checked and ignored:
  // isolation.level (read_uncommitted or read_committed, identical until
  // transactions exist) and group.protocol (classic, brook's protocol;
  // consumer, KIP-848's, is refused). Accepted and ignored, having no
  // meaning in-process: bootstrap.servers, key.deserializer,
  // value.deserializer, fetch.min.bytes, fetch.max.bytes,
  // max.partition.fetch.bytes, fetch.max.wait.ms, client.rack,
  // request.timeout.ms, default.api.timeout.ms, and the connection,
  // security and metrics keys (README.md lists them); these and
  // isolation.level go to `cluster`. Refused: a non-empty
  // group.remote.assignor (KIP-848 only; Kafka refuses it with the classic
  // protocol too). Other keys as `unknown` says; when `unused` is not null
  // it receives the unknown keys that were ignored, in key order (empty
  // with kReject).
  static absl::StatusOr<ConsumerOptions> FromProperties(
      const Properties& props, UnknownKeys unknown = UnknownKeys::kWarn,
      std::vector<std::string>* unused = nullptr);
  // Every setting above as its property (durations in whole milliseconds,
  // rounded down), `cluster` included. CreateConsumer validates the struct by
  // parsing these: InvalidConfig with the message FromProperties gives.
  Properties ToProperties() const;
};

}  // namespace brook

#endif  // BROOK_OPTIONS_H_
