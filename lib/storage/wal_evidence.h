// What the write-ahead logs prove about their own damage.
//
// RocksDB's point-in-time recovery keeps the longest intact prefix of the
// logs: a record it cannot read ends the recovery, silently. That is right
// for a tail torn by a crash (unsynced writes), and wrong when the record
// was fsynced, which only later writes can tell. So every write that
// follows an fsynced one carries a marker (a RocksDB log-data blob, which
// RocksDB ignores): "the log was durable up to sequence number S". A scan
// that reads past unreadable records then finds damage that is provably
// not a torn tail: a record missing (its sequence numbers skipped) before a
// marker that says it had been fsynced.
//
// The scan reads the logs of a database through a read-only open that
// replays nothing (a WalFilter that ignores every record, with RocksDB's
// kSkipAnyCorruptedRecords so that reading goes on past damage): it
// changes nothing in the directory.
#ifndef BROOK_LIB_STORAGE_WAL_EVIDENCE_H_
#define BROOK_LIB_STORAGE_WAL_EVIDENCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace rocksdb {
struct ColumnFamilyDescriptor;
struct DBOptions;
class WriteBatch;
}  // namespace rocksdb

namespace brook {

// The marker a write carries when the log was durable up to `synced_seq`.
std::string SyncedMarker(uint64_t synced_seq);

// The first sequence number of a batch RocksDB wrote or read.
uint64_t BatchSequence(const rocksdb::WriteBatch& batch);

// Damage the logs prove: writes from `first_lost_seq` on were fsynced (a
// later marker says so) and cannot be read.
struct WalDamage {
  std::string file;  // The log where the first unreadable write was.
  uint64_t first_lost_seq = 0;
  // Record batches found past the damage in writes the markers prove were
  // fsynced (which recovery drops with everything after the damage): per
  // topic family and partition, the one with the largest base offset.
  struct Batch {
    int64_t base_offset = 0;
    std::string value;
  };
  std::map<std::string, std::map<int32_t, Batch>> last_batches;
};

// Scans the logs of the database at `path`, opened with `options` (its
// environment) and `families` (every column family it has; record batches
// of the `ignored` ones are not reported). Nothing when the logs prove no
// damage.
absl::StatusOr<std::optional<WalDamage>> FindWalDamage(
    const rocksdb::DBOptions& options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
    const std::vector<std::string>& ignored);

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_WAL_EVIDENCE_H_
