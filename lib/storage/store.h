// The storage layer: the only code that includes RocksDB. One database per
// data directory; a "meta" column family for metadata (topic configs,
// committed offsets) and one column family per topic holding record batches
// (key layout in storage/keys.h). RocksDB handles are wrapped here and never
// leave this module; rocksdb::Status is translated here once.
#ifndef BROOK_LIB_STORAGE_STORE_H_
#define BROOK_LIB_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/wal_evidence.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class FileSystem;
class Slice;
class Status;
class WriteBatch;
}  // namespace rocksdb

namespace brook {

struct DbState;
class Store;

// A topic's column family. Shared by everything reading or writing the topic;
// the RocksDB handle is destroyed with the last reference, or when the store
// closes (then reads and writes through it fail with Closed). Thread-safe.
class ColumnFamily {
 public:
  ~ColumnFamily();
  ColumnFamily(const ColumnFamily&) = delete;
  ColumnFamily& operator=(const ColumnFamily&) = delete;

  const std::string& name() const { return name_; }

 private:
  friend class Store;
  friend class StoreWriteBatch;
  ColumnFamily(std::shared_ptr<DbState> db, std::string name,
               rocksdb::ColumnFamilyHandle* handle, std::string codec);

  const std::shared_ptr<DbState> db_;
  const std::string name_;
  // Nulled (under db_->mu) when the store closes.
  rocksdb::ColumnFamilyHandle* handle_;
  // The codec new files get; empty when unknown (see SetCompression).
  absl::Mutex codec_mu_;
  std::string codec_ ABSL_GUARDED_BY(codec_mu_);
};

using ColumnFamilyRef = std::shared_ptr<ColumnFamily>;

// Puts and deletes applied atomically by Store::Write.
class StoreWriteBatch {
 public:
  StoreWriteBatch();
  ~StoreWriteBatch();
  StoreWriteBatch(const StoreWriteBatch&) = delete;
  StoreWriteBatch& operator=(const StoreWriteBatch&) = delete;

  void PutRecordBatch(const ColumnFamily& cf, int32_t partition,
                      int64_t base_offset, absl::string_view value);
  // Deletes one batch (compaction emptied it).
  void DeleteRecordBatch(const ColumnFamily& cf, int32_t partition,
                         int64_t base_offset);
  // Deletes `partition`'s batches whose base offset is below `below` (one
  // range deletion; the space returns when Store::ReclaimBelow or RocksDB's
  // own compaction rewrites the files holding them).
  void DeleteBatchesBelow(const ColumnFamily& cf, int32_t partition,
                          int64_t below);
  void PutMeta(absl::string_view key, absl::string_view value);
  void DeleteMeta(absl::string_view key);
  void Clear();
  bool empty() const;
  // Bytes the batch holds so far.
  size_t data_size() const;

 private:
  friend class Store;
  // Adds fn(handle) (a rocksdb::WriteBatch call) for `cf`, or notes that
  // the family is closed.
  template <typename Fn>
  void Add(const ColumnFamily& cf, Fn fn);

  std::unique_ptr<rocksdb::WriteBatch> rep_;
  // Meta puts (value) and deletes (nullopt), applied by Store::Write, which
  // holds the meta family's handle.
  std::vector<std::pair<std::string, std::optional<std::string>>> meta_puts_;
  bool has_unknown_family_ = false;  // A family that was already closed.
};

// A stored batch. Shared and immutable, so that records read from it can
// borrow its bytes (ConsumerRecords) for as long as they need them.
struct StoredBatch {
  int64_t base_offset = 0;
  std::shared_ptr<const std::string> value;
};

struct StoreOptions {
  bool in_memory = false;
  bool create_if_missing = true;
  // Most table files kept open (RocksDB's table cache); more are reopened
  // on demand. Bounds the descriptors an open uses, whatever the number of
  // topics.
  int max_open_files = 500;
  // Open as a RocksDB secondary instance: readable while another process
  // holds the directory; every write fails with ReadOnlyError().
  bool read_only = false;
  // Rebuild a lost or damaged CURRENT from the newest MANIFEST instead of
  // failing with Corruption.
  bool salvage = false;
  // Tests only: the environment of an on-disk store (fault injection);
  // nullptr for the default. Must outlive the store.
  rocksdb::Env* env = nullptr;
};

// The error of a write to a store opened read-only.
absl::Status ReadOnlyError();

// An open database. Thread-safe.
class Store {
 public:
  // Errors: DirectoryInUse (another process, or this one, holds `dir`),
  // Corruption (kDataLoss), other RocksDB failures (kInternal). With
  // read_only: InvalidConfig together with in_memory, IllegalState when
  // `dir` holds no brook data.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options, const std::string& dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Opened with StoreOptions::read_only.
  bool read_only() const;

  // Damage to fsynced writes that the write-ahead logs proved at open
  // (storage/wal_evidence.h): recovery stopped before them. Not looked for
  // in memory, nor when another process holds the directory.
  const std::optional<WalDamage>& wal_damage() const;

  // Read-only stores: whether a writing engine (another process's, or one
  // of this process) holds the directory now. What the holder keeps only
  // while it lives, such as group membership, is stale without one.
  bool HolderPresent() const;

  // Closes the database; later calls fail with Closed. Idempotent.
  absl::Status Close();

  // Read-only stores: makes visible what the process holding the directory
  // wrote since the open or the previous call (RocksDB's
  // TryCatchUpWithPrimary). Column families it created since stay unknown.
  absl::Status CatchUp();

  // Makes every write so far durable, the write-ahead logs recovered at open
  // included (fsync).
  absl::Status SyncWal();

  // Writes every family's memtable to table files (the recovered logs then
  // become obsolete and are deleted); everything written so far is durable
  // afterwards.
  absl::Status FlushAll();
  // Writes the meta family's memtable to a table file, so that the logs
  // only it still needed become obsolete and are deleted: each compaction
  // of a topic's family starts a new log, and without this the small
  // metadata writes between them keep every one of those logs alive.
  absl::Status FlushMeta();

  // brook's own small files in the data directory (for an in-memory store,
  // in its memory), written and read through RocksDB's environment so that
  // they share its fault injection in tests. WriteAuxFile replaces `name`
  // with `data` and fsyncs it before returning; it never renames, so a
  // crash may leave it partly written (callers keep two and checksum them).
  absl::Status WriteAuxFile(const std::string& name, absl::string_view data);
  // nullopt when `name` does not exist.
  absl::StatusOr<std::optional<std::string>> ReadAuxFile(
      const std::string& name);

  // The column families found at open, other than the default and meta ones.
  std::map<std::string, ColumnFamilyRef> TakeOpenedFamilies();

  // `compression`: RocksDB codec name ("none", "snappy", "zlib", "lz4",
  // "zstd").
  absl::StatusOr<ColumnFamilyRef> CreateFamily(const std::string& name,
                                               absl::string_view compression);
  // Creates several families with one change of RocksDB's OPTIONS file,
  // which lists every family and is rewritten at each creation: creating
  // one family costs time proportional to the number of families. All or
  // nothing: on failure, the ones created are dropped again.
  struct NewFamily {
    std::string name;
    std::string compression;
  };
  absl::StatusOr<std::vector<ColumnFamilyRef>> CreateFamilies(
      const std::vector<NewFamily>& families);
  absl::Status DropFamily(const ColumnFamily& cf);
  // Sets the codec used for the family's new files; nothing to do (and no
  // OPTIONS rewrite) when it already has it.
  absl::Status SetCompression(ColumnFamily& cf, absl::string_view compression);

  // With `sync`, the write is fsynced before this returns, and the writes
  // after it carry the proof (storage/wal_evidence.h).
  absl::Status Write(StoreWriteBatch* batch, bool sync);

  absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view key);
  // Calls `fn` for every meta entry whose key starts with `prefix`, in order.
  absl::Status ScanMeta(absl::string_view prefix,
                        const std::function<void(absl::string_view key,
                                                 absl::string_view value)>& fn);

  // Appends to `out` the batches of `partition` that may hold offsets in
  // [from, end): the last batch with base offset <= from (or the first one
  // after it) and those following, until about `max_bytes` are read. With
  // `after`, only batches whose base offset is >= from (the caller knows
  // the one before ends below `from`).
  absl::Status ReadBatches(const ColumnFamily& cf, int32_t partition,
                           int64_t from, int64_t end, size_t max_bytes,
                           std::vector<StoredBatch>* out, bool after = false);

  // Returns the space of `partition`'s batches below `below` (all deleted):
  // drops the table files that hold nothing else (cheap: compaction cuts
  // files at partitions), and with `rewrite` also rewrites the files that
  // hold some of them, so that all of it returns now rather than when
  // RocksDB's own compaction gets there.
  absl::Status ReclaimBelow(const ColumnFamily& cf, int32_t partition,
                            int64_t below, bool rewrite);
  // Rewrites the table files holding `partition`'s batches below `below`
  // now, so that the space of overwritten (compacted) and deleted batches
  // returns. Unlike ReclaimBelow, the range may hold live batches.
  absl::Status RewriteBelow(const ColumnFamily& cf, int32_t partition,
                            int64_t below);
  // Bytes `partition` takes in storage: RocksDB's estimate over its table
  // files (compressed, deleted batches included until compaction drops
  // them) and its memtables.
  absl::StatusOr<int64_t> PartitionSize(const ColumnFamily& cf,
                                        int32_t partition);

  // Where a partition's batches begin and end. Of the last batch only its
  // first `head_bytes` bytes are copied: its header is all a caller needs
  // (to count its records).
  struct PartitionEnds {
    int64_t first_base_offset = 0;
    int64_t last_base_offset = 0;
    std::string last_head;  // Up to `head_bytes` bytes of the last batch.
  };
  // Calls `fn` with the ends of every partition of `cf` that holds a batch,
  // in partition order. Seeks twice per such partition and never visits an
  // empty one, so it costs O(partitions with data), whatever the partition
  // count: it runs at every open and, read-only, every follow interval.
  absl::Status ScanPartitionEnds(
      const ColumnFamily& cf, size_t head_bytes,
      absl::FunctionRef<void(int32_t partition, const PartitionEnds& ends)>
          fn);

 private:
  explicit Store(std::shared_ptr<DbState> db);

  // After a write failed for lack of storage, RocksDB refuses every write
  // until it resumes: try that (throttled) before the next write, so that
  // writing resumes by itself once space is freed.
  // (DbState is incomplete here, so the lock requirements on db_->mu are
  // stated in words.) REQUIRES: db_->mu not held.
  void MaybeResume();
  // Resumes at once (unthrottled) when a write failed for lack of storage,
  // once the device reports enough free space: KafkaStorageError saying
  // how much is needed otherwise. REQUIRES: db_->mu not held.
  absl::Status ResumeNow();
  // The error of a call that finds no database: closed, or (after a storage
  // failure) not reopened yet.
  absl::Status NoDatabase() const;
  // Closes and reopens the database on a fresh write-ahead log.
  // REQUIRES: db_->mu held exclusively.
  absl::Status ReopenLocked();
  // Bytes that must be free for ReopenLocked. REQUIRES: db_->mu held.
  uint64_t SpaceToResumeLocked();
  // Bytes of records in memtables, which need as much room when they are
  // flushed. REQUIRES: db_->mu held.
  uint64_t MemtableBytesLocked();
  // FromRocksDb, noting a storage failure for MaybeResume, and saying how
  // much space resuming needs when the device is full. REQUIRES: db_->mu
  // held.
  absl::Status StorageStatus(const rocksdb::Status& s,
                             absl::string_view context);
  // Compacts `cf`'s keys in [begin, end) of `db` (the open database) down
  // to the last level. REQUIRES: db_->mu held.
  absl::Status CompactRangeLocked(rocksdb::DB* db, const ColumnFamily& cf,
                                  const rocksdb::Slice& begin,
                                  const rocksdb::Slice& end);

  const std::shared_ptr<DbState> db_;
};

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_STORE_H_
