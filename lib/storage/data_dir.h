// What a data directory holds, checked before RocksDB opens it, so that an
// open never mistakes a damaged database for a missing one (RocksDB would
// create a fresh database over it, and its next open would delete the old
// files) and a read-only open never creates anything.
#ifndef BROOK_LIB_STORAGE_DATA_DIR_H_
#define BROOK_LIB_STORAGE_DATA_DIR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

enum class DataDirState {
  kMissing,   // No such directory.
  kEmpty,     // No database files (an interrupted creation at most).
  kDatabase,  // CURRENT names a MANIFEST that exists.
};

// Corruption naming the file when `dir` holds database files (write-ahead
// logs, table files) but its CURRENT file is missing or damaged, or the
// MANIFEST that CURRENT names is missing; IllegalState when `dir` is not a
// directory. Reads only.
absl::StatusOr<DataDirState> InspectDataDir(const std::string& dir);

// The name of the file of `dir` called `prefix` + a number ("MANIFEST-12",
// "OPTIONS-40") with the largest number; empty when there is none (a
// temporary "OPTIONS-40.dbtmp" does not count).
std::string NewestNumberedFile(const std::string& dir,
                               absl::string_view prefix);

// Salvage: points CURRENT at the newest MANIFEST of `dir` (CURRENT lost or
// damaged, or naming a MANIFEST that is gone). Corruption when `dir` holds
// no MANIFEST at all.
absl::Status RebuildCurrent(const std::string& dir);

// Whether a writing engine holds `dir`: one of this process (registered by
// Store) or another process (its lock on `dir`/LOCK, tested without taking
// it and without creating the file).
bool DataDirHeld(const std::string& dir);

// The holders of this process: Store registers each writing open of a
// directory while it lasts.
void RegisterHeldDataDir(const std::string& dir);
void UnregisterHeldDataDir(const std::string& dir);

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_DATA_DIR_H_
