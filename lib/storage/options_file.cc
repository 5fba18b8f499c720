#include "storage/options_file.h"

#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "storage/data_dir.h"

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
  std::map<std::string, std::string> codecs;
  const std::string newest = NewestNumberedFile(dir, "OPTIONS-");
  if (newest.empty()) return codecs;
  std::ifstream in(dir + "/" + newest);
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
