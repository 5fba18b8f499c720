// brook consume: kafka-console-consumer over brook's assign-mode consumer.
// Reads every partition (or one), prints records, and with --group starts
// from and commits the group's offsets.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "cli_status.h"
#include "commands.h"
#include "client_open.h"
#include "flags.h"
#include "group_committer.h"
#include "record_format.h"
#include "signal_wakeup.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "consume";

// Where --offset puts the partition.
struct StartOffset {
  enum Kind { kEarliest, kLatest, kAt } kind = kAt;
  int64_t offset = 0;
};

struct ConsumeRequest {
  std::string topic;
  bool from_beginning = false;
  std::optional<int32_t> partition;
  std::optional<StartOffset> offset;
  std::optional<int64_t> max_records;
  std::optional<absl::Duration> idle_timeout;
  std::string group;
  RecordFormat format = RecordFormat::kText;
};

absl::StatusOr<StartOffset> ParseOffset(absl::string_view text) {
  if (text == "earliest") return StartOffset{StartOffset::kEarliest, 0};
  if (text == "latest") return StartOffset{StartOffset::kLatest, 0};
  absl::StatusOr<int64_t> v =
      ParseIntFlag("offset", text, 0, INT64_MAX, kCommand);
  if (!v.ok()) return v.status();
  return StartOffset{StartOffset::kAt, *v};
}

absl::StatusOr<ConsumeRequest> ParseRequest(const ParsedFlags& flags) {
  ConsumeRequest r;
  if (flags.positional().size() != 1) {
    return UsageError("'consume' takes exactly one topic name", kCommand);
  }
  r.topic = flags.positional()[0];
  r.from_beginning = flags.Has("from-beginning");
  if (std::optional<std::string> p = flags.Get("partition")) {
    absl::StatusOr<int64_t> v =
        ParseIntFlag("partition", *p, 0, INT32_MAX, kCommand);
    if (!v.ok()) return v.status();
    r.partition = static_cast<int32_t>(*v);
  }
  if (std::optional<std::string> o = flags.Get("offset")) {
    // As kafka-console-consumer: an offset names one partition's position.
    if (!r.partition) {
      return UsageError("--offset requires --partition", kCommand);
    }
    if (r.from_beginning) {
      return UsageError("--offset and --from-beginning cannot be combined",
                        kCommand);
    }
    absl::StatusOr<StartOffset> offset = ParseOffset(*o);
    if (!offset.ok()) return offset.status();
    r.offset = *offset;
  }
  if (std::optional<std::string> m = flags.Get("max")) {
    absl::StatusOr<int64_t> v = ParseIntFlag("max", *m, 1, INT64_MAX, kCommand);
    if (!v.ok()) return v.status();
    r.max_records = *v;
  }
  if (std::optional<std::string> t = flags.Get("timeout-ms")) {
    absl::StatusOr<int64_t> v =
        ParseIntFlag("timeout-ms", *t, 0, INT64_MAX, kCommand);
    if (!v.ok()) return v.status();
    r.idle_timeout = absl::Milliseconds(*v);
  }
  if (std::optional<std::string> g = flags.Get("group")) {
    if (g->empty()) return UsageError("--group must not be empty", kCommand);
    r.group = *g;
  }
  if (std::optional<std::string> f = flags.Get("format")) {
    if (*f == "text") {
      r.format = RecordFormat::kText;
    } else if (*f == "json") {
      r.format = RecordFormat::kJson;
    } else {
      return UsageError(
          absl::StrCat("--format must be text or json, got \"", *f, "\""),
          kCommand);
    }
  }
  return r;
}

// How long a group member waits for its first assignment before
// --timeout-ms applies anyway (a group that never assigns, a coordinator
// that cannot be reached).
constexpr absl::Duration kJoinWait = absl::Seconds(60);

// Looks up the start position of every partition the consumer owns
// (committed offset, --offset, else auto.offset.reset). From a data
// directory that is immediate; a cluster answers over the network.
absl::Status ResolvePositions(Consumer& consumer) {
  absl::StatusOr<std::vector<TopicPartition>> assigned = consumer.Assignment();
  if (!assigned.ok()) return assigned.status();
  for (const TopicPartition& tp : *assigned) {
    absl::StatusOr<int64_t> position = consumer.Position(tp);
    if (!position.ok()) return position.status();
  }
  return absl::OkStatus();
}

// Polls and prints until --max, --timeout-ms, a signal or a closed stdout.
// --timeout-ms counts from when the consumer has its partitions and their
// start positions: a group member's first assignment comes from a
// rebalance, which on a cluster takes longer than a short timeout.
// `joining`: a subscribed group member that has no assignment yet.
absl::Status PollLoop(const ConsumeRequest& r, Consumer& consumer,
                      GroupCommitter* committer, bool joining) {
  const absl::Duration poll_timeout =
      r.idle_timeout ? *r.idle_timeout : absl::InfiniteDuration();
  const absl::Time join_deadline = absl::Now() + kJoinWait;
  int64_t printed = 0;
  std::string out;
  for (;;) {
    if (r.max_records && printed >= *r.max_records) return absl::OkStatus();
    absl::StatusOr<std::vector<ConsumerRecord>> batch =
        consumer.Poll(poll_timeout);
    if (!batch.ok()) {
      // Wakeup comes from SIGINT/SIGTERM: a normal way to stop.
      if (GetErrorCode(batch.status()) == ErrorCode::kWakeup) {
        return absl::OkStatus();
      }
      return batch.status();
    }
    if (joining && committer->assigned()) {
      joining = false;
      absl::Status s = ResolvePositions(consumer);
      if (!s.ok()) return s;
    }
    // Poll waits up to the timeout for a record, so an empty batch means
    // none arrived for that long.
    if (batch->empty()) {
      if (joining && absl::Now() < join_deadline) continue;
      if (r.idle_timeout) return absl::OkStatus();
      continue;
    }
    out.clear();
    OffsetMap batch_offsets;
    for (const ConsumerRecord& record : *batch) {
      if (r.max_records && printed >= *r.max_records) break;
      AppendRecord(record, r.format, &out);
      batch_offsets[TopicPartition(record.topic, record.partition)] =
          OffsetAndMetadata(record.offset + 1);
      ++printed;
    }
    absl::Status written = WriteStdout(out);
    if (IsBrokenPipe(written)) return absl::OkStatus();  // As `| head`.
    if (!written.ok()) return written;
    if (committer != nullptr) {
      absl::Status s = committer->CommitPrinted(batch_offsets);
      if (!s.ok()) return s;
    }
  }
}

absl::Status Consume(const ConsumeRequest& r, Client& engine,
                     SignalWakeup& signals) {
  // Admin gives the partition count and a clear error for an unknown topic.
  absl::StatusOr<TopicDescription> topic =
      engine.admin().DescribeTopic(r.topic);
  if (!topic.ok()) return topic.status();
  std::vector<TopicPartition> partitions;
  if (r.partition) {
    partitions.emplace_back(r.topic, *r.partition);
  } else {
    for (const PartitionDescription& p : topic->partitions) {
      partitions.emplace_back(r.topic, p.partition);
    }
  }

  ConsumerOptions options;
  options.group_id = r.group;
  options.auto_offset_reset =
      r.from_beginning ? OffsetReset::kEarliest : OffsetReset::kLatest;
  // Commits are explicit (GroupCommitter), so only printed records count.
  options.enable_auto_commit = false;
  // On a cluster, a fetch that finds nothing new waits on the broker up to
  // fetch.max.wait.ms (Kafka's 500) before the next one asks again, e.g.
  // for a partition whose start position came later: shorter, so records
  // already written arrive well within a --timeout-ms of a few hundred
  // milliseconds. A data directory ignores it.
  options.cluster["fetch.max.wait.ms"] = "100";
  if (r.max_records) {
    options.max_poll_records = static_cast<int32_t>(
        std::min<int64_t>(options.max_poll_records, *r.max_records));
  }
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      engine.CreateConsumer(options);
  if (!consumer.ok()) return consumer.status();
  WakeupTarget wakeup_target(&signals, consumer->get());

  std::optional<GroupCommitter> committer;
  if (!r.group.empty()) committer.emplace(consumer->get());
  absl::Status s;
  const bool subscribed = !r.group.empty() && !r.partition;
  if (subscribed) {
    // A group member: the group decides which partitions this process
    // reads; the committer commits what was printed before any moves away.
    s = (*consumer)->Subscribe({r.topic}, &*committer);
    if (!s.ok()) return s;
  } else {
    s = (*consumer)->Assign(partitions);
    if (!s.ok()) return s;
    if (r.offset) {
      const TopicPartition tp(r.topic, *r.partition);
      switch (r.offset->kind) {
        case StartOffset::kEarliest:
          s = (*consumer)->SeekToBeginning({tp});
          break;
        case StartOffset::kLatest:
          s = (*consumer)->SeekToEnd({tp});
          break;
        case StartOffset::kAt:
          s = (*consumer)->Seek(tp, r.offset->offset);
          break;
      }
      if (!s.ok()) return s;
    }
    if (committer) {
      s = committer->Start(partitions);
      if (!s.ok()) return s;
    }
    s = ResolvePositions(**consumer);
    if (!s.ok()) return s;
  }
  absl::Status status = PollLoop(r, **consumer,
                                 committer ? &*committer : nullptr, subscribed);
  // Commit at exit even after a failure: what was printed stays consumed.
  if (committer) {
    absl::Status committed = committer->CommitAll();
    if (status.ok()) status = committed;
  }
  absl::Status closed = (*consumer)->Close();
  return status.ok() ? closed : status;
}

}  // namespace

absl::Status RunConsume(absl::Span<const std::string> args,
                        Target target) {
  static const FlagSpec kSpecs[] = {
      {"data"}, {"bootstrap-server"},      {"from-beginning", /*takes_value=*/false},
      {"partition"}, {"offset"},
      {"max"},       {"timeout-ms"},
      {"group"},     {"format"},
  };
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(ConsumeHelp());
  target.Update(*flags);
  absl::StatusOr<ConsumeRequest> request = ParseRequest(*flags);
  if (!request.ok()) return request.status();

  // Before the engine starts any thread: see SignalWakeup.
  SignalWakeup signals;
  // Without a group nothing is written: a directory another process holds
  // is read (and followed) through a read-only engine. A group commits.
  absl::StatusOr<std::unique_ptr<Client>> engine =
      OpenClient(target, kCommand,
                 request->group.empty() ? Access::kRead : Access::kWrite,
                 request->group.empty() ? std::string(kCommand)
                                        : absl::StrCat(kCommand, " --group"));
  if (!engine.ok()) return engine.status();
  absl::Status status = Consume(*request, **engine, signals);
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
