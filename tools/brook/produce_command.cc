// brook produce: kafka-console-producer over stdin. One record per line;
// the command succeeds only when every record has been acknowledged.
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "brook/brook.h"
#include "cli_status.h"
#include "commands.h"
#include "client_open.h"
#include "flags.h"
#include "send_tracker.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "produce";

struct ProduceRequest {
  std::string topic;
  std::optional<std::string> key_separator;
  std::optional<int32_t> partition;
  Acks acks = Acks::kAll;
  std::vector<Header> headers;
};

absl::StatusOr<Acks> ParseAcks(absl::string_view text) {
  if (text == "0") return Acks::kNone;
  if (text == "1") return Acks::kLeader;
  if (text == "all" || text == "-1") return Acks::kAll;
  return UsageError(
      absl::StrCat("--acks must be 0, 1, all or -1, got \"", text, "\""),
      kCommand);
}

absl::StatusOr<ProduceRequest> ParseRequest(const ParsedFlags& flags) {
  ProduceRequest r;
  if (flags.positional().size() != 1) {
    return UsageError("'produce' takes exactly one topic name", kCommand);
  }
  r.topic = flags.positional()[0];
  r.key_separator = flags.Get("key-separator");
  if (r.key_separator && r.key_separator->empty()) {
    return UsageError("--key-separator must not be empty", kCommand);
  }
  if (std::optional<std::string> p = flags.Get("partition")) {
    absl::StatusOr<int64_t> v =
        ParseIntFlag("partition", *p, 0, INT32_MAX, kCommand);
    if (!v.ok()) return v.status();
    r.partition = static_cast<int32_t>(*v);
  }
  if (std::optional<std::string> a = flags.Get("acks")) {
    absl::StatusOr<Acks> acks = ParseAcks(*a);
    if (!acks.ok()) return acks.status();
    r.acks = *acks;
  }
  for (const std::string& text : flags.GetAll("header")) {
    auto kv = ParseKeyValueFlag("header", text, kCommand);
    if (!kv.ok()) return kv.status();
    r.headers.push_back(Header{kv->first, kv->second});
  }
  return r;
}

// The record for one input line, split at the first separator when one is
// configured (as kafka-console-producer's parse.key does).
ProducerRecord MakeRecord(const ProduceRequest& r, std::string line) {
  ProducerRecord record;
  record.topic = r.topic;
  record.partition = r.partition;
  record.headers = r.headers;
  if (r.key_separator) {
    const size_t at = line.find(*r.key_separator);
    if (at != std::string::npos) {
      record.key = line.substr(0, at);
      line.erase(0, at + r.key_separator->size());
    }
  }
  record.value = std::move(line);
  return record;
}

// Sends every stdin line; stops reading at the first failed send, since the
// command fails anyway and the rest would likely fail the same way.
absl::Status SendLines(const ProduceRequest& r, Producer& producer,
                       SendTracker& tracker) {
  std::string line;
  int64_t line_number = 0;
  while (!tracker.failed() && std::getline(std::cin, line)) {
    ++line_number;
    producer.Send(MakeRecord(r, std::move(line)), tracker.Track(line_number));
    line.clear();
  }
  if (std::cin.bad()) return absl::InternalError("reading stdin failed");
  return absl::OkStatus();
}

absl::Status Produce(const ProduceRequest& r, Client& engine) {
  ProducerOptions options;
  options.acks = r.acks;
  options.linger = absl::Milliseconds(5);
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      engine.CreateProducer(options);
  if (!producer.ok()) return producer.status();

  // Check the topic and partition before reading stdin, so a typo fails at
  // once even when no input ever comes.
  absl::StatusOr<int32_t> partitions = (*producer)->PartitionsFor(r.topic);
  if (!partitions.ok()) return partitions.status();
  if (r.partition && *r.partition >= *partitions) {
    return Error(ErrorCode::kUnknownTopicOrPartition,
                 absl::StrCat("topic ", r.topic, " has ", *partitions,
                              " partitions; partition ", *r.partition,
                              " does not exist"));
  }

  SendTracker tracker;
  absl::Status read = SendLines(r, **producer, tracker);
  absl::Status flushed = (*producer)->Flush();
  absl::Status closed = (*producer)->Close();
  // Wait for every callback even when something failed: they reference
  // `tracker`.
  absl::Status sent = tracker.AwaitAll();
  for (const absl::Status& s : {sent, read, flushed, closed}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunProduce(absl::Span<const std::string> args,
                        Target target) {
  static const FlagSpec kSpecs[] = {
      {"data"}, {"bootstrap-server"},
      {"key-separator"},
      {"partition"},
      {"acks"},
      {"header", /*takes_value=*/true, /*repeated=*/true},
  };
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(ProduceHelp());
  target.Update(*flags);
  absl::StatusOr<ProduceRequest> request = ParseRequest(*flags);
  if (!request.ok()) return request.status();

  absl::StatusOr<std::unique_ptr<Client>> engine =
      OpenClient(target, kCommand, Access::kWrite, kCommand);
  if (!engine.ok()) return engine.status();
  absl::Status status = Produce(*request, **engine);
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
