// Translation of rocksdb::Status into brook errors: the one place that reads
// RocksDB's status codes and texts.
#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "storage/db_state.h"

namespace brook {

absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  const std::string text = s.ToString();
  if (s.IsCorruption()) {
    return Error(ErrorCode::kCorruption, absl::StrCat(context, ": ", text));
  }
  // RocksDB reports a held LOCK file as an IOError naming the file
  // ("While lock file: DIR/LOCK: ...", or "lock hold by current process").
  if (s.IsIOError() &&
      (absl::StrContains(text, "/LOCK:") ||
       absl::StrContains(text, "lock hold by current process"))) {
    return Error(ErrorCode::kDirectoryInUse,
                 absl::StrCat(context,
                              ": the data directory is in use by another "
                              "process or engine (",
                              text, ")"));
  }
  if (s.IsNoSpace() || absl::StrContains(text, std::strerror(ENOSPC))) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat(context,
                              ": no space left on the device of the data "
                              "directory; writes fail until space is freed "
                              "and then resume by themselves (",
                              text, ")"));
  }
  if (absl::StrContains(text, std::strerror(EMFILE)) ||
      absl::StrContains(text, std::strerror(ENFILE))) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat(context,
                              ": the process has no file descriptors left; "
                              "raise its limit (ulimit -n) or lower "
                              "EngineOptions::max_open_files (",
                              text, ")"));
  }
  if (s.IsPathNotFound()) {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat(context,
                              ": a file of the data directory is missing (",
                              text, ")"));
  }
  if (s.IsIOError()) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat(context, ": storage failed (", text, ")"));
  }
  return absl::InternalError(absl::StrCat(context, ": ", text));
}

}  // namespace brook
