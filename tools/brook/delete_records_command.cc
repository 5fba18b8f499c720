// brook delete-records: Admin::DeleteRecords, as kafka-delete-records.sh
// offers it (one partition by flags, or a JSON file of them).
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/brook.h"
#include "cli_status.h"
#include "commands.h"
#include "client_open.h"
#include "flags.h"
#include "json_min.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "delete-records";

// kafka-delete-records.sh's --offset-json-file format:
// {"partitions":[{"topic":"t","partition":0,"offset":5}],"version":1}.
absl::StatusOr<std::map<TopicPartition, int64_t>> ParseOffsetFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return UsageError(absl::StrCat("cannot read --offset-json-file ", path),
                      kCommand);
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<JsonValue> json = JsonValue::Parse(text.str());
  auto bad = [&](absl::string_view why) {
    return UsageError(absl::StrCat("--offset-json-file ", path, ": ", why),
                      kCommand);
  };
  if (!json.ok()) return bad(json.status().message());
  const JsonValue* partitions =
      json->type() == JsonValue::Type::kObject ? json->Find("partitions")
                                               : nullptr;
  if (partitions == nullptr ||
      partitions->type() != JsonValue::Type::kArray) {
    return bad("expected {\"partitions\": [{\"topic\": ..., \"partition\": "
               "..., \"offset\": ...}, ...]}");
  }
  std::map<TopicPartition, int64_t> out;
  for (const JsonValue& entry : partitions->array()) {
    const JsonValue* topic = entry.type() == JsonValue::Type::kObject
                                 ? entry.Find("topic")
                                 : nullptr;
    const JsonValue* partition = topic != nullptr ? entry.Find("partition")
                                                  : nullptr;
    const JsonValue* offset = topic != nullptr ? entry.Find("offset")
                                               : nullptr;
    if (topic == nullptr || partition == nullptr || offset == nullptr ||
        topic->type() != JsonValue::Type::kString ||
        partition->type() != JsonValue::Type::kInt ||
        offset->type() != JsonValue::Type::kInt ||
        partition->int_value() < 0 || partition->int_value() > INT32_MAX) {
      return bad("each partition needs \"topic\" (a string), \"partition\" "
                 "and \"offset\" (integers)");
    }
    TopicPartition tp(topic->string_value(),
                      static_cast<int32_t>(partition->int_value()));
    if (!out.emplace(tp, offset->int_value()).second) {
      return bad(absl::StrCat("partition ", tp.topic, "-", tp.partition,
                              " is listed twice"));
    }
  }
  if (out.empty()) return bad("no partition listed");
  return out;
}

absl::StatusOr<std::map<TopicPartition, int64_t>> ParseRequest(
    const ParsedFlags& flags) {
  if (flags.Has("offset-json-file")) {
    if (flags.Has("topic") || flags.Has("partition") || flags.Has("offset")) {
      return UsageError(
          "give either --offset-json-file or --topic, --partition and "
          "--offset",
          kCommand);
    }
    return ParseOffsetFile(*flags.Get("offset-json-file"));
  }
  std::optional<std::string> topic = flags.Get("topic");
  std::optional<std::string> partition = flags.Get("partition");
  std::optional<std::string> offset = flags.Get("offset");
  if (!topic || !partition || !offset) {
    return UsageError(
        "'delete-records' needs --topic, --partition and --offset (or "
        "--offset-json-file)",
        kCommand);
  }
  absl::StatusOr<int64_t> p =
      ParseIntFlag("partition", *partition, 0, INT32_MAX, kCommand);
  if (!p.ok()) return p.status();
  absl::StatusOr<int64_t> o =
      ParseIntFlag("offset", *offset, -1, INT64_MAX, kCommand);
  if (!o.ok()) return o.status();
  return std::map<TopicPartition, int64_t>{
      {TopicPartition(*topic, static_cast<int32_t>(*p)), *o}};
}

}  // namespace

absl::Status RunDeleteRecords(absl::Span<const std::string> args,
                              Target target) {
  static const FlagSpec kSpecs[] = {
      {"data"}, {"bootstrap-server"}, {"topic"}, {"partition"}, {"offset"}, {"offset-json-file"}};
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(DeleteRecordsHelp());
  target.Update(*flags);
  if (!flags->positional().empty()) {
    return UsageError("'delete-records' takes no arguments", kCommand);
  }
  absl::StatusOr<std::map<TopicPartition, int64_t>> request =
      ParseRequest(*flags);
  if (!request.ok()) return request.status();

  absl::StatusOr<std::unique_ptr<Client>> engine =
      OpenClient(target, kCommand, Access::kWrite, std::string(kCommand));
  if (!engine.ok()) return engine.status();
  absl::StatusOr<std::map<TopicPartition, int64_t>> low =
      (*engine)->admin().DeleteRecords(*request);
  absl::Status status = low.status();
  if (low.ok()) {
    std::string out = "Records delete operation completed:\n";
    for (const auto& [tp, offset] : *low) {
      absl::StrAppend(&out, "partition: ", tp.topic, "-", tp.partition,
                      "\tlow_watermark: ", offset, "\n");
    }
    status = WriteStdout(out);
  }
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
