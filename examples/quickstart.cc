// Quickstart: a topic with three partitions, a producer that keys records by
// job title, and two consumers of one group that split the partitions
// between them and commit what they read.
//
//   quickstart [DATA_DIR]
//
// Without DATA_DIR it works in a fresh temporary directory and removes it at
// the end. With one, the data stays: run it again and the consumers resume
// after the offsets this run committed, reading only the new records.
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
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "example_main.h"

namespace {

constexpr char kTopic[] = "people";
constexpr int32_t kPartitions = 3;
constexpr char kGroup[] = "quickstart";

struct Person {
  const char* name;
  const char* job;
};

// The job is the key, so Kafka's murmur2 partitioner sends equal jobs to the
// same partition, where they keep the order they were sent in.
constexpr Person kPeople[] = {
    {"Ada Lovelace", "mathematician"}, {"Grace Hopper", "programmer"},
    {"Margaret Hamilton", "engineer"}, {"Marie Curie", "physicist"},
    {"Rosalind Franklin", "chemist"},  {"Alan Turing", "mathematician"},
    {"Hedy Lamarr", "engineer"},       {"Dennis Ritchie", "programmer"},
    {"Richard Feynman", "physicist"},  {"Dorothy Hodgkin", "chemist"},
    {"Mary Shelley", "writer"},        {"Isambard Brunel", "engineer"},
};

// brook statuses carry a Kafka error name; print it rather than the payload.
absl::Status Produce(brook::Engine& engine) {
  absl::StatusOr<std::unique_ptr<brook::Producer>> producer =
      engine.CreateProducer({});
  if (!producer.ok()) return producer.status();
  // Send everything first and wait once: sends are batched, so this costs
  // about one write instead of one per record.
  std::vector<brook::SendFuture> sent;
  for (const Person& p : kPeople) {
    std::string json =
        absl::StrFormat(R"({"name":"%s","job":"%s"})", p.name, p.job);
    sent.push_back((*producer)->Send({kTopic, p.job, std::move(json)}));
  }
  if (absl::Status s = (*producer)->Flush(); !s.ok()) return s;
  // Flush() only waits; each record's outcome is in its future.
  for (const brook::SendFuture& future : sent) {
    if (absl::Status s = future.Get().status(); !s.ok()) return s;
  }
  absl::PrintF("produced %d records, keyed by job title\n", sent.size());
  return (*producer)->Close();
}

// Polls until `consumer` has read up to the end of each assigned partition,
// printing every record, and counts the records read per partition.
absl::Status ConsumeToEnd(brook::Consumer& consumer,
                          std::map<int32_t, int>& counts) {
  absl::StatusOr<std::vector<brook::TopicPartition>> assignment =
      consumer.Assignment();
  if (!assignment.ok()) return assignment.status();
  absl::StatusOr<std::map<brook::TopicPartition, int64_t>> end =
      consumer.EndOffsets(*assignment);
  if (!end.ok()) return end.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (;;) {
    bool caught_up = true;
    for (const auto& [tp, end_offset] : *end) {
      absl::StatusOr<int64_t> position = consumer.Position(tp);
      if (!position.ok()) return position.status();
      if (*position < end_offset) caught_up = false;
    }
    if (caught_up) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("records did not arrive in 10 s");
    }
    // Poll returns as soon as records are there; an empty batch only means
    // the timeout passed.
    absl::StatusOr<std::vector<brook::ConsumerRecord>> records =
        consumer.Poll(absl::Seconds(1));
    if (!records.ok()) return records.status();
    for (const brook::ConsumerRecord& r : *records) {
      absl::PrintF("  %s-%d offset %d  %s\n", r.topic, r.partition, r.offset,
                   r.value.value_or("null"));
      ++counts[r.partition];
    }
  }
}

absl::Status Run(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<brook::Engine>> engine =
      brook::Engine::Open({}, dir);
  if (!engine.ok()) return engine.status();

  absl::Status created = (*engine)->admin().CreateTopic(kTopic, kPartitions);
  if (brook::GetErrorCode(created) == brook::ErrorCode::kTopicAlreadyExists) {
    absl::PrintF("topic \"%s\" already exists: the consumers will resume\n",
                 kTopic);
  } else if (!created.ok()) {
    return created;
  } else {
    absl::PrintF("created topic \"%s\" with %d partitions\n", kTopic,
                 kPartitions);
  }

  if (absl::Status s = Produce(**engine); !s.ok()) return s;

  // Both consumers are in one group, so they share its committed offsets.
  // With no committed offset yet, start from the beginning of each partition
  // rather than Kafka's default (latest), which would skip what we produced.
  brook::ConsumerOptions options;
  options.group_id = kGroup;
  options.auto_offset_reset = brook::OffsetReset::kEarliest;
  options.enable_auto_commit = false;  // This example commits explicitly.
  absl::StatusOr<std::unique_ptr<brook::Consumer>> a =
      (*engine)->CreateConsumer(options);
  if (!a.ok()) return a.status();
  absl::StatusOr<std::unique_ptr<brook::Consumer>> b =
      (*engine)->CreateConsumer(options);
  if (!b.ok()) return b.status();
  // Assign, not subscribe: each consumer reads exactly the partitions it is
  // given, and no rebalance ever moves them.
  const brook::TopicPartition p0(kTopic, 0), p1(kTopic, 1), p2(kTopic, 2);
  if (absl::Status s = (*a)->Assign({p0, p1}); !s.ok()) return s;
  if (absl::Status s = (*b)->Assign({p2}); !s.ok()) return s;

  std::map<int32_t, int> counts;
  absl::PrintF("consumer A, assigned %s and %s:\n", p0.ToString(),
               p1.ToString());
  if (absl::Status s = ConsumeToEnd(**a, counts); !s.ok()) return s;
  absl::PrintF("consumer B, assigned %s:\n", p2.ToString());
  if (absl::Status s = ConsumeToEnd(**b, counts); !s.ok()) return s;

  // CommitSync() commits each consumer's positions: the offset after the
  // last record it read, which is where the group resumes next time.
  if (absl::Status s = (*a)->CommitSync(); !s.ok()) return s;
  if (absl::Status s = (*b)->CommitSync(); !s.ok()) return s;

  // Committed offsets belong to the group, so either consumer can read all.
  absl::StatusOr<std::map<brook::TopicPartition, brook::OffsetAndMetadata>>
      committed = (*a)->Committed({p0, p1, p2});
  if (!committed.ok()) return committed.status();
  absl::PrintF("group \"%s\" committed (read back with Committed()):\n",
               kGroup);
  for (const auto& [tp, offset] : *committed) {
    absl::PrintF("  %s  %d records read, committed offset %d\n", tp.ToString(),
                 counts[tp.partition], offset.offset);
  }

  if (absl::Status s = (*a)->Close(); !s.ok()) return s;
  if (absl::Status s = (*b)->Close(); !s.ok()) return s;
  return (*engine)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  return example::RunInDataDir(argc, argv, "quickstart", Run);
}
