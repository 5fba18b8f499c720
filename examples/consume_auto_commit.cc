// A consumer that commits automatically (enable.auto.commit), configured
// from a Kafka consumer config pasted as it is. It stops partway through the
// topic and closes, which commits; a second consumer of the same group then
// resumes exactly where the first one stopped.
//
//   consume_auto_commit [DATA_DIR]
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
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "example_main.h"

namespace {

constexpr char kTopic[] = "clicks";

// The config of a Java KafkaConsumer, unchanged. Settings that mean nothing
// in-process (bootstrap.servers, the deserializer classes) are accepted and
// ignored; an unknown one is ignored with a warning, as in Kafka, or refused
// when parsing strictly.
const brook::Properties kConsumerConfig = {
    {"bootstrap.servers", "localhost:9092"},
    {"group.id", "click-counter"},
    {"enable.auto.commit", "true"},
    {"auto.commit.interval.ms", "1000"},
    {"auto.offset.reset", "earliest"},
    {"max.poll.records", "4"},
    {"key.deserializer",
     "org.apache.kafka.common.serialization.StringDeserializer"},
    {"value.deserializer",
     "org.apache.kafka.common.serialization.StringDeserializer"},
};

absl::Status Produce(brook::Engine& engine, int count) {
  absl::StatusOr<std::unique_ptr<brook::Producer>> producer =
      engine.CreateProducer({});
  if (!producer.ok()) return producer.status();
  std::vector<brook::SendFuture> sent;
  for (int i = 0; i < count; ++i) {
    sent.push_back((*producer)->Send(
        {kTopic, absl::StrCat("user-", i % 3), absl::StrCat("/page/", i)}));
  }
  if (absl::Status s = (*producer)->Flush(); !s.ok()) return s;
  for (const brook::SendFuture& future : sent) {
    if (absl::Status s = future.Get().status(); !s.ok()) return s;
  }
  absl::PrintF("produced %d clicks to %s\n", count, kTopic);
  return (*producer)->Close();
}

absl::StatusOr<std::unique_ptr<brook::Consumer>> NewConsumer(
    brook::Engine& engine) {
  absl::StatusOr<brook::ConsumerOptions> options =
      brook::ConsumerOptions::FromProperties(kConsumerConfig);
  if (!options.ok()) return options.status();
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      engine.CreateConsumer(*options);
  if (!consumer.ok()) return consumer.status();
  const brook::TopicPartition tp(kTopic, 0);
  if (absl::Status s = (*consumer)->Assign({tp}); !s.ok()) return s;
  return consumer;
}

// Prints one Poll's records; returns how many there were.
absl::StatusOr<size_t> PollOnce(brook::Consumer& consumer,
                                absl::string_view who) {
  absl::StatusOr<std::vector<brook::ConsumerRecord>> records =
      consumer.Poll(absl::Seconds(1));
  if (!records.ok()) return records.status();
  for (const brook::ConsumerRecord& r : *records) {
    absl::PrintF("  %s: offset %d  %s %s\n", who, r.offset,
                 r.key.value_or("null"), r.value.value_or("null"));
  }
  return records->size();
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
  if (absl::Status s = Produce(**engine, 10); !s.ok()) return s;
  const brook::TopicPartition tp(kTopic, 0);

  // As a Java client, brook ignores a property it does not know, logs a
  // warning (through brook::SetLogHandler; by default on stderr) and lists
  // it on request. Parsing strictly refuses it instead, so that a typo
  // cannot silently change behavior.
  const brook::Properties misspelled = {{"enable.auto.comit", "true"}};
  std::vector<std::string> unused;
  absl::StatusOr<brook::ConsumerOptions> lenient =
      brook::ConsumerOptions::FromProperties(
          misspelled, brook::UnknownKeys::kWarn, &unused);
  if (!lenient.ok() || unused.size() != 1) {
    return absl::InternalError("an unknown property was not ignored");
  }
  absl::PrintF("misspelled property ignored: %s\n", unused[0]);
  absl::StatusOr<brook::ConsumerOptions> typo =
      brook::ConsumerOptions::FromProperties(misspelled,
                                             brook::UnknownKeys::kReject);
  if (typo.ok()) return absl::InternalError("a typo was accepted");
  absl::PrintF("misspelled property refused when strict: %s\n",
               example::Describe(typo.status()));

  // The first consumer handles two polls' worth (max.poll.records is 4) and
  // stops. With auto-commit there is no commit call: each Poll commits the
  // positions reached by the earlier polls once auto.commit.interval.ms has
  // passed, and Close() commits the final positions. Records returned by a
  // Poll therefore count as consumed once the next Poll or Close() runs, so
  // finish processing them first (at-least-once, as in Kafka).
  absl::StatusOr<std::unique_ptr<brook::Consumer>> first =
      NewConsumer(**engine);
  if (!first.ok()) return first.status();
  absl::PrintF("first consumer of group click-counter:\n");
  for (int poll = 0; poll < 2; ++poll) {
    absl::StatusOr<size_t> n = PollOnce(**first, "first");
    if (!n.ok()) return n.status();
  }
  if (absl::Status s = (*first)->Close(); !s.ok()) return s;

  // A new consumer of the same group (as after a restart) has no position of
  // its own: it starts from the group's committed offset, not from
  // auto.offset.reset.
  absl::StatusOr<std::unique_ptr<brook::Consumer>> second =
      NewConsumer(**engine);
  if (!second.ok()) return second.status();
  absl::StatusOr<std::map<brook::TopicPartition, brook::OffsetAndMetadata>>
      committed = (*second)->Committed({tp});
  if (!committed.ok()) return committed.status();
  if (committed->count(tp) == 0) {
    return absl::InternalError("Close() committed no offset");
  }
  absl::PrintF("first consumer closed; committed offset of %s: %d\n",
               tp.ToString(), committed->at(tp).offset);

  absl::StatusOr<std::map<brook::TopicPartition, int64_t>> end =
      (*second)->EndOffsets({tp});
  if (!end.ok()) return end.status();
  absl::PrintF("second consumer of group click-counter:\n");
  for (;;) {
    absl::StatusOr<int64_t> position = (*second)->Position(tp);
    if (!position.ok()) return position.status();
    if (*position >= end->at(tp)) break;
    absl::StatusOr<size_t> n = PollOnce(**second, "second");
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::DeadlineExceededError("no records for 1 s");
  }
  if (absl::Status s = (*second)->Close(); !s.ok()) return s;
  absl::PrintF("second consumer closed at the end of %s\n", tp.ToString());
  return (*engine)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  return example::RunInDataDir(argc, argv, "consume_auto_commit", Run);
}
