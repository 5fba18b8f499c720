// Reads the codec of each column family from the newest RocksDB OPTIONS file
// of a data directory, so that an open can give each family the options it
// had. Setting them after the open instead (SetOptions) rewrites and
// re-verifies the OPTIONS file, which lists every family, once per family:
// quadratic in the number of topics.
//
// The OPTIONS file is RocksDB's INI format (its "RocksDB Options File" page):
// a `[CFOptions "<family>"]` section per column family holding a
// `compression=<CompressionType name>` line.
#ifndef BROOK_LIB_STORAGE_OPTIONS_FILE_H_
#define BROOK_LIB_STORAGE_OPTIONS_FILE_H_

#include <map>
#include <string>

namespace brook {

// Family name -> brook codec name ("none", "snappy", "zlib", "lz4", "zstd")
// for every family whose section names a codec brook uses. Empty when the
// directory has no readable OPTIONS file; the caller then sets codecs after
// the open.
std::map<std::string, std::string> ReadFamilyCodecs(const std::string& dir);

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_OPTIONS_FILE_H_
