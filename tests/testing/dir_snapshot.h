// A directory's contents, to show that an operation changed nothing: every
// file's name, size, modification time and bytes.
#ifndef BROOK_TESTS_TESTING_DIR_SNAPSHOT_H_
#define BROOK_TESTS_TESTING_DIR_SNAPSHOT_H_

#include <map>
#include <ostream>
#include <string>

namespace brook {

struct FileState {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string bytes;

  bool operator==(const FileState& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && bytes == o.bytes;
  }
};

// File name (relative to the directory, recursively) -> state. An absent
// directory is an empty map.
using DirSnapshot = std::map<std::string, FileState>;

DirSnapshot SnapshotDir(const std::string& dir);

// The names that differ between two snapshots, for failure messages.
std::string DescribeDifference(const DirSnapshot& before,
                               const DirSnapshot& after);

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_DIR_SNAPSHOT_H_
