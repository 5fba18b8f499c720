// FromProperties for every option struct: Kafka property names in one place.
#include "brook/options.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "brook/admin.h"
#include "brook/error.h"
#include "brook/partitioner.h"
#include "util/assignor_registry.h"
#include "util/config.h"

namespace brook {
namespace {

constexpr int64_t kMaxInt32 = INT32_MAX;

// A duration as the whole milliseconds a property holds, rounded down so
// that a negative fraction stays negative (infinite ones saturate).
std::string MillisText(absl::Duration d) {
  return std::to_string(
      absl::ToInt64Milliseconds(absl::Floor(d, absl::Milliseconds(1))));
}

std::string BoolText(bool b) { return b ? "true" : "false"; }

// group.protocol: "classic" (any case, as Kafka) is brook's protocol;
// "consumer" (KIP-848's) is refused rather than silently replaced.
absl::Status ParseGroupProtocol(absl::string_view value) {
  const std::string v =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (v == "classic") return absl::OkStatus();
  if (v == "consumer") {
    return InvalidConfig("group.protocol", value,
                         "the consumer rebalance protocol (KIP-848) is not "
                         "supported; brook's groups use the classic protocol, "
                         "so set classic or remove the setting");
  }
  return InvalidConfig("group.protocol", value,
                       "allowed values are classic, consumer");
}

// partition.assignment.strategy: a comma-separated list of assignor names or
// Kafka's class names for them.
absl::Status ParseAssignmentStrategies(absl::string_view value,
                                       std::vector<std::string>* out) {
  static constexpr std::pair<absl::string_view, absl::string_view> kNames[] = {
      {"range", "range"},
      {"roundrobin", "roundrobin"},
      {"sticky", "sticky"},
      {"cooperative-sticky", "cooperative-sticky"},
      {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
      {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
      {"org.apache.kafka.clients.consumer.StickyAssignor", "sticky"},
      {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
       "cooperative-sticky"},
  };
  std::vector<std::string> names;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    const std::pair<absl::string_view, absl::string_view>* found = nullptr;
    for (const auto& n : kNames) {
      if (n.first == part) found = &n;
    }
    if (found == nullptr && RegisteredAssignor(part) == nullptr) {
      return Error(ErrorCode::kInvalidConfig,
                   absl::StrCat("partition.assignment.strategy: unknown "
                                "assignor '",
                                part,
                                "'; allowed: range, roundrobin, sticky, "
                                "cooperative-sticky (or Kafka's class names) "
                                "and names given to RegisterAssignor"));
    }
    std::string name(found != nullptr ? found->second : part);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(std::move(name));
    }
  }
  if (names.empty()) {
    return Error(ErrorCode::kInvalidConfig,
                 "partition.assignment.strategy must name at least one "
                 "assignor");
  }
  *out = std::move(names);
  return absl::OkStatus();
}

// The broker's defaults for topic configs, with the topic config each sets.
// brook takes topic configs only per topic, so ignoring one of these would
// silently give every topic a setting other than the one asked for.
constexpr std::pair<absl::string_view, absl::string_view>
    kBrokerTopicDefaults[] = {
        {"compression.type", "compression.type"},
        {"log.cleaner.delete.retention.ms", "delete.retention.ms"},
        {"log.cleaner.max.compaction.lag.ms", "max.compaction.lag.ms"},
        {"log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio"},
        {"log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms"},
        {"log.cleanup.policy", "cleanup.policy"},
        {"log.message.timestamp.after.max.ms",
         "message.timestamp.after.max.ms"},
        {"log.message.timestamp.before.max.ms",
         "message.timestamp.before.max.ms"},
        {"log.message.timestamp.type", "message.timestamp.type"},
        {"log.retention.bytes", "retention.bytes"},
        {"log.retention.hours", "retention.ms"},
        {"log.retention.minutes", "retention.ms"},
        {"log.retention.ms", "retention.ms"},
        {"message.max.bytes", "max.message.bytes"}};

// Broker settings about segment files, which brook does not have (its
// topics accept segment.bytes and the like without effect, too).
constexpr absl::string_view kBrokerSegmentKeys[] = {
    "log.index.size.max.bytes", "log.roll.hours", "log.roll.ms",
    "log.segment.bytes"};

// Producer keys besides the connection ones (IsConnectionProperty) that
// only a cluster uses: kept in ProducerOptions::cluster, ignored in-process.
constexpr absl::string_view kProducerClusterKeys[] = {
    // Compression happens per topic in storage (TopicConfig).
    "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
    // Adaptive partitioning steers keyless records away from slow brokers;
    // in-process every partition is equally available.
    "partitioner.adaptive.partitioning.enable",
    "partitioner.availability.timeout.ms",
    // Only used with a transactional.id, which is refused.
    "transaction.timeout.ms"};

// The same for consumers (ConsumerOptions::cluster).
constexpr absl::string_view kConsumerClusterKeys[] = {
    "fetch.min.bytes", "fetch.max.bytes", "max.partition.fetch.bytes",
    "fetch.max.wait.ms",
    // Rack-aware assignment and fetching from a follower in the same rack:
    // in-process there is one copy of each partition.
    "client.rack",
    // Checked by its setter; kept for the cluster, where it matters once
    // transactions write.
    "isolation.level"};

// `setters` plus an accept-and-ignore setter for each of `keys`.
std::map<std::string, PropertySetter> WithIgnored(
    absl::Span<const absl::string_view> keys,
    std::map<std::string, PropertySetter> setters) {
  for (absl::string_view key : keys) setters.emplace(key, Ignored());
  return setters;
}

// The properties of `props` only a cluster uses: connection, security and
// metrics keys, and `keys`.
Properties ClusterProperties(const Properties& props,
                             absl::Span<const absl::string_view> keys) {
  Properties cluster;
  for (const auto& [key, value] : props) {
    if (IsConnectionProperty(key) ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      cluster.emplace(key, value);
    }
  }
  return cluster;
}

}  // namespace

absl::StatusOr<EngineOptions> EngineOptions::FromProperties(
    const Properties& props, UnknownKeys unknown,
    std::vector<std::string>* unused) {
  EngineOptions o;
  std::map<std::string, PropertySetter> setters = {
      {"auto.create.topics.enable",
       [&](absl::string_view v) {
         return ParseBool("auto.create.topics.enable", v,
                          &o.auto_create_topics);
       }},
      {"num.partitions",
       [&](absl::string_view v) {
         return ParseInt32("num.partitions", v, 1, kMaxPartitionsPerTopic,
                           &o.default_partitions);
       }},
      {"log.retention.check.interval.ms",
       [&](absl::string_view v) {
         return ParseMillis("log.retention.check.interval.ms", v, 1,
                            &o.log_retention_check_interval);
       }},
      {"offset.metadata.max.bytes", [&](absl::string_view v) {
         return ParseInt32("offset.metadata.max.bytes", v, 0, kMaxInt32,
                           &o.offset_metadata_max_bytes);
       }}};
  for (absl::string_view key : kBrokerSegmentKeys) {
    setters.emplace(key, Ignored());
  }
  std::map<std::string, std::string> refused;
  for (const auto& [broker_key, topic_key] : kBrokerTopicDefaults) {
    refused.emplace(broker_key,
                    absl::StrCat("brook does not take the broker's default "
                                 "for topics' ",
                                 topic_key, "; set ", topic_key,
                                 " in each topic's TopicConfig instead"));
  }
  absl::Status s = ApplyProperties("engine", props, setters, refused,
                                   /*client=*/false, unknown, unused);
  if (!s.ok()) return s;
  return o;
}

Properties EngineOptions::ToProperties() const {
  return {{"auto.create.topics.enable", BoolText(auto_create_topics)},
          {"num.partitions", std::to_string(default_partitions)},
          {"log.retention.check.interval.ms",
           MillisText(log_retention_check_interval)},
          {"offset.metadata.max.bytes",
           std::to_string(offset_metadata_max_bytes)}};
}

absl::StatusOr<TopicConfig> TopicConfig::FromProperties(
    const Properties& props) {
  TopicConfig c;
  absl::Status s = ApplyProperties(
      "topic", props,
      {{"compression.type",
        [&](absl::string_view v) {
          return ParseEnum("compression.type", v,
                           {"producer", "uncompressed", "none", "gzip",
                            "snappy", "lz4", "zstd"},
                           &c.compression_type);
        }},
       {"message.timestamp.type",
        [&](absl::string_view v) {
          return ParseEnum("message.timestamp.type", v,
                           {"CreateTime", "LogAppendTime"},
                           &c.message_timestamp_type);
        }},
       {"max.message.bytes",
        [&](absl::string_view v) {
          return ParseInt32("max.message.bytes", v, 0, kMaxInt32,
                            &c.max_message_bytes);
        }},
       {"retention.ms",
        [&](absl::string_view v) {
          return ParseInt64("retention.ms", v, -1, INT64_MAX, &c.retention_ms);
        }},
       {"retention.bytes",
        [&](absl::string_view v) {
          return ParseInt64("retention.bytes", v, -1, INT64_MAX,
                            &c.retention_bytes);
        }},
       {"cleanup.policy",
        [&](absl::string_view v) {
          return ParseEnum(
              "cleanup.policy", v,
              {"delete", "compact", "compact,delete", "delete,compact"},
              &c.cleanup_policy);
        }},
       {"delete.retention.ms",
        [&](absl::string_view v) {
          return ParseInt64("delete.retention.ms", v, 0, INT64_MAX,
                            &c.delete_retention_ms);
        }},
       {"min.compaction.lag.ms",
        [&](absl::string_view v) {
          return ParseInt64("min.compaction.lag.ms", v, 0, INT64_MAX,
                            &c.min_compaction_lag_ms);
        }},
       {"max.compaction.lag.ms",
        [&](absl::string_view v) {
          return ParseInt64("max.compaction.lag.ms", v, 1, INT64_MAX,
                            &c.max_compaction_lag_ms);
        }},
       {"min.cleanable.dirty.ratio",
        [&](absl::string_view v) {
          return ParseDouble("min.cleanable.dirty.ratio", v, 0, 1,
                             &c.min_cleanable_dirty_ratio);
        }},
       {"message.timestamp.before.max.ms",
        [&](absl::string_view v) {
          return ParseInt64("message.timestamp.before.max.ms", v, 0,
                            INT64_MAX, &c.message_timestamp_before_max_ms);
        }},
       {"message.timestamp.after.max.ms",
        [&](absl::string_view v) {
          return ParseInt64("message.timestamp.after.max.ms", v, 0,
                            INT64_MAX, &c.message_timestamp_after_max_ms);
        }},
       {"segment.bytes",
        [&](absl::string_view v) {
          return ParseInt32("segment.bytes", v, 14, kMaxInt32,
                            &c.segment_bytes);
        }},
       {"segment.ms",
        [&](absl::string_view v) {
          return ParseInt64("segment.ms", v, 1, INT64_MAX, &c.segment_ms);
        }},
       {"segment.index.bytes", [&](absl::string_view v) {
          return ParseInt32("segment.index.bytes", v, 4, kMaxInt32,
                            &c.segment_index_bytes);
        }}},
      /*refused=*/{}, /*client=*/false, UnknownKeys::kReject,
      /*unused=*/nullptr);
  if (!s.ok()) return s;
  // As Kafka's LogConfig.validate.
  if (c.min_compaction_lag_ms > c.max_compaction_lag_ms) {
    return InvalidConfig(
        "min.compaction.lag.ms", std::to_string(c.min_compaction_lag_ms),
        absl::StrCat("at most max.compaction.lag.ms (",
                     c.max_compaction_lag_ms, ")"));
  }
  return c;
}

Properties TopicConfig::ToProperties() const {
  return {{"compression.type", compression_type},
          {"message.timestamp.type", message_timestamp_type},
          {"max.message.bytes", std::to_string(max_message_bytes)},
          {"retention.ms", std::to_string(retention_ms)},
          {"retention.bytes", std::to_string(retention_bytes)},
          {"cleanup.policy", cleanup_policy},
          {"delete.retention.ms", std::to_string(delete_retention_ms)},
          {"min.compaction.lag.ms", std::to_string(min_compaction_lag_ms)},
          {"max.compaction.lag.ms", std::to_string(max_compaction_lag_ms)},
          {"min.cleanable.dirty.ratio",
           absl::StrCat(min_cleanable_dirty_ratio)},
          {"message.timestamp.before.max.ms",
           std::to_string(message_timestamp_before_max_ms)},
          {"message.timestamp.after.max.ms",
           std::to_string(message_timestamp_after_max_ms)},
          {"segment.bytes", std::to_string(segment_bytes)},
          {"segment.ms", std::to_string(segment_ms)},
          {"segment.index.bytes", std::to_string(segment_index_bytes)}};
}

absl::StatusOr<ProducerOptions> ProducerOptions::FromProperties(
    const Properties& props, UnknownKeys unknown,
    std::vector<std::string>* unused) {
  ProducerOptions o;
  absl::Status s = ApplyProperties(
      "producer", props,
      WithIgnored(kProducerClusterKeys, {{"client.id",
        [&](absl::string_view v) {
          o.client_id = std::string(v);
          return absl::OkStatus();
        }},
       {"acks",
        [&](absl::string_view v) {
          std::string a;
          absl::Status st = ParseEnum("acks", v, {"0", "1", "all", "-1"}, &a);
          if (!st.ok()) return st;
          o.acks = a == "0"   ? Acks::kNone
                   : a == "1" ? Acks::kLeader
                              : Acks::kAll;
          return absl::OkStatus();
        }},
       {"delivery.timeout.ms",
        [&](absl::string_view v) {
          return ParseMillis("delivery.timeout.ms", v, 0, &o.delivery_timeout);
        }},
       {"partitioner.class",
        [&](absl::string_view v) {
          std::string p;
          absl::Status st = ParseEnum(
              "partitioner.class", v,
              {"default", "round_robin",
               "org.apache.kafka.clients.producer.RoundRobinPartitioner"},
              &p);
          if (!st.ok()) return st;
          o.partitioner = p == "default" ? nullptr : NewRoundRobinPartitioner();
          return absl::OkStatus();
        }},
       {"partitioner.ignore.keys",
        [&](absl::string_view v) {
          return ParseBool("partitioner.ignore.keys", v,
                           &o.partitioner_ignore_keys);
        }},
       {"enable.idempotence",
        [&](absl::string_view v) {
          return ParseBool("enable.idempotence", v, &o.enable_idempotence);
        }},
       {"compression.type",
        [&](absl::string_view v) {
          return ParseEnum("compression.type", v,
                           {"none", "gzip", "snappy", "lz4", "zstd"},
                           &o.compression_type);
        }},
       {"linger.ms",
        [&](absl::string_view v) {
          return ParseMillis("linger.ms", v, 0, &o.linger);
        }},
       {"batch.size",
        [&](absl::string_view v) {
          return ParseInt32("batch.size", v, 0, kMaxInt32, &o.batch_size);
        }},
       {"buffer.memory",
        [&](absl::string_view v) {
          return ParseInt64("buffer.memory", v, 0, INT64_MAX, &o.buffer_memory);
        }},
       {"max.block.ms",
        [&](absl::string_view v) {
          return ParseMillis("max.block.ms", v, 0, &o.max_block);
        }},
       {"max.request.size",
        [&](absl::string_view v) {
          return ParseInt32("max.request.size", v, 0, kMaxInt32,
                            &o.max_request_size);
        }}}),
      {{"transactional.id",
        "transactions are not supported; ignoring it would drop their "
        "guarantees, so remove it"}},
      /*client=*/true, unknown, unused);
  if (!s.ok()) return s;
  o.cluster = ClusterProperties(props, kProducerClusterKeys);
  return o;
}

Properties ProducerOptions::ToProperties() const {
  std::string acks_text;
  switch (acks) {
    case Acks::kNone:
      acks_text = "0";
      break;
    case Acks::kLeader:
      acks_text = "1";
      break;
    case Acks::kAll:
      acks_text = "all";
      break;
    default:  // Not an Acks value; the parser names it.
      acks_text = std::to_string(static_cast<int>(acks));
  }
  Properties props{{"client.id", client_id},
          {"acks", acks_text},
          {"delivery.timeout.ms", MillisText(delivery_timeout)},
          {"partitioner.ignore.keys", BoolText(partitioner_ignore_keys)},
          {"enable.idempotence", BoolText(enable_idempotence)},
          {"compression.type", compression_type},
          {"linger.ms", MillisText(linger)},
          {"batch.size", std::to_string(batch_size)},
          {"buffer.memory", std::to_string(buffer_memory)},
          {"max.block.ms", MillisText(max_block)},
          {"max.request.size", std::to_string(max_request_size)}};
  props.insert(cluster.begin(), cluster.end());  // The fields above win.
  return props;
}

absl::StatusOr<ConsumerOptions> ConsumerOptions::FromProperties(
    const Properties& props, UnknownKeys unknown,
    std::vector<std::string>* unused) {
  ConsumerOptions o;
  absl::Status s = ApplyProperties(
      "consumer", props,
      WithIgnored(kConsumerClusterKeys, {{"group.id",
        [&](absl::string_view v) {
          o.group_id = std::string(v);
          return absl::OkStatus();
        }},
       {"client.id",
        [&](absl::string_view v) {
          o.client_id = std::string(v);
          return absl::OkStatus();
        }},
       {"group.instance.id",
        [&](absl::string_view v) {
          o.group_instance_id = std::string(v);
          return absl::OkStatus();
        }},
       {"auto.offset.reset",
        [&](absl::string_view v) {
          std::string r;
          absl::Status st = ParseEnum("auto.offset.reset", v,
                                      {"earliest", "latest", "none"}, &r);
          if (!st.ok()) return st;
          o.auto_offset_reset = r == "earliest" ? OffsetReset::kEarliest
                                : r == "latest" ? OffsetReset::kLatest
                                                : OffsetReset::kNone;
          return absl::OkStatus();
        }},
       {"enable.auto.commit",
        [&](absl::string_view v) {
          return ParseBool("enable.auto.commit", v, &o.enable_auto_commit);
        }},
       {"auto.commit.interval.ms",
        [&](absl::string_view v) {
          return ParseMillis("auto.commit.interval.ms", v, 0,
                             &o.auto_commit_interval);
        }},
       {"session.timeout.ms",
        [&](absl::string_view v) {
          return ParseMillis("session.timeout.ms", v, 1, &o.session_timeout);
        }},
       {"max.poll.interval.ms",
        [&](absl::string_view v) {
          return ParseMillis("max.poll.interval.ms", v, 1,
                             &o.max_poll_interval);
        }},
       {"heartbeat.interval.ms",
        [&](absl::string_view v) {
          return ParseMillis("heartbeat.interval.ms", v, 1,
                             &o.heartbeat_interval);
        }},
       {"metadata.max.age.ms",
        [&](absl::string_view v) {
          return ParseMillis("metadata.max.age.ms", v, 0, &o.metadata_max_age);
        }},
       {"max.poll.records",
        [&](absl::string_view v) {
          return ParseInt32("max.poll.records", v, 1, kMaxInt32,
                            &o.max_poll_records);
        }},
       {"isolation.level",
        [&](absl::string_view v) {
          std::string unused;
          return ParseEnum("isolation.level", v,
                           {"read_uncommitted", "read_committed"}, &unused);
        }},
       {"group.protocol", ParseGroupProtocol},
       {"group.remote.assignor",
        [](absl::string_view v) {
          // Empty is the default, as Kafka's null.
          if (absl::StripAsciiWhitespace(v).empty()) return absl::OkStatus();
          return InvalidConfig(
              "group.remote.assignor", v,
              "only used by group.protocol=consumer (KIP-848), which is not "
              "supported; Kafka refuses it with the classic protocol too");
        }},
       {"partition.assignment.strategy",
        [&](absl::string_view v) {
          return ParseAssignmentStrategies(v, &o.assignment_strategies);
        }}}),
      /*refused=*/{}, /*client=*/true, unknown, unused);
  if (!s.ok()) return s;
  o.cluster = ClusterProperties(props, kConsumerClusterKeys);
  return o;
}

Properties ConsumerOptions::ToProperties() const {
  std::string reset;
  switch (auto_offset_reset) {
    case OffsetReset::kEarliest:
      reset = "earliest";
      break;
    case OffsetReset::kLatest:
      reset = "latest";
      break;
    case OffsetReset::kNone:
      reset = "none";
      break;
    default:  // Not an OffsetReset value; the parser names it.
      reset = std::to_string(static_cast<int>(auto_offset_reset));
  }
  Properties props{{"group.id", group_id},
          {"client.id", client_id},
          {"group.instance.id", group_instance_id},
          {"auto.offset.reset", reset},
          {"enable.auto.commit", BoolText(enable_auto_commit)},
          {"auto.commit.interval.ms", MillisText(auto_commit_interval)},
          {"session.timeout.ms", MillisText(session_timeout)},
          {"max.poll.interval.ms", MillisText(max_poll_interval)},
          {"heartbeat.interval.ms", MillisText(heartbeat_interval)},
          {"metadata.max.age.ms", MillisText(metadata_max_age)},
          {"partition.assignment.strategy",
           absl::StrJoin(assignment_strategies, ",")},
          {"max.poll.records", std::to_string(max_poll_records)}};
  props.insert(cluster.begin(), cluster.end());  // The fields above win.
  return props;
}

}  // namespace brook
