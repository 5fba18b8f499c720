// brook salvage: opens a damaged data directory with EngineOptions::salvage
// and prints what was lost, so that a directory a normal open refuses (with
// Corruption naming the lost records) can be used again.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "brook/brook.h"
#include "cli_status.h"
#include "commands.h"
#include "flags.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "salvage";

}  // namespace

absl::Status RunSalvage(absl::Span<const std::string> args,
                        Target target) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, {}, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(SalvageHelp());
  if (!flags->positional().empty()) {
    return UsageError("'salvage' takes no arguments", kCommand);
  }
  if (target.bootstrap_servers.has_value()) {
    return UsageError(
        "'salvage' repairs a local data directory; it has no meaning for a "
        "Kafka cluster (--bootstrap-server)",
        kCommand);
  }
  if (!target.data_dir.has_value() || target.data_dir->empty()) {
    return UsageError("'salvage' needs --data DIR", kCommand);
  }
  const std::string& data_dir = *target.data_dir;
  EngineOptions options;
  options.salvage = true;
  options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(options, data_dir);
  if (!engine.ok()) return engine.status();
  const std::vector<LostRecords>& lost = (*engine)->lost_records();
  std::string out;
  if (lost.empty()) {
    absl::StrAppend(&out, "Nothing acknowledged was lost; ", data_dir,
                    " opens normally.\n");
  } else {
    int64_t total = 0;
    absl::StrAppend(&out, absl::StrFormat("%-30s %9s %12s %12s %9s\n", "TOPIC",
                                          "PARTITION", "FIRST-LOST",
                                          "LAST-LOST", "RECORDS"));
    for (const LostRecords& l : lost) {
      total += l.to_offset - l.from_offset;
      absl::StrAppend(
          &out, absl::StrFormat("%-30s %9d %12d %12d %9d\n", l.topic,
                                l.partition, l.from_offset, l.to_offset - 1,
                                l.to_offset - l.from_offset));
    }
    absl::StrAppend(&out, "\n", total,
                    " acknowledged record(s) were lost to damage. ", data_dir,
                    " now opens normally with what remains; each partition "
                    "above continues after its last lost offset.\n");
  }
  absl::Status status = WriteStdout(out);
  absl::Status closed = (*engine)->Close();
  return status.ok() ? closed : status;
}

}  // namespace cli
}  // namespace brook
