#include "flags.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli_status.h"

namespace brook {
namespace cli {

bool ParsedFlags::Has(absl::string_view name) const {
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedFlags::Get(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedFlags::GetAll(absl::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

absl::StatusOr<ParsedFlags> ParseFlags(absl::Span<const std::string> args,
                                       absl::Span<const FlagSpec> specs,
                                       absl::string_view command) {
  ParsedFlags out;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // A lone "-" is an ordinary argument (conventionally stdin), as is
    // anything after "--".
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      out.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.help_ = true;
      return out;
    }
    if (!absl::StartsWith(arg, "--")) {
      return UsageError(absl::StrCat("unknown flag ", arg,
                                     "; flags are long options like --name"),
                        command);
    }
    absl::string_view body = absl::string_view(arg).substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == body) spec = &s;
    }
    if (spec == nullptr) {
      return UsageError(
          absl::StrCat("unknown flag --", body, " for '", command, "'"),
          command);
    }
    std::vector<std::string>& values = out.values_[spec->name];
    if (!spec->repeated && !values.empty()) {
      return UsageError(absl::StrCat("flag --", spec->name, " given twice"),
                        command);
    }
    if (!spec->takes_value) {
      if (inline_value) {
        return UsageError(
            absl::StrCat("flag --", spec->name, " takes no value"), command);
      }
      values.push_back("true");
      continue;
    }
    if (inline_value) {
      values.push_back(*std::move(inline_value));
    } else if (i + 1 < args.size()) {
      // The next word is the value even if it starts with '-', so negative
      // numbers and keys like "-1" work ("--acks -1").
      values.push_back(args[++i]);
    } else {
      return UsageError(absl::StrCat("flag --", spec->name, " needs a value"),
                        command);
    }
  }
  return out;
}

absl::StatusOr<int64_t> ParseIntFlag(absl::string_view name,
                                     absl::string_view text, int64_t min,
                                     int64_t max, absl::string_view command) {
  int64_t v;
  // SimpleAtoi accepts surrounding whitespace; a flag value should not have
  // any, so reject it rather than guess.
  if (text.empty() || absl::ascii_isspace(text.front()) ||
      absl::ascii_isspace(text.back()) || !absl::SimpleAtoi(text, &v) ||
      v < min || v > max) {
    return UsageError(absl::StrCat("--", name, " must be an integer in [", min,
                                   ", ", max, "], got \"", text, "\""),
                      command);
  }
  return v;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseKeyValueFlag(
    absl::string_view name, absl::string_view text, absl::string_view command) {
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return UsageError(
        absl::StrCat("--", name, " expects KEY=VALUE, got \"", text, "\""),
        command);
  }
  return std::make_pair(std::string(text.substr(0, eq)),
                        std::string(text.substr(eq + 1)));
}

absl::StatusOr<std::string> ParseSubcommand(
    const std::vector<std::string>& words,
    absl::Span<const Subcommand> subcommands, absl::string_view operand,
    absl::string_view command) {
  if (words.empty()) {
    std::string names;
    for (size_t i = 0; i < subcommands.size(); ++i) {
      if (i > 0) {
        absl::StrAppend(&names, i + 1 == subcommands.size() ? " or " : ", ");
      }
      absl::StrAppend(&names, subcommands[i].name);
    }
    return UsageError(
        absl::StrCat("'", command, "' needs a subcommand: ", names), command);
  }
  const std::string& sub = words[0];
  for (const Subcommand& s : subcommands) {
    if (s.name != sub) continue;
    const bool operand_omitted =
        s.takes_operand && s.operand_optional && words.size() == 1;
    if (words.size() != (s.takes_operand ? 2u : 1u) && !operand_omitted) {
      return UsageError(
          s.takes_operand
              ? absl::StrCat("'", command, " ", sub, "' takes ",
                             s.operand_optional ? "at most " : "", "one ",
                             operand)
              : absl::StrCat("'", command, " ", sub, "' takes no arguments"),
          command);
    }
    return sub;
  }
  return UsageError(
      absl::StrCat("unknown ", command, " subcommand \"", sub, "\""), command);
}

}  // namespace cli
}  // namespace brook
