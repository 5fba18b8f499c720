// Baselines for brook-bench: the same records written straight to RocksDB
// (DB::Open on a fresh directory, default options, WAL on, default
// WriteOptions so no fsync, except in (c)), to show what brook adds over its
// storage.
#ifndef BROOK_BENCH_ROCKSDB_BASELINES_H_
#define BROOK_BENCH_ROCKSDB_BASELINES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench_util.h"

namespace brook {
namespace bench {

// (a) One Put per record, WriteBatches of 1,000 records. Key: 4-byte
// partition + 8-byte offset, big-endian; value: the record's value then its
// key. Reports records/s.
absl::StatusOr<std::vector<Metric>> RunBaselinePutPerRecord(const RunEnv& env);

// (b) One Put per 100 records (their key+value pairs concatenated, keyed by
// partition + base offset), WriteBatches of 1,000 records (10 Puts).
absl::StatusOr<std::vector<Metric>> RunBaselinePacked(const RunEnv& env);

// (e) (b) with RocksDB's compaction off: every byte goes to the write-ahead
// log and once to a table file, the least an LSM store with a log can
// write. Reports records/s and write amplification (bytes written /
// record bytes), as (b) also does.
absl::StatusOr<std::vector<Metric>> RunBaselinePackedNoCompaction(
    const RunEnv& env);

// (f) (b) with one column family per partition (RocksDB's defaults in
// each): every flushed file holds one partition, so leveled compaction
// moves it down without rewriting it. Shows what a partition-aligned flush
// would save (DESIGN-NOTES.md, "Sustained writes"). Reports what (b) does.
absl::StatusOr<std::vector<Metric>> RunBaselinePackedFamilyPerPartition(
    const RunEnv& env);

// (c) Synchronous Puts with WriteOptions::sync (the WAL fsynced before Put
// returns): `threads` threads each Put --sync-sends records one at a time,
// as brook's sync acks=all test sends them. Concurrent Puts share an fsync
// through RocksDB's own write group. Reports sends/s.
absl::StatusOr<std::vector<Metric>> RunBaselineSyncPuts(const RunEnv& env,
                                                        int threads);

// Writes the records as in (a) (untimed), then iterates the whole database
// touching every value. Reports records/s.
absl::StatusOr<std::vector<Metric>> RunBaselineScan(const RunEnv& env);

// Milliseconds RocksDB takes to open the database in `dir` read-only, every
// column family, replaying its write-ahead logs: the floor of a recovery.
absl::StatusOr<double> TimeReadOnlyOpen(const std::string& dir);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_ROCKSDB_BASELINES_H_
