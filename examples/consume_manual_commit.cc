// Manual commits, the two usual ways:
//  - per record: after processing a record, commit its offset + 1 (the next
//    offset to read, as Kafka documents) with CommitSync(offsets);
//  - per batch: after processing everything one Poll returned, CommitSync().
// Two groups read the same topic, one each way (each group has its own
// offsets). Then the engine is closed and reopened, as after a restart, and
// neither group re-reads anything.
//
//   consume_manual_commit [DATA_DIR]
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

constexpr char kTopic[] = "payments";
constexpr int32_t kPartitions = 2;
constexpr char kPerRecordGroup[] = "ledger";
constexpr char kPerBatchGroup[] = "audit";

std::vector<brook::TopicPartition> AllPartitions() {
  std::vector<brook::TopicPartition> all;
  for (int32_t p = 0; p < kPartitions; ++p) all.emplace_back(kTopic, p);
  return all;
}

absl::Status Produce(brook::Engine& engine) {
  absl::StatusOr<std::unique_ptr<brook::Producer>> producer =
      engine.CreateProducer({});
  if (!producer.ok()) return producer.status();
  std::vector<brook::SendFuture> sent;
  for (int i = 1; i <= 8; ++i) {
    sent.push_back((*producer)->Send({kTopic, absl::StrCat("account-", i % 4),
                                      absl::StrCat("pay ", i * 10, " EUR")}));
  }
  if (absl::Status s = (*producer)->Flush(); !s.ok()) return s;
  for (const brook::SendFuture& future : sent) {
    if (absl::Status s = future.Get().status(); !s.ok()) return s;
  }
  absl::PrintF("produced %d payments to %s\n", sent.size(), kTopic);
  return (*producer)->Close();
}

// A consumer of `group` assigned every partition. Auto-commit is off: only
// the explicit commits below move the group's offsets.
absl::StatusOr<std::unique_ptr<brook::Consumer>> NewConsumer(
    brook::Engine& engine, absl::string_view group) {
  brook::ConsumerOptions options;
  options.group_id = std::string(group);
  options.enable_auto_commit = false;
  options.auto_offset_reset = brook::OffsetReset::kEarliest;
  options.max_poll_records = 3;  // Small batches, to show several commits.
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      engine.CreateConsumer(options);
  if (!consumer.ok()) return consumer.status();
  if (absl::Status s = (*consumer)->Assign(AllPartitions()); !s.ok()) return s;
  return consumer;
}

// Polls until `consumer` has reached the end of every partition, calling
// `process` for each record and `after_poll` after each non-empty Poll.
template <typename ProcessFn, typename AfterPollFn>
absl::Status ConsumeToEnd(brook::Consumer& consumer, ProcessFn process,
                          AfterPollFn after_poll) {
  absl::StatusOr<std::map<brook::TopicPartition, int64_t>> end =
      consumer.EndOffsets(AllPartitions());
  if (!end.ok()) return end.status();
  for (;;) {
    bool caught_up = true;
    for (const auto& [tp, end_offset] : *end) {
      absl::StatusOr<int64_t> position = consumer.Position(tp);
      if (!position.ok()) return position.status();
      if (*position < end_offset) caught_up = false;
    }
    if (caught_up) return absl::OkStatus();
    absl::StatusOr<std::vector<brook::ConsumerRecord>> records =
        consumer.Poll(absl::Seconds(1));
    if (!records.ok()) return records.status();
    if (records->empty()) return absl::DeadlineExceededError("no records");
    for (const brook::ConsumerRecord& r : *records) {
      if (absl::Status s = process(r); !s.ok()) return s;
    }
    if (absl::Status s = after_poll(records->size()); !s.ok()) return s;
  }
}

// Commits after every record: a crash replays at most the record being
// processed, at the cost of one commit per record.
absl::Status ConsumePerRecord(brook::Engine& engine) {
  absl::PrintF("group %s, commit per record:\n", kPerRecordGroup);
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      NewConsumer(engine, kPerRecordGroup);
  if (!consumer.ok()) return consumer.status();
  auto process = [&](const brook::ConsumerRecord& r) {
    // The committed offset is the next one to read, hence offset + 1. The
    // metadata string is stored with it, for the application's own use.
    brook::OffsetMap offsets;
    offsets[brook::TopicPartition(r.topic, r.partition)] =
        brook::OffsetAndMetadata(r.offset + 1,
                                 absl::StrCat("last: ", r.value.value_or("")));
    absl::Status s = (*consumer)->CommitSync(offsets);
    if (!s.ok()) return s;
    absl::PrintF("  %s-%d offset %d  %s  %s  -> committed %d\n", r.topic,
                 r.partition, r.offset, r.key.value_or("null"),
                 r.value.value_or("null"), r.offset + 1);
    return s;
  };
  auto after_poll = [](size_t) { return absl::OkStatus(); };
  if (absl::Status s = ConsumeToEnd(**consumer, process, after_poll); !s.ok()) {
    return s;
  }
  return (*consumer)->Close();
}

// Commits once per Poll: CommitSync() commits the positions after the records
// Poll returned. Cheaper; a crash replays at most one batch.
absl::Status ConsumePerBatch(brook::Engine& engine) {
  absl::PrintF("group %s, commit per batch:\n", kPerBatchGroup);
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      NewConsumer(engine, kPerBatchGroup);
  if (!consumer.ok()) return consumer.status();
  auto process = [](const brook::ConsumerRecord& r) {
    absl::PrintF("  %s-%d offset %d  %s  %s\n", r.topic, r.partition, r.offset,
                 r.key.value_or("null"), r.value.value_or("null"));
    return absl::OkStatus();
  };
  auto after_poll = [&](size_t n) {
    absl::Status s = (*consumer)->CommitSync();
    if (s.ok()) absl::PrintF("  -> committed after a batch of %d\n", n);
    return s;
  };
  if (absl::Status s = ConsumeToEnd(**consumer, process, after_poll); !s.ok()) {
    return s;
  }
  return (*consumer)->Close();
}

// After a restart, a consumer of `group` starts at the committed offsets,
// which are at the end of each partition: Poll has nothing to re-read.
absl::Status CheckNothingReread(brook::Engine& engine,
                                absl::string_view group) {
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      NewConsumer(engine, group);
  if (!consumer.ok()) return consumer.status();
  absl::StatusOr<std::map<brook::TopicPartition, brook::OffsetAndMetadata>>
      committed = (*consumer)->Committed(AllPartitions());
  if (!committed.ok()) return committed.status();
  absl::PrintF("group %s resumes at the committed offsets:\n", group);
  for (const auto& [tp, offset] : *committed) {
    absl::PrintF("  %s offset %d", tp.ToString(), offset.offset);
    if (!offset.metadata.empty()) {
      absl::PrintF(", metadata \"%s\"", offset.metadata);
    }
    absl::PrintF("\n");
  }
  absl::StatusOr<std::vector<brook::ConsumerRecord>> records =
      (*consumer)->Poll(absl::Milliseconds(200));
  if (!records.ok()) return records.status();
  if (!records->empty()) {
    return absl::InternalError(absl::StrCat("group ", group, " re-read ",
                                            records->size(), " records"));
  }
  absl::PrintF("  Poll returned no records: nothing is re-read\n");
  return (*consumer)->Close();
}

absl::Status Run(const std::string& dir) {
  {
    absl::StatusOr<std::unique_ptr<brook::Engine>> engine =
        brook::Engine::Open({}, dir);
    if (!engine.ok()) return engine.status();
    absl::Status created = (*engine)->admin().CreateTopic(kTopic, kPartitions);
    if (!created.ok() &&
        brook::GetErrorCode(created) != brook::ErrorCode::kTopicAlreadyExists) {
      return created;
    }
    if (absl::Status s = Produce(**engine); !s.ok()) return s;
    if (absl::Status s = ConsumePerRecord(**engine); !s.ok()) return s;
    if (absl::Status s = ConsumePerBatch(**engine); !s.ok()) return s;
    if (absl::Status s = (*engine)->Close(); !s.ok()) return s;
  }

  // Committed offsets are stored in the data directory, so they survive the
  // engine (and the process) going away.
  absl::PrintF("engine closed and reopened\n");
  absl::StatusOr<std::unique_ptr<brook::Engine>> engine =
      brook::Engine::Open({}, dir);
  if (!engine.ok()) return engine.status();
  if (absl::Status s = CheckNothingReread(**engine, kPerRecordGroup); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckNothingReread(**engine, kPerBatchGroup); !s.ok()) {
    return s;
  }
  return (*engine)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  return example::RunInDataDir(argc, argv, "consume_manual_commit", Run);
}
