// brook groups: Admin's group list, describe, reset-offsets and delete, as
// kafka-consumer-groups.sh offers them (same column titles, "-" where a
// value is unknown).
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
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

constexpr absl::string_view kCommand = "groups";

// Left-aligned columns, each as wide as its widest cell, one space apart (as
// kafka-consumer-groups.sh prints them).
std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 1, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string OrDash(int64_t v) { return v < 0 ? "-" : absl::StrCat(v); }

absl::Status List(Admin& admin) {
  absl::StatusOr<std::vector<std::string>> groups = admin.ListGroups();
  if (!groups.ok()) return groups.status();
  std::string out;
  for (const std::string& g : *groups) absl::StrAppend(&out, g, "\n");
  return WriteStdout(out);
}

// `cluster`: the group lives on a Kafka cluster (--bootstrap-server), not in
// a data directory another process holds.
absl::Status Describe(Admin& admin, const std::string& group, bool cluster) {
  absl::StatusOr<ConsumerGroupDescription> d = admin.DescribeGroup(group);
  if (!d.ok()) return d.status();
  if (d->state == ConsumerGroupState::kDead) {
    return absl::NotFoundError(
        absl::StrCat("consumer group ", group, " does not exist"));
  }
  absl::StatusOr<std::vector<GroupPartitionOffset>> offsets =
      admin.ListGroupOffsets(group);
  if (!offsets.ok()) return offsets.status();

  // One row per partition that is committed or assigned (Kafka shows both),
  // then one row per member without partitions.
  struct Row {
    int64_t current = -1, end = -1;
    std::optional<int64_t> lag;
    std::string consumer_id = "-", host = "-", client_id = "-";
  };
  std::map<TopicPartition, Row> rows;
  for (const GroupPartitionOffset& o : *offsets) {
    Row& r = rows[o.partition];
    r.current = o.committed_offset;
    r.end = o.log_end_offset;
    r.lag = o.lag;
  }
  std::vector<const MemberDescription*> idle;
  for (const MemberDescription& m : d->members) {
    if (m.assignment.empty()) idle.push_back(&m);
    for (const TopicPartition& tp : m.assignment) {
      Row& r = rows[tp];
      r.consumer_id = m.member_id;
      r.host = m.host;
      r.client_id = m.client_id;
    }
  }
  // Assigned partitions without a committed offset still show their log end.
  std::map<std::string, std::optional<TopicDescription>> topics;
  for (auto& [tp, r] : rows) {
    if (r.end >= 0) continue;
    auto it = topics.find(tp.topic);
    if (it == topics.end()) {
      absl::StatusOr<TopicDescription> t = admin.DescribeTopic(tp.topic);
      it = topics
               .emplace(tp.topic, t.ok() ? std::optional<TopicDescription>(*t)
                                         : std::nullopt)
               .first;
    }
    if (it->second && tp.partition >= 0 &&
        static_cast<size_t>(tp.partition) < it->second->partitions.size()) {
      r.end = it->second->partitions[tp.partition].log_end_offset;
    }
  }

  std::string out;
  if (d->members.empty()) {
    absl::StrAppend(&out, "Consumer group '", group,
                    "' has no active members.\n\n");
  } else if (!cluster) {
    // The CLI reads the directory read-only: members exist only while
    // another process holds it, as of that process's last rebalance.
    absl::StrAppend(&out, "Consumer group '", group,
                    "': the data directory is open in another process; "
                    "members as of its last rebalance, offsets and lag as "
                    "of now.\n\n");
  } else if (d->state == ConsumerGroupState::kPreparingRebalance ||
             d->state == ConsumerGroupState::kCompletingRebalance) {
    // As kafka-consumer-groups.sh: the assignment shown is about to change.
    absl::StrAppend(&out, "Warning: Consumer group '", group,
                    "' is rebalancing.\n\n");
  }
  std::vector<std::vector<std::string>> table = {
      {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
       "CONSUMER-ID", "HOST", "CLIENT-ID"}};
  for (const auto& [tp, r] : rows) {
    table.push_back({group, tp.topic, absl::StrCat(tp.partition),
                     OrDash(r.current), OrDash(r.end),
                     r.lag ? absl::StrCat(*r.lag) : "-",
                     r.consumer_id, r.host, r.client_id});
  }
  for (const MemberDescription* m : idle) {
    table.push_back(
        {group, "-", "-", "-", "-", "-", m->member_id, m->host, m->client_id});
  }
  absl::StrAppend(&out, FormatTable(table));
  return WriteStdout(out);
}

// kafka-consumer-groups.sh's --to-datetime takes 'YYYY-MM-DDTHH:mm:SS.sss'
// with an optional zone; without one, brook reads it as UTC (Kafka uses the
// local zone) so a command means the same on every machine.
absl::StatusOr<absl::Time> ParseDateTime(const std::string& text) {
  static const char* const kFormats[] = {
      "%Y-%m-%d%ET%H:%M:%E*S%Ez",
      "%Y-%m-%d%ET%H:%M:%E*SZ",
      "%Y-%m-%d%ET%H:%M:%E*S",
      "%Y-%m-%d%ET%H:%M%Ez",
      "%Y-%m-%d%ET%H:%MZ",
      "%Y-%m-%d%ET%H:%M",
      "%Y-%m-%d",
  };
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &err)) {
      return t;
    }
  }
  return UsageError(
      absl::StrCat("--to-datetime must be ISO 8601 like "
                   "2026-01-01T12:00:00.000 or 2026-01-01T12:00:00+02:00, "
                   "not \"",
                   text, "\""),
      kCommand);
}

absl::StatusOr<OffsetResetSpec> ParseResetSpec(const ParsedFlags& flags) {
  std::vector<std::string> given;
  for (const char* name :
       {"to-earliest", "to-latest", "to-datetime", "to-offset", "shift-by"}) {
    if (flags.Has(name)) given.push_back(absl::StrCat("--", name));
  }
  if (given.size() != 1) {
    return UsageError(
        given.empty()
            ? "'groups reset-offsets' needs one of --to-earliest, "
              "--to-latest, --to-datetime, --to-offset, --shift-by"
            : absl::StrCat("give only one of ", absl::StrJoin(given, ", ")),
        kCommand);
  }
  if (flags.Has("to-earliest")) return OffsetResetSpec::ToEarliest();
  if (flags.Has("to-latest")) return OffsetResetSpec::ToLatest();
  if (flags.Has("to-datetime")) {
    absl::StatusOr<absl::Time> t = ParseDateTime(*flags.Get("to-datetime"));
    if (!t.ok()) return t.status();
    return OffsetResetSpec::ToTimestamp(*t);
  }
  if (flags.Has("to-offset")) {
    absl::StatusOr<int64_t> n = ParseIntFlag(
        "to-offset", *flags.Get("to-offset"), 0, INT64_MAX, kCommand);
    if (!n.ok()) return n.status();
    return OffsetResetSpec::ToOffset(*n);
  }
  absl::StatusOr<int64_t> n = ParseIntFlag("shift-by", *flags.Get("shift-by"),
                                           INT64_MIN, INT64_MAX, kCommand);
  if (!n.ok()) return n.status();
  return OffsetResetSpec::ShiftBy(*n);
}

absl::Status ResetOffsets(Admin& admin, const std::string& group,
                          const std::string& topic, const OffsetResetSpec& spec,
                          bool execute) {
  absl::StatusOr<std::vector<OffsetResetPlanEntry>> plan =
      admin.ResetOffsets(group, topic, spec, /*dry_run=*/!execute);
  if (!plan.ok()) return plan.status();
  std::vector<std::vector<std::string>> table = {
      {"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}};
  for (const OffsetResetPlanEntry& e : *plan) {
    table.push_back({group, e.partition.topic,
                     absl::StrCat(e.partition.partition), OrDash(e.old_offset),
                     absl::StrCat(e.new_offset)});
  }
  std::string out = FormatTable(table);
  if (!execute) {
    absl::StrAppend(&out,
                    "Dry run: nothing was changed; add --execute to apply.\n");
  }
  return WriteStdout(out);
}

absl::Status Delete(Admin& admin, const std::string& group) {
  absl::Status s = admin.DeleteGroup(group);
  // The same words from a data directory and a cluster (whose message is
  // the broker's "The group id does not exist").
  if (GetErrorCode(s) == ErrorCode::kGroupIdNotFound) {
    return Error(ErrorCode::kGroupIdNotFound,
                 absl::StrCat("group ", group, " does not exist"));
  }
  if (!s.ok()) return s;
  return WriteStdout(absl::StrCat("Deletion of requested consumer groups ('",
                                  group, "') was successful.\n"));
}

}  // namespace

absl::Status RunGroups(absl::Span<const std::string> args,
                       Target target) {
  static const FlagSpec kSpecs[] = {
      {"data"}, {"bootstrap-server"},
      {"topic"},
      {"to-earliest", /*takes_value=*/false},
      {"to-latest", /*takes_value=*/false},
      {"to-datetime"},
      {"to-offset"},
      {"shift-by"},
      {"execute", /*takes_value=*/false},
      {"dry-run", /*takes_value=*/false},
  };
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(GroupsHelp());
  target.Update(*flags);

  static constexpr Subcommand kSubcommands[] = {{"list", false},
                                                {"describe", true},
                                                {"reset-offsets", true},
                                                {"delete", true}};
  absl::StatusOr<std::string> parsed =
      ParseSubcommand(flags->positional(), kSubcommands, "group id", kCommand);
  if (!parsed.ok()) return parsed.status();
  const std::string& sub = *parsed;
  const std::vector<std::string>& words = flags->positional();
  const bool is_reset = sub == "reset-offsets";
  const bool has_reset_flags =
      flags->Has("topic") || flags->Has("to-earliest") ||
      flags->Has("to-latest") || flags->Has("to-datetime") ||
      flags->Has("to-offset") || flags->Has("shift-by") ||
      flags->Has("execute") || flags->Has("dry-run");
  if (!is_reset && has_reset_flags) {
    return UsageError(absl::StrCat("--topic, --to-*, --shift-by, --execute "
                                   "and --dry-run apply only to 'groups "
                                   "reset-offsets', not 'groups ",
                                   sub, "'"),
                      kCommand);
  }
  OffsetResetSpec spec;
  std::string topic;
  if (is_reset) {
    if (!flags->Get("topic")) {
      return UsageError("'groups reset-offsets' needs --topic T", kCommand);
    }
    topic = *flags->Get("topic");
    if (flags->Has("execute") && flags->Has("dry-run")) {
      return UsageError("give only one of --execute and --dry-run", kCommand);
    }
    absl::StatusOr<OffsetResetSpec> parsed = ParseResetSpec(*flags);
    if (!parsed.ok()) return parsed.status();
    spec = *parsed;
  }

  absl::StatusOr<std::unique_ptr<Client>> engine = OpenClient(
      target, kCommand,
      sub == "delete" || flags->Has("execute") ? Access::kWrite : Access::kRead,
      absl::StrCat(kCommand, " ", sub));
  if (!engine.ok()) return engine.status();
  Admin& admin = (*engine)->admin();
  absl::Status status;
  if (sub == "list") {
    status = List(admin);
  } else if (sub == "describe") {
    status = Describe(admin, words[1], target.IsCluster());
  } else if (is_reset) {
    status = ResetOffsets(admin, words[1], topic, spec, flags->Has("execute"));
  } else {
    status = Delete(admin, words[1]);
  }
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
