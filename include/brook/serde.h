// Serializers and typed clients: Serializer<T> / Deserializer<T> turn values
// into bytes and back, and TypedProducer<K, V> / TypedConsumer<K, V> wrap the
// byte-level clients so application types need no casts. Null keys and values
// stay null (std::nullopt) and never reach a (de)serializer, as in Kafka.
#ifndef BROOK_SERDE_H_
#define BROOK_SERDE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/consumer.h"
#include "brook/consumer_records.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "brook/record.h"

namespace brook {

// Turns a T into bytes. Implementations must be thread-safe.
template <typename T>
class Serializer {
 public:
  virtual ~Serializer() = default;
  // A failure is reported to the sender as a Serialization error.
  virtual absl::StatusOr<std::string> Serialize(absl::string_view topic,
                                                const T& value) = 0;
};

// Turns bytes back into a T. Implementations must be thread-safe.
template <typename T>
class Deserializer {
 public:
  virtual ~Deserializer() = default;
  virtual absl::StatusOr<T> Deserialize(absl::string_view topic,
                                        absl::string_view bytes) = 0;
};

// Strings (and raw bytes, which brook keeps in std::string) as they are.
class StringSerde : public Serializer<std::string>,
                    public Deserializer<std::string> {
 public:
  absl::StatusOr<std::string> Serialize(absl::string_view,
                                        const std::string& value) override {
    return value;
  }
  absl::StatusOr<std::string> Deserialize(absl::string_view,
                                          absl::string_view bytes) override {
    return std::string(bytes);
  }
};

// 64-bit integers as 8 big-endian bytes (Kafka's LongSerializer).
class Int64Serde : public Serializer<int64_t>, public Deserializer<int64_t> {
 public:
  absl::StatusOr<std::string> Serialize(absl::string_view,
                                        const int64_t& value) override;
  absl::StatusOr<int64_t> Deserialize(absl::string_view topic,
                                      absl::string_view bytes) override;
};

// 32-bit integers as 4 big-endian bytes (Kafka's IntegerSerializer).
class Int32Serde : public Serializer<int32_t>, public Deserializer<int32_t> {
 public:
  absl::StatusOr<std::string> Serialize(absl::string_view,
                                        const int32_t& value) override;
  absl::StatusOr<int32_t> Deserialize(absl::string_view topic,
                                      absl::string_view bytes) override;
};

template <typename K, typename V>
struct TypedProducerRecord {
  std::string topic;
  std::optional<int32_t> partition;
  std::optional<K> key;
  std::optional<V> value;
  std::vector<Header> headers;
  std::optional<absl::Time> timestamp;
};

template <typename K, typename V>
struct TypedConsumerRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::Time timestamp;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  std::optional<K> key;
  std::optional<V> value;
  std::vector<Header> headers;
};

// A Producer that sends K keys and V values through the given serializers.
// Thread-safe like Producer.
template <typename K, typename V>
class TypedProducer {
 public:
  TypedProducer(std::unique_ptr<Producer> producer,
                std::shared_ptr<Serializer<K>> key_serializer,
                std::shared_ptr<Serializer<V>> value_serializer)
      : producer_(std::move(producer)),
        key_serializer_(std::move(key_serializer)),
        value_serializer_(std::move(value_serializer)) {}

  // As Producer::Send; a serializer failure completes the future (and the
  // callback) with a Serialization error and sends nothing.
  SendFuture Send(TypedProducerRecord<K, V> record,
                  SendCallback callback = nullptr) {
    ProducerRecord raw;
    raw.topic = std::move(record.topic);
    raw.partition = record.partition;
    raw.headers = std::move(record.headers);
    raw.timestamp = record.timestamp;
    absl::Status status;
    if (record.key)
      status = SerializeInto(*key_serializer_, raw.topic, *record.key, raw.key);
    if (status.ok() && record.value) {
      status = SerializeInto(*value_serializer_, raw.topic, *record.value,
                             raw.value);
    }
    if (!status.ok()) {
      if (callback) callback(status);
      return SendFuture(absl::StatusOr<RecordMetadata>(status));
    }
    return producer_->Send(std::move(raw), std::move(callback));
  }

  absl::Status Flush() { return producer_->Flush(); }
  absl::Status Close(absl::Duration timeout = absl::InfiniteDuration()) {
    return producer_->Close(timeout);
  }
  Producer& raw() { return *producer_; }

 private:
  template <typename T>
  static absl::Status SerializeInto(Serializer<T>& serializer,
                                    absl::string_view topic, const T& value,
                                    Bytes& out) {
    absl::StatusOr<std::string> bytes = serializer.Serialize(topic, value);
    if (!bytes.ok()) {
      return Error(ErrorCode::kSerialization,
                   "cannot serialize for topic " + std::string(topic) + ": " +
                       std::string(bytes.status().message()));
    }
    out = *std::move(bytes);
    return absl::OkStatus();
  }

  std::unique_ptr<Producer> producer_;
  std::shared_ptr<Serializer<K>> key_serializer_;
  std::shared_ptr<Serializer<V>> value_serializer_;
};

// A Consumer whose Poll returns K keys and V values. Single-threaded like
// Consumer. When a record cannot be deserialized, Poll returns the records
// before it (or, if it is first, a Serialization error) and leaves that
// partition's position at the bad record, as Kafka does: seek past it to go on.
template <typename K, typename V>
class TypedConsumer {
 public:
  TypedConsumer(std::unique_ptr<Consumer> consumer,
                std::shared_ptr<Deserializer<K>> key_deserializer,
                std::shared_ptr<Deserializer<V>> value_deserializer)
      : consumer_(std::move(consumer)),
        key_deserializer_(std::move(key_deserializer)),
        value_deserializer_(std::move(value_deserializer)) {}

  absl::StatusOr<std::vector<TypedConsumerRecord<K, V>>> Poll(
      absl::Duration timeout) {
    // Borrowed records: the deserializers read the fetched bytes in place.
    absl::StatusOr<ConsumerRecords> raw = consumer_->PollRecords(timeout);
    if (!raw.ok()) return raw.status();
    std::vector<TypedConsumerRecord<K, V>> out;
    out.reserve(raw->size());
    for (size_t i = 0; i < raw->size(); ++i) {
      TypedConsumerRecord<K, V> t;
      absl::Status status = Convert((*raw)[i], t);
      if (!status.ok()) {
        Rewind(*raw, i);
        if (out.empty()) return status;
        return out;
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  Consumer& raw() { return *consumer_; }

 private:
  absl::Status Convert(const RecordView& r, TypedConsumerRecord<K, V>& t) {
    if (r.key) {
      absl::StatusOr<K> k = key_deserializer_->Deserialize(r.topic, *r.key);
      if (!k.ok()) return Failure(r, k.status());
      t.key = *std::move(k);
    }
    if (r.value) {
      absl::StatusOr<V> v = value_deserializer_->Deserialize(r.topic, *r.value);
      if (!v.ok()) return Failure(r, v.status());
      t.value = *std::move(v);
    }
    t.topic = std::string(r.topic);
    t.partition = r.partition;
    t.offset = r.offset;
    t.timestamp = r.timestamp;
    t.timestamp_type = r.timestamp_type;
    t.headers.reserve(r.headers.size());
    for (const HeaderView& h : r.headers) {
      t.headers.push_back(
          Header{std::string(h.key),
                 h.value ? Bytes(std::string(*h.value)) : std::nullopt});
    }
    return absl::OkStatus();
  }

  static absl::Status Failure(const RecordView& r, const absl::Status& s) {
    return Error(ErrorCode::kSerialization,
                 "cannot deserialize " + std::string(r.topic) + "-" +
                     std::to_string(r.partition) + " offset " +
                     std::to_string(r.offset) + ": " +
                     std::string(s.message()));
  }

  // Moves each partition's position back to its first record from
  // `records[from]` on, none of which were returned.
  void Rewind(const ConsumerRecords& records, size_t from) {
    std::map<TopicPartition, int64_t> first;
    for (size_t i = from; i < records.size(); ++i) {
      const RecordView& r = records[i];
      first.emplace(TopicPartition(std::string(r.topic), r.partition),
                    r.offset);
    }
    for (const auto& [tp, offset] : first) {
      consumer_->Seek(tp, offset).IgnoreError();  // Assigned: cannot fail.
    }
  }

  std::unique_ptr<Consumer> consumer_;
  std::shared_ptr<Deserializer<K>> key_deserializer_;
  std::shared_ptr<Deserializer<V>> value_deserializer_;
};

}  // namespace brook

#endif  // BROOK_SERDE_H_
