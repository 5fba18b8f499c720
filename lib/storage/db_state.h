// Internal to lib/storage: the open RocksDB instance shared by the Store and
// every ColumnFamily, so that handles can be released in either order.
#ifndef BROOK_LIB_STORAGE_DB_STATE_H_
#define BROOK_LIB_STORAGE_DB_STATE_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/options.h"
#include "storage/store.h"

namespace brook {

struct DbState {
  // Readers and writers of the database hold `mu` shared; Close and handle
  // destruction hold it exclusively.
  absl::Mutex mu;
  std::unique_ptr<rocksdb::DB> db ABSL_GUARDED_BY(mu);
  rocksdb::ColumnFamilyHandle* meta ABSL_GUARDED_BY(mu) = nullptr;
  rocksdb::ColumnFamilyHandle* default_family ABSL_GUARDED_BY(mu) = nullptr;
  absl::flat_hash_set<ColumnFamily*> live ABSL_GUARDED_BY(mu);
  std::map<std::string, ColumnFamilyRef> opened ABSL_GUARDED_BY(mu);
  // Store::Close ran (`db` is also null while a failed reopen is retried).
  bool closed ABSL_GUARDED_BY(mu) = false;
  // The in-memory environment (in_memory only), and the environment the
  // database uses (over it or the given one); both outlive `db`.
  std::unique_ptr<rocksdb::Env> mem_env;
  std::unique_ptr<rocksdb::Env> env;
  std::string dir;
  bool in_memory = false;
  // Read-only (secondary) instance: writes are refused, and RocksDB's
  // secondary files live in `secondary_dir`, removed at close.
  bool read_only = false;
  std::string secondary_dir;
  // A writing open of a directory, registered with RegisterHeldDataDir.
  bool registered_holder = false;
  // What a reopen needs (Store::ReopenLocked).
  rocksdb::DBOptions db_options;
  std::string path;
  std::shared_ptr<rocksdb::FileSystem> base_fs;  // Measures free space.
  // A write failed for lack of storage (RocksDB then refuses every write
  // until Resume()); the next write tries to resume first, at most every
  // kResumeInterval.
  std::atomic<bool> storage_failed{false};
  // Whether that failure was a full device, which a reopen cures once space
  // is back. Any other I/O failure stays until the engine is reopened: the
  // device itself is failing.
  std::atomic<bool> no_space{false};
  absl::Mutex resume_mu;
  absl::Time next_resume ABSL_GUARDED_BY(resume_mu) = absl::InfinitePast();
  // The write-ahead logs are durable up to `synced_seq` (the last sequence
  // number of an fsynced write); writes carry a marker saying so
  // (storage/wal_evidence.h) until one with `marked_seq` >= it succeeded.
  std::atomic<uint64_t> synced_seq{0};
  std::atomic<uint64_t> marked_seq{0};
  // What the logs proved at open.
  std::optional<WalDamage> wal_damage;
};

// Translates a RocksDB status: Corruption becomes kDataLoss, a held lock
// DirectoryInUse, anything else kInternal keeping RocksDB's text.
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view context);

// The error for calls after Close.
absl::Status StoreClosed();

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_DB_STATE_H_
