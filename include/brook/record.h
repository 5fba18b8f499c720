// Records and the small value types around them: TopicPartition, headers,
// ProducerRecord (what a producer sends), ConsumerRecord (what Poll returns),
// RecordMetadata (what a send reports) and OffsetAndMetadata (a commit).
// All are plain values that own their bytes; thread-compatible.
#ifndef BROOK_RECORD_H_
#define BROOK_RECORD_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace brook {

// Nullable bytes, as Kafka's keys, values and header values are.
using Bytes = std::optional<std::string>;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  TopicPartition() = default;
  TopicPartition(std::string t, int32_t p)
      : topic(std::move(t)), partition(p) {}

  friend bool operator==(const TopicPartition& a, const TopicPartition& b) {
    return a.partition == b.partition && a.topic == b.topic;
  }
  friend bool operator!=(const TopicPartition& a, const TopicPartition& b) {
    return !(a == b);
  }
  // Orders by topic, then partition (Kafka's usual sort).
  friend bool operator<(const TopicPartition& a, const TopicPartition& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
  }
  template <typename H>
  friend H AbslHashValue(H h, const TopicPartition& tp) {
    return H::combine(std::move(h), tp.topic, tp.partition);
  }
  // "topic-partition", as Kafka prints it.
  std::string ToString() const;
};

std::ostream& operator<<(std::ostream& os, const TopicPartition& tp);

struct Header {
  std::string key;
  Bytes value;

  friend bool operator==(const Header& a, const Header& b) {
    return a.key == b.key && a.value == b.value;
  }
};

// Kafka's two timestamp types (message.timestamp.type).
enum class TimestampType : int8_t {
  kCreateTime = 0,     // Set by the producer (or the send time).
  kLogAppendTime = 1,  // Set by the engine when the record is appended.
};

// A record to send. Without a partition, the producer's partitioner picks one
// (murmur2 of the key, or sticky for null keys). Without a timestamp, the send
// time is used; a timestamp before the Unix epoch fails the send with
// InvalidRequest (Kafka's ProducerRecord refuses it).
struct ProducerRecord {
  std::string topic;
  std::optional<int32_t> partition;
  Bytes key;
  Bytes value;
  std::vector<Header> headers;
  std::optional<absl::Time> timestamp;

  ProducerRecord() = default;
  ProducerRecord(std::string t, Bytes v)
      : topic(std::move(t)), value(std::move(v)) {}
  ProducerRecord(std::string t, Bytes k, Bytes v)
      : topic(std::move(t)), key(std::move(k)), value(std::move(v)) {}
};

// A record returned by Consumer::Poll.
struct ConsumerRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::Time timestamp;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  Bytes key;
  Bytes value;
  std::vector<Header> headers;

  // Sizes as Kafka reports them: -1 for null.
  int32_t serialized_key_size() const {
    return key ? static_cast<int32_t>(key->size()) : -1;
  }
  int32_t serialized_value_size() const {
    return value ? static_cast<int32_t>(value->size()) : -1;
  }
};

// What a completed send reports. `offset` is -1 for acks=0 (the record is
// acknowledged before it has an offset), as in Kafka.
struct RecordMetadata {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  absl::Time timestamp;
  int32_t serialized_key_size = -1;    // -1 for a null key.
  int32_t serialized_value_size = -1;  // -1 for a null value.
};

// A committed offset: the next offset to consume, plus an application string.
// A record's offset and timestamp (Kafka's OffsetAndTimestamp).
struct OffsetAndTimestamp {
  int64_t offset = 0;
  absl::Time timestamp;

  friend bool operator==(const OffsetAndTimestamp& a,
                         const OffsetAndTimestamp& b) {
    return a.offset == b.offset && a.timestamp == b.timestamp;
  }
};

struct OffsetAndMetadata {
  int64_t offset = 0;
  std::string metadata;
  // When the commit was made (engine clock); ignored on input.
  absl::Time commit_time;

  OffsetAndMetadata() = default;
  explicit OffsetAndMetadata(int64_t o, std::string m = "")
      : offset(o), metadata(std::move(m)) {}
};

}  // namespace brook

#endif  // BROOK_RECORD_H_
