// Fuzzes the CLI's argument parsing: each input line is one command-line
// word, parsed against the union of every command's flags, then the values
// through the number and KEY=VALUE parsers and the subcommand check.
// Errors are usage errors, never crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "flags.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using brook::cli::FlagSpec;
  static const FlagSpec kSpecs[] = {
      {"partitions"}, {"config", true, true}, {"key-separator"},
      {"acks"},       {"header", true, true}, {"from-beginning", false},
      {"group"},      {"max"},                {"timeout-ms"},
      {"format"},     {"partition"},          {"offset"},
      {"topic"},      {"to-earliest", false}, {"to-offset"},
      {"shift-by"},   {"to-datetime"},        {"execute", false},
      {"key"},        {"key-hex"},
  };
  static const brook::cli::Subcommand kSubcommands[] = {
      {"create", true}, {"list", false}, {"describe", true}, {"delete", true}};
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> args = absl::StrSplit(input, '\n');
  absl::StatusOr<brook::cli::ParsedFlags> flags =
      brook::cli::ParseFlags(args, kSpecs, "fuzz");
  if (!flags.ok()) return 0;
  for (const FlagSpec& spec : kSpecs) {
    for (const std::string& value : flags->GetAll(spec.name)) {
      brook::cli::ParseIntFlag(spec.name, value, INT32_MIN, INT32_MAX, "fuzz")
          .IgnoreError();
      brook::cli::ParseKeyValueFlag(spec.name, value, "fuzz").IgnoreError();
    }
  }
  brook::cli::ParseSubcommand(flags->positional(), kSubcommands, "topic", "fuzz")
      .IgnoreError();
  return 0;
}
