// Command-line flag parsing for the brook CLI: GNU-style long flags
// ("--name value" or "--name=value"), boolean flags, repeatable flags,
// positional arguments, "--" to end flags, and "--help"/"-h". Hand-written
// because the commands are few and the error messages matter more than
// generality. Number helpers turn flag text into checked integers.
#ifndef BROOK_TOOLS_BROOK_FLAGS_H_
#define BROOK_TOOLS_BROOK_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace brook {
namespace cli {

struct FlagSpec {
  std::string name;  // Without the leading "--".
  bool takes_value = true;
  bool repeated = false;  // May appear more than once; else once at most.
};

// The outcome of parsing one command's arguments. A plain value.
class ParsedFlags {
 public:
  // True when --help or -h appeared where a flag could; parsing stops there.
  bool help() const { return help_; }
  bool Has(absl::string_view name) const;
  // The value of a single-valued flag, if given.
  std::optional<std::string> Get(absl::string_view name) const;
  // Every value of a repeated flag, in command-line order.
  std::vector<std::string> GetAll(absl::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend absl::StatusOr<ParsedFlags> ParseFlags(
      absl::Span<const std::string> args, absl::Span<const FlagSpec> specs,
      absl::string_view command);

  bool help_ = false;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// Parses `args` (the words after the command name) against `specs`. Usage
// errors name `command` so the message can point at its --help: unknown flag,
// missing value, a value given to a boolean flag, a single flag repeated.
absl::StatusOr<ParsedFlags> ParseFlags(absl::Span<const std::string> args,
                                       absl::Span<const FlagSpec> specs,
                                       absl::string_view command);

// Parses the value of flag `name` as a decimal integer in [min, max]; a
// usage error otherwise ("--partitions must be an integer in [1, ...]").
absl::StatusOr<int64_t> ParseIntFlag(absl::string_view name,
                                     absl::string_view text, int64_t min,
                                     int64_t max, absl::string_view command);

// Splits "KEY=VALUE" at the first '='. Usage error when there is no '=' or
// the key is empty.
absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValueFlag(
    absl::string_view name, absl::string_view text, absl::string_view command);

// One subcommand of a command ("topics create NAME", "groups list").
struct Subcommand {
  absl::string_view name;
  bool takes_operand;  // One more word (the topic, the group).
  bool operand_optional = false;  // ... or none.
};

// Checks the positional words of a command with subcommands: the first must
// name one of `subcommands` (listed in that order in the error), followed by
// one `operand` ("topic name") when it takes one (or by none, when it is
// optional), else by nothing. Returns the subcommand; a usage error
// otherwise.
absl::StatusOr<std::string> ParseSubcommand(
    const std::vector<std::string>& words,
    absl::Span<const Subcommand> subcommands, absl::string_view operand,
    absl::string_view command);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_FLAGS_H_
