// brook topics: Admin's create, list, describe and delete, one subcommand
// each, as kafka-topics.sh offers them; alter (more partitions, as
// kafka-topics.sh --alter, and configuration changes, as kafka-configs.sh
// --alter) and clean (Admin::CleanTopics).
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "brook/brook.h"
#include "cli_status.h"
#include "commands.h"
#include "client_open.h"
#include "flags.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "topics";

// What 'topics create' needs besides the name, checked before the data
// directory is opened so a usage error never touches it.
struct CreateRequest {
  int32_t partitions = -1;  // Without --partitions: num.partitions.
  Properties config;
};

absl::StatusOr<CreateRequest> ParseCreate(const ParsedFlags& flags) {
  CreateRequest request;
  if (std::optional<std::string> text = flags.Get("partitions")) {
    absl::StatusOr<int64_t> partitions =
        ParseIntFlag("partitions", *text, 1, INT32_MAX, kCommand);
    if (!partitions.ok()) return partitions.status();
    request.partitions = static_cast<int32_t>(*partitions);
  }
  for (const std::string& text : flags.GetAll("config")) {
    auto kv = ParseKeyValueFlag("config", text, kCommand);
    if (!kv.ok()) return kv.status();
    request.config[kv->first] = kv->second;  // The last value of a key wins.
  }
  return request;
}

absl::Status Create(Admin& admin, const std::string& name,
                    const CreateRequest& request) {
  absl::Status s = admin.CreateTopic(name, request.partitions, request.config);
  if (!s.ok()) return s;
  size_t partitions = static_cast<size_t>(request.partitions);
  if (request.partitions == -1) {
    absl::StatusOr<TopicDescription> d = admin.DescribeTopic(name);
    if (!d.ok()) return d.status();
    partitions = d->partitions.size();
  }
  return WriteStdout(absl::StrCat("Created topic ", name, " with ", partitions,
                                  partitions == 1 ? " partition.\n"
                                                  : " partitions.\n"));
}

absl::Status List(Admin& admin) {
  absl::StatusOr<std::vector<std::string>> names = admin.ListTopics();
  if (!names.ok()) return names.status();
  std::string out;
  for (const std::string& name : *names) absl::StrAppend(&out, name, "\n");
  return WriteStdout(out);
}

// A header block, then one table row per partition, numbers right-aligned
// under their column titles.
std::string FormatDescription(const TopicDescription& d) {
  std::vector<std::string> configs;
  for (const auto& [key, value] : d.config.ToProperties()) {
    configs.push_back(absl::StrCat(key, "=", value));
  }
  std::string out = absl::StrCat(
      "Topic: ", d.name, "\n", "PartitionCount: ", d.partitions.size(), "\n",
      "Configs: ", absl::StrJoin(configs, ", "), "\n");
  absl::StrAppendFormat(&out, "%9s  %14s  %12s  %12s\n", "Partition",
                        "LogStartOffset", "LogEndOffset", "SizeBytes");
  for (const PartitionDescription& p : d.partitions) {
    // A cluster does not report sizes through librdkafka: "-".
    absl::StrAppendFormat(
        &out, "%9d  %14d  %12d  %12s\n", p.partition, p.log_start_offset,
        p.log_end_offset,
        p.size_bytes < 0 ? std::string("-") : absl::StrCat(p.size_bytes));
  }
  return out;
}

absl::Status Clean(Admin& admin, const std::vector<std::string>& topics) {
  absl::StatusOr<std::vector<CleanedPartition>> cleaned =
      admin.CleanTopics(topics);
  if (!cleaned.ok()) return cleaned.status();
  if (cleaned->empty()) return WriteStdout("Nothing to remove.\n");
  std::string out = absl::StrFormat("%-30s %9s %15s %13s %14s\n", "TOPIC",
                                    "PARTITION", "RECORDS-REMOVED",
                                    "BYTES-REMOVED", "LOG-START-OFFSET");
  for (const CleanedPartition& c : *cleaned) {
    absl::StrAppendFormat(&out, "%-30s %9d %15d %13d %14d\n", c.topic,
                          c.partition, c.records_removed, c.bytes_removed,
                          c.log_start_offset);
  }
  return WriteStdout(out);
}

absl::Status Describe(Admin& admin, const std::string& name) {
  absl::StatusOr<TopicDescription> d = admin.DescribeTopic(name);
  if (!d.ok()) return d.status();
  return WriteStdout(FormatDescription(*d));
}

// Partitions first, as kafka-topics.sh and kafka-configs.sh would run in
// that order.
absl::Status Alter(Admin& admin, const std::string& name,
                   std::optional<int32_t> partitions,
                   const std::vector<AlterConfigOp>& config) {
  if (partitions) {
    // kafka-topics.sh's warning, on stderr to keep stdout for results.
    std::fputs(
        "WARNING: If partitions are increased for a topic that has a key, "
        "the partition logic or ordering of the messages will be "
        "affected\n",
        stderr);
    absl::Status s = admin.CreatePartitions(name, *partitions);
    if (!s.ok()) return s;
    s = WriteStdout(absl::StrCat("Topic ", name, " now has ", *partitions,
                                 " partitions.\n"));
    if (!s.ok()) return s;
  }
  if (config.empty()) return absl::OkStatus();
  absl::Status s = admin.IncrementalAlterConfigs(name, config);
  if (!s.ok()) return s;
  return WriteStdout(
      absl::StrCat("Updated the configuration of topic ", name, ".\n"));
}

absl::Status Delete(Admin& admin, const std::string& name) {
  absl::Status s = admin.DeleteTopic(name);
  if (!s.ok()) return s;
  return WriteStdout(absl::StrCat("Deleted topic ", name, ".\n"));
}

}  // namespace

absl::Status RunTopics(absl::Span<const std::string> args,
                       Target target) {
  static const FlagSpec kSpecs[] = {
      {"data"}, {"bootstrap-server"},
      {"partitions"},
      {"config", /*takes_value=*/true, /*repeated=*/true},
      {"delete-config", /*takes_value=*/true, /*repeated=*/true},
  };
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(TopicsHelp());
  target.Update(*flags);

  static constexpr Subcommand kSubcommands[] = {
      {"create", true}, {"list", false},
      {"describe", true}, {"alter", true},
      {"delete", true}, {"clean", true, /*operand_optional=*/true}};
  absl::StatusOr<std::string> parsed = ParseSubcommand(
      flags->positional(), kSubcommands, "topic name", kCommand);
  if (!parsed.ok()) return parsed.status();
  const std::string& sub = *parsed;
  const std::vector<std::string>& words = flags->positional();
  const bool is_create = sub == "create";
  const bool is_alter = sub == "alter";
  // Flags a subcommand does not understand are a mistake, not ignored.
  if (!is_create && !is_alter &&
      (flags->Has("partitions") || flags->Has("config"))) {
    return UsageError(absl::StrCat("--partitions and --config apply only to "
                                   "'topics create' (and --config to "
                                   "'topics alter'), not 'topics ",
                                   sub, "'"),
                      kCommand);
  }
  if (!is_alter && flags->Has("delete-config")) {
    return UsageError("--delete-config applies only to 'topics alter'",
                      kCommand);
  }
  std::vector<AlterConfigOp> alter;
  std::optional<int32_t> new_partitions;
  if (is_alter) {
    if (std::optional<std::string> text = flags->Get("partitions")) {
      absl::StatusOr<int64_t> n =
          ParseIntFlag("partitions", *text, 1, INT32_MAX, kCommand);
      if (!n.ok()) return n.status();
      new_partitions = static_cast<int32_t>(*n);
    }
    for (const std::string& text : flags->GetAll("config")) {
      auto kv = ParseKeyValueFlag("config", text, kCommand);
      if (!kv.ok()) return kv.status();
      alter.push_back(AlterConfigOp{kv->first, kv->second,
                                    AlterConfigOp::Type::kSet});
    }
    for (const std::string& key : flags->GetAll("delete-config")) {
      alter.push_back(AlterConfigOp{key, "", AlterConfigOp::Type::kDelete});
    }
    if (alter.empty() && !new_partitions) {
      return UsageError(
          "'topics alter' needs --partitions N, --config KEY=VALUE or "
          "--delete-config KEY",
          kCommand);
    }
  }

  // The broker applies retention and compaction itself; no client call
  // triggers them (Admin::CleanTopics is Unsupported there).
  if (sub == "clean" && target.IsCluster()) {
    return UsageError(
        "'topics clean' applies retention and compaction in a local data "
        "directory; a Kafka cluster (--bootstrap-server) applies them itself "
        "(log.retention.check.interval.ms, the log cleaner)",
        kCommand);
  }

  CreateRequest create;
  if (is_create) {
    absl::StatusOr<CreateRequest> parsed = ParseCreate(*flags);
    if (!parsed.ok()) return parsed.status();
    create = *std::move(parsed);
  }

  absl::StatusOr<std::unique_ptr<Client>> engine = OpenClient(
      target, kCommand,
      sub == "list" || sub == "describe" ? Access::kRead : Access::kWrite,
      absl::StrCat(kCommand, " ", sub));
  if (!engine.ok()) return engine.status();
  Admin& admin = (*engine)->admin();
  absl::Status status;
  if (is_create) {
    status = Create(admin, words[1], create);
  } else if (sub == "list") {
    status = List(admin);
  } else if (sub == "describe") {
    status = Describe(admin, words[1]);
  } else if (is_alter) {
    status = Alter(admin, words[1], new_partitions, alter);
  } else if (sub == "clean") {
    status = Clean(admin, std::vector<std::string>(words.begin() + 1,
                                                   words.end()));
  } else {
    status = Delete(admin, words[1]);
  }
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
