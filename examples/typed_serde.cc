// Typed clients: a TypedProducer<std::string, Person> and a
// TypedConsumer<std::string, Person> with a custom Person serializer, and
// what happens when a value cannot be serialized or a stored record cannot be
// deserialized (a "poison pill").
//
//   typed_serde [DATA_DIR]
//
// Without DATA_DIR it works in a fresh temporary directory and removes it at
// the end.
#include <stdlib.h>  // mkdtemp

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "example_main.h"

namespace {

constexpr char kTopic[] = "typed-people";

struct Person {
  std::string name;
  std::string job;
};

// A Person as the bytes "name|job". brook requires (de)serializers to be
// thread-safe; this one has no state, so it is.
class PersonSerde : public brook::Serializer<Person>,
                    public brook::Deserializer<Person> {
 public:
  absl::StatusOr<std::string> Serialize(absl::string_view /*topic*/,
                                        const Person& person) override {
    if (absl::StrContains(person.name, '|') ||
        absl::StrContains(person.job, '|')) {
      return absl::InvalidArgumentError("'|' is not allowed in a Person");
    }
    return absl::StrCat(person.name, "|", person.job);
  }

  absl::StatusOr<Person> Deserialize(absl::string_view /*topic*/,
                                     absl::string_view bytes) override {
    const size_t bar = bytes.find('|');
    if (bar == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", bytes, "\" is not name|job"));
    }
    return Person{std::string(bytes.substr(0, bar)),
                  std::string(bytes.substr(bar + 1))};
  }
};

absl::Status Produce(brook::Engine& engine,
                     std::shared_ptr<PersonSerde> serde) {
  absl::StatusOr<std::unique_ptr<brook::Producer>> raw =
      engine.CreateProducer({});
  if (!raw.ok()) return raw.status();
  // The key is the job, as a plain string; the value is the whole Person.
  brook::TypedProducer<std::string, Person> producer(
      *std::move(raw), std::make_shared<brook::StringSerde>(), serde);

  auto send = [&](Person person) {
    brook::TypedProducerRecord<std::string, Person> record;
    record.topic = kTopic;
    record.key = person.job;
    record.value = std::move(person);
    return producer.Send(std::move(record));
  };
  std::vector<brook::SendFuture> sent;
  sent.push_back(send({"Ada Lovelace", "mathematician"}));
  sent.push_back(send({"Grace Hopper", "programmer"}));
  // A serializer failure sends nothing; the future (and a callback, had we
  // passed one) reports it as a Serialization error.
  absl::Status refused = send({"Eve|Mallory", "intruder"}).Get().status();
  absl::PrintF("send of an unserializable Person: %s\n",
               example::Describe(refused));
  if (brook::GetErrorCode(refused) != brook::ErrorCode::kSerialization) {
    return absl::InternalError("expected a Serialization error");
  }

  // Bytes that are not a Person, written with the underlying byte-level
  // producer, as a buggy or foreign producer might.
  sent.push_back(producer.raw().Send({kTopic, "garbage", "not a person"}));
  sent.push_back(send({"Alan Turing", "mathematician"}));

  if (absl::Status s = producer.Flush(); !s.ok()) return s;
  for (const brook::SendFuture& future : sent) {
    absl::StatusOr<brook::RecordMetadata> md = future.Get();
    if (!md.ok()) return md.status();
  }
  absl::PrintF("produced %d records to %s, one of them not a Person\n",
               sent.size(), kTopic);
  return producer.Close();
}

absl::Status Consume(brook::Engine& engine,
                     std::shared_ptr<PersonSerde> serde) {
  brook::ConsumerOptions options;
  options.group_id = "typed-example";
  options.auto_offset_reset = brook::OffsetReset::kEarliest;
  absl::StatusOr<std::unique_ptr<brook::Consumer>> raw =
      engine.CreateConsumer(options);
  if (!raw.ok()) return raw.status();
  brook::TypedConsumer<std::string, Person> consumer(
      *std::move(raw), std::make_shared<brook::StringSerde>(), serde);
  // Assignment, positions and commits stay on the byte-level consumer.
  const brook::TopicPartition tp(kTopic, 0);
  if (absl::Status s = consumer.raw().Assign({tp}); !s.ok()) return s;
  absl::StatusOr<std::map<brook::TopicPartition, int64_t>> end =
      consumer.raw().EndOffsets({tp});
  if (!end.ok()) return end.status();

  absl::PrintF("typed consumer:\n");
  for (;;) {
    absl::StatusOr<int64_t> position = consumer.raw().Position(tp);
    if (!position.ok()) return position.status();
    if (*position >= end->at(tp)) break;
    absl::StatusOr<std::vector<brook::TypedConsumerRecord<std::string, Person>>>
        records = consumer.Poll(absl::Seconds(1));
    if (brook::GetErrorCode(records.status()) ==
        brook::ErrorCode::kSerialization) {
      // As in Kafka, the position stays at the bad record, so polling again
      // would fail again. This topic has one partition, so the bad record is
      // at its position: log it and seek past it.
      absl::PrintF("  Poll failed: %s\n", example::Describe(records.status()));
      absl::PrintF("  skipping offset %d\n", *position);
      if (absl::Status s = consumer.raw().Seek(tp, *position + 1); !s.ok()) {
        return s;
      }
      continue;
    }
    if (!records.ok()) return records.status();
    if (records->empty()) return absl::DeadlineExceededError("no records");
    for (const auto& r : *records) {
      absl::PrintF("  offset %d  key %s  Person{name=\"%s\", job=\"%s\"}\n",
                   r.offset, r.key.value_or("null"), r.value->name,
                   r.value->job);
    }
  }
  // Close() commits (enable.auto.commit is on by default).
  return consumer.raw().Close();
}

absl::Status Run(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<brook::Engine>> engine =
      brook::Engine::Open({}, dir);
  if (!engine.ok()) return engine.status();
  absl::Status created = (*engine)->admin().CreateTopic(kTopic, 1);
  if (!created.ok() &&
      brook::GetErrorCode(created) != brook::ErrorCode::kTopicAlreadyExists) {
    return created;
  }
  // One object serves as serializer and deserializer.
  auto serde = std::make_shared<PersonSerde>();
  if (absl::Status s = Produce(**engine, serde); !s.ok()) return s;
  if (absl::Status s = Consume(**engine, serde); !s.ok()) return s;
  return (*engine)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  return example::RunInDataDir(argc, argv, "typed_serde", Run);
}
