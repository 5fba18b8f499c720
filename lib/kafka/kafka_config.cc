#include "kafka/kafka_config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/error.h"
#include "util/logging.h"

namespace brook {
namespace {

// Java client keys that mean nothing to librdkafka: dropped, as a Java
// client ignores a key it does not use.
constexpr absl::string_view kJavaOnlyKeys[] = {
    "key.serializer", "value.serializer", "key.deserializer",
    "value.deserializer", "interceptor.classes", "metric.reporters",
    "auto.include.jmx.reporter", "enable.metrics.push",
    // librdkafka resolves every address itself.
    "client.dns.lookup",
    // 2.0.2 backs off by retry.backoff.ms only.
    "retry.backoff.max.ms",
    "metadata.max.idle.ms", "default.api.timeout.ms",
    "exclude.internal.topics",
    // Adaptive partitioning (KIP-794): librdkafka has none.
    "partitioner.adaptive.partitioning.enable",
    "partitioner.availability.timeout.ms",
    // Handled by brook's own options, never by librdkafka directly.
    "partitioner.class", "partitioner.ignore.keys", "max.block.ms",
    "buffer.memory", "max.request.size", "max.poll.records",
    "group.protocol", "group.remote.assignor"};
constexpr absl::string_view kJavaOnlyPrefixes[] = {
    "metrics.", "metadata.recovery.", "brook."};

// Java names that librdkafka spells differently.
struct Rename {
  absl::string_view java;
  absl::string_view rdkafka;
};
constexpr Rename kRenames[] = {
    {"send.buffer.bytes", "socket.send.buffer.bytes"},
    {"receive.buffer.bytes", "socket.receive.buffer.bytes"},
    {"fetch.max.wait.ms", "fetch.wait.max.ms"},
    // librdkafka's own metadata.max.age.ms is a cache age; Kafka's is the
    // refresh interval.
    {"metadata.max.age.ms", "topic.metadata.refresh.interval.ms"},
    {"delivery.timeout.ms", "message.timeout.ms"},
};

bool IsJavaOnly(absl::string_view key) {
  for (absl::string_view k : kJavaOnlyKeys) {
    if (key == k) return true;
  }
  for (absl::string_view p : kJavaOnlyPrefixes) {
    if (absl::StartsWith(key, p)) return true;
  }
  return false;
}

absl::Status ApplyTypedProducer(rd_kafka_conf_t* c, const ProducerOptions& o) {
  auto set = [&](absl::string_view key, const std::string& value,
                 absl::string_view brook_key) {
    return SetKafkaConf(c, key, value,
                        brook_key == key
                            ? std::string(key)
                            : absl::StrCat(brook_key, " (librdkafka's ", key,
                                           ")"));
  };
  absl::Status s;
  const char* acks = o.acks == Acks::kNone     ? "0"
                     : o.acks == Acks::kLeader ? "1"
                                               : "all";
  if (!(s = set("acks", acks, "acks")).ok()) return s;
  // As Kafka 3.x's producer: idempotence left at its default gives way to
  // a conflicting acks (brook's struct cannot tell a default from a set
  // value); librdkafka would refuse the pair.
  const bool idempotence = o.enable_idempotence && o.acks == Acks::kAll;
  if (!(s = set("enable.idempotence", idempotence ? "true" : "false",
                "enable.idempotence"))
           .ok()) {
    return s;
  }
  if (!(s = set("message.timeout.ms",
                std::to_string(absl::ToInt64Milliseconds(o.delivery_timeout)),
                "delivery.timeout.ms"))
           .ok()) {
    return s;
  }
  if (!(s = set("linger.ms",
                std::to_string(absl::ToInt64Milliseconds(o.linger)),
                "linger.ms"))
           .ok()) {
    return s;
  }
  if (!(s = set("batch.size", std::to_string(std::max(o.batch_size, 1)),
                "batch.size"))
           .ok()) {
    return s;
  }
  if (!(s = set("queue.buffering.max.kbytes",
                std::to_string(std::max<int64_t>(o.buffer_memory / 1024, 1)),
                "buffer.memory"))
           .ok()) {
    return s;
  }
  // librdkafka checks each message and request against message.max.bytes
  // (1000..1000000000); brook checks max.request.size with Kafka's
  // arithmetic before (kafka_producer.cc).
  if (!(s = set("message.max.bytes",
                std::to_string(std::clamp(o.max_request_size, 1000,
                                          1000000000)),
                "max.request.size"))
           .ok()) {
    return s;
  }
  if (!(s = set("compression.type", o.compression_type, "compression.type"))
           .ok()) {
    return s;
  }
  // librdkafka's default is consistent_random (CRC32): keys would land
  // elsewhere than with Kafka's Java client (and brook's engine).
  if (!(s = set("partitioner", "murmur2_random", "partitioner.class")).ok()) {
    return s;
  }
  if (!o.client_id.empty()) {
    if (!(s = set("client.id", o.client_id, "client.id")).ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetKafkaConf(rd_kafka_conf_t* conf, absl::string_view key,
                          absl::string_view value, absl::string_view shown_as) {
  char errstr[512];
  const std::string k(key), v(value);
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) !=
      RD_KAFKA_CONF_OK) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat(shown_as.empty() ? key : shown_as, "=", value,
                              " refused by librdkafka: ", errstr));
  }
  return absl::OkStatus();
}

absl::Status ApplyKafkaProperties(rd_kafka_conf_t* conf,
                                  const Properties& props) {
  // compression.<codec>.level applies to that codec only; librdkafka has
  // one compression.level.
  std::string codec;
  if (auto it = props.find("compression.type"); it != props.end()) {
    codec = it->second;
  }
  for (const auto& [key, value] : props) {
    if (IsJavaOnly(key)) continue;
    if (absl::StartsWith(key, "compression.") &&
        absl::EndsWith(key, ".level")) {
      if (key == absl::StrCat("compression.", codec, ".level")) {
        absl::Status s = SetKafkaConf(conf, "compression.level", value, key);
        if (!s.ok()) return s;
      }
      continue;
    }
    std::string name = key;
    std::string v = value;
    for (const Rename& r : kRenames) {
      if (key == r.java) name = std::string(r.rdkafka);
    }
    // Java's -1 ("the OS default") is librdkafka's 0.
    if ((key == "send.buffer.bytes" || key == "receive.buffer.bytes") &&
        v == "-1") {
      v = "0";
    }
    absl::Status s = SetKafkaConf(
        conf, name, v,
        name == key ? key : absl::StrCat(key, " (librdkafka's ", name, ")"));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

namespace {

// librdkafka's log lines go where brook's go (brook/log.h), by syslog level.
void LogToBrook(const rd_kafka_t* rk, int level, const char* facility,
                const char* message) {
  const LogLevel brook_level = level <= 3   ? LogLevel::kError
                               : level <= 4 ? LogLevel::kWarning
                                            : LogLevel::kInfo;
  Log(brook_level, absl::StrCat("librdkafka ", rd_kafka_name(rk), " ",
                                facility, ": ", message));
}

}  // namespace

absl::StatusOr<KafkaConf> NewBaseConf(const Properties& client) {
  KafkaConf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &LogToBrook);
  absl::Status s = ApplyKafkaProperties(conf.get(), client);
  if (!s.ok()) return s;
  return conf;
}

absl::StatusOr<KafkaConf> NewProducerConf(const Properties& client,
                                          const ProducerOptions& o) {
  absl::StatusOr<KafkaConf> conf = NewBaseConf(client);
  if (!conf.ok()) return conf.status();
  absl::Status s = ApplyKafkaProperties(conf->get(), o.cluster);
  if (!s.ok()) return s;
  s = ApplyTypedProducer(conf->get(), o);
  if (!s.ok()) return s;
  return conf;
}

absl::StatusOr<std::string> KafkaAssignmentStrategy(
    const std::vector<std::string>& strategies) {
  std::vector<std::string> names;
  for (const std::string& s : strategies) {
    std::string n = s;
    if (n == "org.apache.kafka.clients.consumer.RangeAssignor") n = "range";
    if (n == "org.apache.kafka.clients.consumer.RoundRobinAssignor") {
      n = "roundrobin";
    }
    if (n == "org.apache.kafka.clients.consumer.StickyAssignor") n = "sticky";
    if (n == "org.apache.kafka.clients.consumer.CooperativeStickyAssignor") {
      n = "cooperative-sticky";
    }
    if (n == "sticky") {
      return Error(ErrorCode::kInvalidConfig,
                   "partition.assignment.strategy: the eager sticky assignor "
                   "is not available on the Kafka backend (librdkafka has "
                   "none); use cooperative-sticky (a different rebalance "
                   "protocol) or range");
    }
    if (n != "range" && n != "roundrobin" && n != "cooperative-sticky") {
      return Error(ErrorCode::kInvalidConfig,
                   absl::StrCat("partition.assignment.strategy: assignor \"",
                                s,
                                "\" is not available on the Kafka backend "
                                "(librdkafka 2.0.2 takes no custom assignors; "
                                "it has range, roundrobin and "
                                "cooperative-sticky)"));
    }
    names.push_back(n);
  }
  if (names.empty()) {
    return Error(ErrorCode::kInvalidConfig,
                 "partition.assignment.strategy is empty");
  }
  const bool cooperative =
      std::find(names.begin(), names.end(), "cooperative-sticky") !=
      names.end();
  const bool eager = std::any_of(names.begin(), names.end(), [](const auto& n) {
    return n != "cooperative-sticky";
  });
  if (cooperative && eager) {
    // Kafka's default list runs eager range until every member drops
    // range; librdkafka cannot hold both, so the default becomes range.
    if (names == std::vector<std::string>{"range", "cooperative-sticky"}) {
      return std::string("range");
    }
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("partition.assignment.strategy: ",
                              absl::StrJoin(strategies, ","),
                              " mixes eager and cooperative assignors, which "
                              "librdkafka refuses (only Kafka's default "
                              "range,cooperative-sticky is accepted, as "
                              "range)"));
  }
  return absl::StrJoin(names, ",");
}

absl::StatusOr<KafkaConf> NewConsumerConf(const Properties& client,
                                          const ConsumerOptions& o) {
  absl::StatusOr<KafkaConf> conf = NewBaseConf(client);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_t* c = conf->get();
  // Java's defaults where librdkafka's differ; the user's cluster
  // properties (applied after) win.
  absl::Status s = SetKafkaConf(c, "isolation.level", "read_uncommitted");
  if (!s.ok()) return s;
  s = ApplyKafkaProperties(c, o.cluster);
  if (!s.ok()) return s;
  auto ms = [](absl::Duration d) {
    return std::to_string(absl::ToInt64Milliseconds(d));
  };
  absl::StatusOr<std::string> strategy =
      KafkaAssignmentStrategy(o.assignment_strategies);
  if (!strategy.ok()) return strategy.status();
  const std::pair<std::string, std::string> typed[] = {
      {"auto.offset.reset", o.auto_offset_reset == OffsetReset::kEarliest
                                ? "earliest"
                            : o.auto_offset_reset == OffsetReset::kLatest
                                ? "latest"
                                : "error"},
      {"enable.auto.commit", o.enable_auto_commit ? "true" : "false"},
      {"auto.commit.interval.ms", ms(o.auto_commit_interval)},
      // Java commits the positions of records returned by earlier polls;
      // the consumer stores them itself (SCALE-OUT.md §1.2).
      {"enable.auto.offset.store", "false"},
      {"session.timeout.ms", ms(o.session_timeout)},
      {"heartbeat.interval.ms", ms(o.heartbeat_interval)},
      {"max.poll.interval.ms", ms(o.max_poll_interval)},
      {"topic.metadata.refresh.interval.ms", ms(o.metadata_max_age)},
      {"allow.auto.create.topics", "false"},
      {"enable.partition.eof", "false"},
      {"partition.assignment.strategy", *strategy},
  };
  for (const auto& [key, value] : typed) {
    if ((s = SetKafkaConf(c, key, value)).ok()) continue;
    return s;
  }
  if (!o.group_id.empty() && !(s = SetKafkaConf(c, "group.id", o.group_id)).ok()) {
    return s;
  }
  if (!o.client_id.empty() &&
      !(s = SetKafkaConf(c, "client.id", o.client_id)).ok()) {
    return s;
  }
  if (!o.group_instance_id.empty() &&
      !(s = SetKafkaConf(c, "group.instance.id", o.group_instance_id)).ok()) {
    return s;
  }
  return conf;
}

}  // namespace brook
