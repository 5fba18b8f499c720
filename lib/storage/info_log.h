// RocksDB's info log (the LOG file), written by brook instead of RocksDB's
// own logger. RocksDB's logger asserts when it writes again after a failed
// write (its file writer's "previous error" check), and Debian's librocksdb
// keeps assertions on: on a full disk the info log aborted the process
// during RocksDB's own recovery. This one drops a line it cannot write.
#ifndef BROOK_LIB_STORAGE_INFO_LOG_H_
#define BROOK_LIB_STORAGE_INFO_LOG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/env.h"

namespace brook {

// Appends to `dir`/LOG (moving a LOG over 4 MiB to LOG.old first). Opening
// it is the only thing that can fail.
absl::StatusOr<std::shared_ptr<rocksdb::Logger>> OpenInfoLog(
    const std::string& dir, rocksdb::InfoLogLevel level);

// Discards everything (in-memory engines).
std::shared_ptr<rocksdb::Logger> NullInfoLog();

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_INFO_LOG_H_
