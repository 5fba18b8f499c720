#include "storage/options_file.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace brook {
namespace {

// brook's codec name for a RocksDB CompressionType name; empty otherwise.
absl::string_view CodecName(absl::string_view rocksdb_name) {
  if (rocksdb_name == "kNoCompression") return "none";
  if (rocksdb_name == "kSnappyCompression") return "snappy";
  if (rocksdb_name == "kZlibCompression") return "zlib";
  if (rocksdb_name == "kLZ4Compression") return "lz4";
  if (rocksdb_name == "kZSTD") return "zstd";
  return {};
}

}  // namespace

std::map<std::string, std::string> ReadFamilyCodecs(const std::string& dir) {
  namespace fs = std::filesystem;
  // The newest OPTIONS-<number> file (not a *.dbtmp being written).
  std::string newest;
  uint64_t newest_number = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t number;
    if (absl::StartsWith(name, "OPTIONS-") &&
        absl::SimpleAtoi(absl::string_view(name).substr(8), &number) &&
        number >= newest_number) {
      newest_number = number;
      newest = it->path().string();
    }
  }
  std::map<std::string, std::string> codecs;
  if (ec || newest.empty()) return codecs;
  std::ifstream in(newest);
  std::string line;
  std::string family;  // Of the current section; empty outside CFOptions.
  while (std::getline(in, line)) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(l, "[")) {
      family.clear();
      constexpr absl::string_view kSection = "[CFOptions \"";
      if (absl::StartsWith(l, kSection) && absl::EndsWith(l, "\"]")) {
        family = std::string(
            l.substr(kSection.size(), l.size() - kSection.size() - 2));
      }
      continue;
    }
    if (family.empty() || !absl::ConsumePrefix(&l, "compression=")) continue;
    absl::string_view codec = CodecName(absl::StripAsciiWhitespace(l));
    if (!codec.empty()) codecs[family] = std::string(codec);
  }
  return codecs;
}

}  // namespace brook
