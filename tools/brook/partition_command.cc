// brook partition: Kafka's default keyed partitioner as a command, so
// applications (and the conformance suite) can check where a key lands.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/partitioner.h"
#include "cli_status.h"
#include "commands.h"
#include "flags.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

constexpr absl::string_view kCommand = "partition";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes HEX strictly (absl::HexStringToBytes accepts odd lengths and bad
// digits silently in the Abseil we build on).
absl::StatusOr<std::string> DecodeHex(absl::string_view hex) {
  if (hex.size() % 2 != 0) {
    return UsageError(
        absl::StrCat("--key-hex needs an even number of hex digits, got ",
                     hex.size()),
        kCommand);
  }
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]);
    const int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return UsageError(
          absl::StrCat("--key-hex has a non-hex character in \"", hex, "\""),
          kCommand);
    }
    bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return bytes;
}

}  // namespace

absl::Status RunPartition(absl::Span<const std::string> args) {
  static const FlagSpec kSpecs[] = {{"partitions"}, {"key"}, {"key-hex"}};
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kSpecs, kCommand);
  if (!flags.ok()) return flags.status();
  if (flags->help()) return WriteStdout(PartitionHelp());
  if (!flags->positional().empty()) {
    return UsageError(
        absl::StrCat("unexpected argument \"", flags->positional()[0], "\""),
        kCommand);
  }
  std::optional<std::string> partitions_text = flags->Get("partitions");
  if (!partitions_text) {
    return UsageError("'partition' needs --partitions N", kCommand);
  }
  absl::StatusOr<int64_t> partitions =
      ParseIntFlag("partitions", *partitions_text, 1, INT32_MAX, kCommand);
  if (!partitions.ok()) return partitions.status();

  std::optional<std::string> key = flags->Get("key");
  std::optional<std::string> key_hex = flags->Get("key-hex");
  if (key.has_value() == key_hex.has_value()) {
    return UsageError("'partition' needs exactly one of --key and --key-hex",
                      kCommand);
  }
  if (key_hex) {
    absl::StatusOr<std::string> decoded = DecodeHex(*key_hex);
    if (!decoded.ok()) return decoded.status();
    key = *std::move(decoded);
  }
  const int32_t partition =
      PartitionForKey(*key, static_cast<int32_t>(*partitions));
  return WriteStdout(absl::StrCat(partition, "\n"));
}

}  // namespace cli
}  // namespace brook
