#include "testing/dir_snapshot.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace brook {

DirSnapshot SnapshotDir(const std::string& dir) {
  namespace fs = std::filesystem;
  DirSnapshot out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string path = it->path().string();
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    FileState f;
    f.size = st.st_size;
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                 st.st_mtim.tv_nsec;
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    f.bytes = bytes.str();
    out[fs::relative(it->path(), dir).string()] = std::move(f);
  }
  return out;
}

std::string DescribeDifference(const DirSnapshot& before,
                               const DirSnapshot& after) {
  std::string out;
  for (const auto& [name, state] : before) {
    auto it = after.find(name);
    if (it == after.end()) {
      absl::StrAppend(&out, " removed ", name, ";");
    } else if (!(it->second == state)) {
      absl::StrAppend(&out, " changed ", name, ";");
    }
  }
  for (const auto& [name, state] : after) {
    if (!before.count(name)) absl::StrAppend(&out, " created ", name, ";");
  }
  return out.empty() ? " no difference" : out;
}

}  // namespace brook
