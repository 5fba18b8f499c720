#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/sst_partitioner.h"
#include "rocksdb/convenience.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage/data_dir.h"
#include "storage/db_state.h"
#include "storage/info_log.h"
#include "storage/options_file.h"
#include "storage/keys.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// A fresh private directory for a secondary instance's own files (its info
// log and manifest copy), under $TMPDIR.
absl::StatusOr<std::string> MakeSecondaryDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp",
                                     "/brook-secondary-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return Error(ErrorCode::kUnknown,
                 absl::StrCat("cannot create a directory for a read-only "
                              "open: ",
                              std::strerror(errno)));
  }
  return pattern;
}

constexpr char kMetaFamily[] = "meta";

rocksdb::CompressionType CompressionFor(absl::string_view name) {
  if (name == "snappy") return rocksdb::kSnappyCompression;
  if (name == "zlib") return rocksdb::kZlibCompression;
  if (name == "lz4") return rocksdb::kLZ4Compression;
  if (name == "zstd") return rocksdb::kZSTD;
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions FamilyOptions(absl::string_view compression) {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = CompressionFor(compression);
  // Batches are appended in key order and read by range: a larger block and
  // a bloom-free table suit that.
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 * 1024;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // An append-only log in LSM levels: each flushed file spans every
  // partition and must be merged into level 1 once; a small level 1 keeps
  // that merge from rewriting much beside it, and files below it, cut at
  // partitions, then move down without being rewritten (their offsets do
  // not overlap). A larger memtable halves the flushes and those merges.
  // Measured in bench/RESULTS.md ("Sustained writes").
  cf.write_buffer_size = 64 << 20;
  cf.max_bytes_for_level_base = 64 << 20;
  // Compaction cuts its output files where the partition (the key's
  // 4-byte prefix) changes: a partition's old batches then sit in files of
  // their own, which retention drops whole (Store::ReclaimBelow) instead of
  // rewriting every partition's data around them.
  cf.sst_partitioner_factory =
      rocksdb::NewSstPartitionerFixedPrefixFactory(4);
  return cf;
}

// The keys of `partition`'s batches below `below`, as slices.
struct BatchKeyRange {
  BatchKeyRange(int32_t partition, int64_t below)
      : begin(from, kBatchKeySize), end(to, kBatchKeySize) {
    EncodeBatchKey(partition, 0, from);
    EncodeBatchKey(partition, below, to);
  }
  BatchKeyRange(const BatchKeyRange&) = delete;
  BatchKeyRange& operator=(const BatchKeyRange&) = delete;

  char from[kBatchKeySize];
  char to[kBatchKeySize];
  const rocksdb::Slice begin;
  const rocksdb::Slice end;
};

// brook resumes writing after a storage failure itself (Store::MaybeResume),
// as soon as a write finds space again. RocksDB resumes from a full disk on
// its own only through its SstFileManager, which polls every 5 s and waits
// for a reserve as large as every memtable, and meanwhile refuses a manual
// resume as Busy. It starts that only when free space can be measured, so
// this file system says it cannot.
class ManualResumeFs : public rocksdb::FileSystemWrapper {
 public:
  explicit ManualResumeFs(const std::shared_ptr<rocksdb::FileSystem>& base)
      : FileSystemWrapper(base) {}
  const char* Name() const override { return "BrookManualResumeFs"; }
  rocksdb::IOStatus GetFreeSpace(const std::string&, const rocksdb::IOOptions&,
                                 uint64_t*, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("brook resumes by itself");
  }
};

// Least time between two attempts to resume writing after a storage failure.
constexpr absl::Duration kResumeInterval = absl::Milliseconds(50);

// The whole key as the memtable's insert-hint prefix: each meta key (a
// committed offset, above all) is rewritten again and again, and a hint per
// key puts the new version next to the last one instead of searching the
// skip list from the top. Costs a hint (a few hundred bytes) per key
// written while a memtable lives.
class WholeKeyTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "brook.WholeKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return key;
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

rocksdb::ColumnFamilyOptions MetaFamilyOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<WholeKeyTransform>();
  return cf;
}

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

void RaiseTo(std::atomic<uint64_t>& value, uint64_t to) {
  uint64_t now = value.load(std::memory_order_relaxed);
  while (now < to && !value.compare_exchange_weak(now, to,
                                                  std::memory_order_acq_rel)) {
  }
}

// Whether `dir` has a write-ahead log with anything in it. True when it
// cannot be listed: the scan then reports why.
bool HasWalData(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->path().extension() == ".log" &&
        (it->file_size(size_ec) > 0 || size_ec)) {
      return true;
    }
  }
  return static_cast<bool>(ec);
}

}  // namespace

ColumnFamily::ColumnFamily(std::shared_ptr<DbState> db, std::string name,
                           rocksdb::ColumnFamilyHandle* handle,
                           std::string codec)
    : db_(std::move(db)),
      name_(std::move(name)),
      handle_(handle),
      codec_(std::move(codec)) {}

ColumnFamily::~ColumnFamily() {
  absl::MutexLock lock(&db_->mu);
  db_->live.erase(this);
  if (handle_ != nullptr && db_->db != nullptr) {
    db_->db->DestroyColumnFamilyHandle(handle_).PermitUncheckedError();
  }
}

absl::Status ReadOnlyError() {
  return Error(ErrorCode::kIllegalState,
               "the data directory is open read-only (another process holds "
               "it): writes are refused");
}

Store::Store(std::shared_ptr<DbState> db) : db_(std::move(db)) {}

bool Store::read_only() const { return db_->read_only; }

const std::optional<WalDamage>& Store::wal_damage() const {
  return db_->wal_damage;
}

bool Store::HolderPresent() const { return DataDirHeld(db_->dir); }

Store::~Store() { Close().IgnoreError(); }  // Nothing to report to.

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options,
                                                   const std::string& dir) {
  if (options.read_only && options.in_memory) {
    return Error(ErrorCode::kInvalidConfig,
                 "an in-memory engine cannot be opened read-only");
  }
  auto state = std::make_shared<DbState>();
  state->dir = dir;
  // RocksDB's in-memory environment only resolves absolute paths; the
  // directory of an in-memory engine is just a label.
  const std::string path =
      options.in_memory && (dir.empty() || dir[0] != '/') ? "/" + dir : dir;
  rocksdb::DBOptions db_options;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // Bound memtable memory across all topics.
  db_options.db_write_buffer_size = 64 << 20;
  // Bound the write-ahead logs too: past this, RocksDB flushes the families
  // still holding the oldest log (typically the meta family, whose rare
  // writes would otherwise keep every log since alive).
  db_options.max_total_wal_size = 128 << 20;
  db_options.keep_log_file_num = 4;
  // Recovery keeps the longest intact prefix of the write-ahead logs: what
  // a crash or power cut leaves (a torn tail of unsynced writes) recovers
  // without error. Damage to synced records is found by brook's synced-ends
  // checkpoint instead (log/synced_ends.h), which RocksDB's stricter modes
  // cannot tell from a torn tail.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Recovered logs are replayed into memtables and kept, not flushed into
  // one table file per topic at every open: an open that finds damage then
  // changes nothing the logs hold, and reopening many topics stays fast.
  db_options.avoid_flush_during_recovery = true;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.max_open_files = options.max_open_files;
  // RocksDB's table cache holds max_open_files minus the ten files it keeps
  // for itself, split into 2^bits shards that each keep at least one file:
  // few enough shards that the split does not raise the bound (at least
  // eight files per shard).
  int shard_bits = 0;
  while (shard_bits < 6 &&
         (options.max_open_files - 10) >> (shard_bits + 1) >= 8) {
    ++shard_bits;
  }
  db_options.table_cache_numshardbits = shard_bits;

  // Whether `dir` holds a database decides what the open may do: a
  // database whose CURRENT is lost must not be taken for an empty
  // directory (RocksDB would create a new database over it).
  DataDirState dir_state = DataDirState::kMissing;
  state->in_memory = options.in_memory;
  rocksdb::Env* base_env =
      options.env != nullptr ? options.env : rocksdb::Env::Default();
  if (options.in_memory) {
    state->mem_env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    base_env = state->mem_env.get();
    db_options.info_log = NullInfoLog();
  }
  state->env = rocksdb::NewCompositeEnv(
      std::make_shared<ManualResumeFs>(base_env->GetFileSystem()));
  db_options.env = state->env.get();
  if (!options.in_memory) {
    absl::StatusOr<DataDirState> inspected = InspectDataDir(dir);
    if (!inspected.ok() && options.salvage &&
        GetErrorCode(inspected.status()) == ErrorCode::kCorruption) {
      BROOK_RETURN_IF_ERROR(RebuildCurrent(dir));
      inspected = InspectDataDir(dir);
    }
    BROOK_ASSIGN_OR_RETURN(dir_state, std::move(inspected));
  }
  if (!options.in_memory && dir_state != DataDirState::kDatabase) {
    if (options.read_only || !options.create_if_missing) {
      return Error(
          ErrorCode::kIllegalState,
          dir_state == DataDirState::kMissing
              ? absl::StrCat("data directory ", dir, " does not exist")
              : absl::StrCat("data directory ", dir,
                             " holds no brook data"));
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error(ErrorCode::kKafkaStorageError,
                   absl::StrCat("cannot create data directory ", dir, ": ",
                                ec.message()));
    }
  }
  db_options.create_if_missing =
      options.in_memory || dir_state != DataDirState::kDatabase;

  std::vector<std::string> names;
  if (options.in_memory || dir_state == DataDirState::kDatabase) {
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(db_options, path, &names);
    // A new in-memory database has only the default family.
    if (!s.ok() && !options.in_memory) {
      return FromRocksDb(s, absl::StrCat("cannot open ", dir));
    }
    if (!s.ok()) names.clear();
  }
  // Each family opens with the codec it had, so that the topic layer's
  // SetCompression has nothing to change (each change rewrites the OPTIONS
  // file, which lists every family). Unknown codecs (no OPTIONS file) are
  // set by the topic layer after the open.
  const std::map<std::string, std::string> codecs =
      options.in_memory ? std::map<std::string, std::string>()
                        : ReadFamilyCodecs(dir);
  bool has_meta = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::vector<std::string> descriptor_codecs;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  descriptor_codecs.emplace_back();
  for (const std::string& name : names) {
    if (name == rocksdb::kDefaultColumnFamilyName) continue;
    if (name == kMetaFamily) {
      has_meta = true;
      descriptors.emplace_back(name, MetaFamilyOptions());
      descriptor_codecs.emplace_back();
      continue;
    }
    auto codec = codecs.find(name);
    descriptors.emplace_back(
        name, FamilyOptions(codec != codecs.end() ? codec->second : "none"));
    descriptor_codecs.push_back(codec != codecs.end() ? codec->second : "");
  }
  if (!has_meta) {
    descriptors.emplace_back(kMetaFamily, MetaFamilyOptions());
    descriptor_codecs.emplace_back();
  }

  // What the logs prove about their own damage, read before the open's
  // recovery stops at it. Not while a process holds the directory: it
  // checked its logs when it opened them.
  if (!options.in_memory && dir_state == DataDirState::kDatabase &&
      HasWalData(dir) && !DataDirHeld(dir)) {
    BROOK_ASSIGN_OR_RETURN(
        state->wal_damage,
        FindWalDamage(db_options, path, descriptors,
                      {rocksdb::kDefaultColumnFamilyName, kMetaFamily}));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    if (!has_meta) {
      return Error(ErrorCode::kIllegalState,
                   absl::StrCat("cannot open ", dir,
                                " read-only: it holds no brook data"));
    }
    // A secondary instance reads the files of a database another process
    // may be writing, and replays its write-ahead log up to now.
    BROOK_ASSIGN_OR_RETURN(state->secondary_dir, MakeSecondaryDir());
    // RocksDB asks secondary instances for an unbounded table cache, so
    // that a table file the holder deletes stays readable through its open
    // descriptor; a bounded cache instead fails such a read, which is
    // retried after catching up (ReadBatches). Descriptors stay bounded.
    absl::StatusOr<std::shared_ptr<rocksdb::Logger>> log =
        OpenInfoLog(state->secondary_dir, db_options.info_log_level);
    if (!log.ok()) {
      std::filesystem::remove_all(state->secondary_dir);
      return log.status();
    }
    db_options.info_log = *std::move(log);
    db_options.create_if_missing = false;
    if (DataDirHeld(dir)) {
      s = rocksdb::DB::OpenAsSecondary(db_options, path, state->secondary_dir,
                                       descriptors, &handles, &raw);
    } else {
      // Nobody to follow: a plain read-only open, whose recovery of the
      // write-ahead logs is the writing open's (a secondary instance fails
      // on a log tail torn by a power cut).
      s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors,
                                       &handles, &raw,
                                       /*error_if_wal_file_exists=*/false);
    }
    if (!s.ok()) {
      std::filesystem::remove_all(state->secondary_dir);
      return FromRocksDb(s, absl::StrCat("cannot open ", dir, " read-only"));
    }
    state->read_only = true;
  } else {
    if (!options.in_memory) {
      BROOK_ASSIGN_OR_RETURN(db_options.info_log,
                             OpenInfoLog(dir, db_options.info_log_level));
    }
    s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
    if (!s.ok()) return FromRocksDb(s, absl::StrCat("cannot open ", dir));
    if (!options.in_memory) {
      RegisterHeldDataDir(dir);
      state->registered_holder = true;
    }
  }

  absl::MutexLock lock(&state->mu);
  state->db.reset(raw);
  state->db_options = db_options;
  state->path = path;
  state->base_fs = base_env->GetFileSystem();
  for (size_t i = 0; i < handles.size(); ++i) {
    const std::string& name = descriptors[i].name;
    if (name == rocksdb::kDefaultColumnFamilyName) {
      state->default_family = handles[i];
    } else if (name == kMetaFamily) {
      state->meta = handles[i];
    } else {
      auto cf = std::shared_ptr<ColumnFamily>(
          new ColumnFamily(state, name, handles[i], descriptor_codecs[i]));
      state->live.insert(cf.get());
      state->opened.emplace(name, std::move(cf));
    }
  }
  return std::unique_ptr<Store>(new Store(std::move(state)));
}

absl::Status Store::Close() {
  std::map<std::string, ColumnFamilyRef> unclaimed;
  {
    absl::MutexLock lock(&db_->mu);
    unclaimed.swap(db_->opened);
  }
  unclaimed.clear();  // Their destructors take the lock.
  absl::MutexLock lock(&db_->mu);
  db_->closed = true;
  if (db_->db == nullptr) return absl::OkStatus();
  for (ColumnFamily* cf : db_->live) {
    db_->db->DestroyColumnFamilyHandle(cf->handle_).PermitUncheckedError();
    cf->handle_ = nullptr;
  }
  db_->db->DestroyColumnFamilyHandle(db_->meta).PermitUncheckedError();
  db_->db->DestroyColumnFamilyHandle(db_->default_family)
      .PermitUncheckedError();
  db_->meta = nullptr;
  db_->default_family = nullptr;
  rocksdb::Status s = db_->db->Close();
  db_->db.reset();
  if (db_->registered_holder) UnregisterHeldDataDir(db_->dir);
  if (!db_->secondary_dir.empty()) {
    std::error_code ignored;  // A leftover temporary directory is harmless.
    std::filesystem::remove_all(db_->secondary_dir, ignored);
  }
  return FromRocksDb(s, "closing the database");
}

absl::Status Store::CatchUp() {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (!db_->read_only) {
    return Error(ErrorCode::kIllegalState,
                 "only a read-only store catches up with the holder");
  }
  return FromRocksDb(db_->db->TryCatchUpWithPrimary(),
                     "catching up with the process holding the directory");
}

absl::Status Store::SyncWal() {
  // After a failed log write RocksDB must not touch that log again
  // (syncing it asserts in RocksDB): reopen first.
  BROOK_RETURN_IF_ERROR(ResumeNow());
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (db_->read_only) return ReadOnlyError();
  BROOK_RETURN_IF_ERROR(
      StorageStatus(db_->db->SyncWAL(), "syncing the write-ahead log"));
  if (db_->in_memory) return absl::OkStatus();
  // Logs a reopen after a full disk recovered and kept (it does not flush
  // them) are not RocksDB's to sync: their unsynced pages may still be
  // unwritten.
  rocksdb::Env* env = db_->db->GetEnv();
  const std::string& dir = db_->db->GetName();
  std::vector<std::string> children;
  BROOK_RETURN_IF_ERROR(FromRocksDb(env->GetChildren(dir, &children),
                                    "listing the data directory"));
  for (const std::string& name : children) {
    if (!absl::EndsWith(name, ".log")) continue;
    std::unique_ptr<rocksdb::RandomRWFile> file;
    rocksdb::Status s = env->NewRandomRWFile(absl::StrCat(dir, "/", name),
                                             &file, rocksdb::EnvOptions());
    if (s.IsNotFound() || s.IsPathNotFound()) continue;  // Deleted since.
    if (s.ok()) s = file->Fsync();
    BROOK_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("syncing ", name)));
  }
  return absl::OkStatus();
}

absl::Status Store::FlushAll() {
  // A memtable switch writes out the current log's buffer: after a failed
  // log write only a fresh log may be written (RocksDB asserts otherwise).
  BROOK_RETURN_IF_ERROR(ResumeNow());
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (db_->read_only) return ReadOnlyError();
  std::vector<rocksdb::ColumnFamilyHandle*> handles = {db_->meta,
                                                       db_->default_family};
  for (ColumnFamily* cf : db_->live) {
    if (cf->handle_ != nullptr) handles.push_back(cf->handle_);
  }
  rocksdb::FlushOptions options;
  options.allow_write_stall = true;
  return StorageStatus(db_->db->Flush(options, handles),
                       "writing recovered records to table files");
}

absl::Status Store::FlushMeta() {
  BROOK_RETURN_IF_ERROR(ResumeNow());
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (db_->read_only) return ReadOnlyError();
  rocksdb::FlushOptions options;
  options.allow_write_stall = true;
  return StorageStatus(db_->db->Flush(options, db_->meta),
                       "writing metadata to a table file");
}

absl::Status Store::WriteAuxFile(const std::string& name,
                                 absl::string_view data) {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (db_->read_only) return ReadOnlyError();
  rocksdb::Env* env = db_->db->GetEnv();
  const std::string path = absl::StrCat(db_->db->GetName(), "/", name);
  const bool existed = env->FileExists(path).ok();
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = env->NewWritableFile(path, &file, rocksdb::EnvOptions());
  if (s.ok()) s = file->Append(ToSlice(data));
  if (s.ok()) s = file->Sync();
  if (file != nullptr) {
    rocksdb::Status closed = file->Close();
    if (s.ok()) s = closed;
  }
  if (s.ok() && !existed && !db_->in_memory) {
    // A new file's name survives a power cut once its directory is synced.
    std::unique_ptr<rocksdb::Directory> dir;
    s = env->NewDirectory(db_->db->GetName(), &dir);
    if (s.ok()) s = dir->Fsync();
  }
  return FromRocksDb(s, absl::StrCat("writing ", path));
}

absl::StatusOr<std::optional<std::string>> Store::ReadAuxFile(
    const std::string& name) {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  rocksdb::Env* env = db_->db->GetEnv();
  const std::string path = absl::StrCat(db_->db->GetName(), "/", name);
  std::string data;
  rocksdb::Status s = rocksdb::ReadFileToString(env, path, &data);
  if (s.IsNotFound() || s.IsPathNotFound()) {
    return std::optional<std::string>();
  }
  BROOK_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("reading ", path)));
  return std::optional<std::string>(std::move(data));
}

std::map<std::string, ColumnFamilyRef> Store::TakeOpenedFamilies() {
  absl::MutexLock lock(&db_->mu);
  return std::move(db_->opened);
}

absl::StatusOr<ColumnFamilyRef> Store::CreateFamily(
    const std::string& name, absl::string_view compression) {
  BROOK_ASSIGN_OR_RETURN(
      std::vector<ColumnFamilyRef> created,
      CreateFamilies({NewFamily{name, std::string(compression)}}));
  return std::move(created.front());
}

absl::StatusOr<std::vector<ColumnFamilyRef>> Store::CreateFamilies(
    const std::vector<NewFamily>& families) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const NewFamily& f : families) {
    descriptors.emplace_back(f.name, FamilyOptions(f.compression));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s;
  MaybeResume();
  {
    // Shared: RocksDB serializes family changes itself, and reads and
    // writes of other families need not wait for this one.
    absl::ReaderMutexLock lock(&db_->mu);
    if (db_->db == nullptr) return NoDatabase();
    if (db_->read_only) return ReadOnlyError();
    s = db_->db->CreateColumnFamilies(descriptors, &handles);
    if (!s.ok()) {
      // RocksDB stops at the first failure, keeping those before it.
      for (rocksdb::ColumnFamilyHandle* h : handles) {
        db_->db->DropColumnFamily(h).PermitUncheckedError();
        db_->db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      }
      return StorageStatus(s, absl::StrCat("creating column family ",
                                           families.front().name));
    }
  }
  std::vector<ColumnFamilyRef> out;
  absl::MutexLock lock(&db_->mu);
  for (size_t i = 0; i < handles.size(); ++i) {
    auto cf = std::shared_ptr<ColumnFamily>(new ColumnFamily(
        db_, families[i].name, handles[i], families[i].compression));
    db_->live.insert(cf.get());
    out.push_back(std::move(cf));
  }
  return out;
}

absl::Status Store::DropFamily(const ColumnFamily& cf) {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  if (db_->read_only) return ReadOnlyError();
  return FromRocksDb(db_->db->DropColumnFamily(cf.handle_),
                     absl::StrCat("dropping column family ", cf.name()));
}

absl::Status Store::SetCompression(ColumnFamily& cf,
                                   absl::string_view compression) {
  static const std::map<absl::string_view, std::string> kNames = {
      {"none", "kNoCompression"},
      {"snappy", "kSnappyCompression"},
      {"zlib", "kZlibCompression"},
      {"lz4", "kLZ4Compression"},
      {"zstd", "kZSTD"}};
  auto it = kNames.find(compression);
  if (it == kNames.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown compression ", compression));
  }
  {
    absl::MutexLock codec_lock(&cf.codec_mu_);
    if (cf.codec_ == compression) return absl::OkStatus();
  }
  {
    // Not under codec_mu_: a reopen takes it under db_->mu.
    absl::ReaderMutexLock lock(&db_->mu);
    if (db_->db == nullptr) return NoDatabase();
    if (cf.handle_ == nullptr) return StoreClosed();
    if (db_->read_only) return ReadOnlyError();
    BROOK_RETURN_IF_ERROR(FromRocksDb(
        db_->db->SetOptions(cf.handle_, {{"compression", it->second}}),
        absl::StrCat("setting compression of ", cf.name())));
  }
  absl::MutexLock codec_lock(&cf.codec_mu_);
  cf.codec_ = std::string(compression);
  return absl::OkStatus();
}

absl::Status Store::Write(StoreWriteBatch* batch, bool sync) {
  MaybeResume();
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  if (batch->has_unknown_family_) return StoreClosed();
  if (db_->read_only) return ReadOnlyError();
  for (auto& [key, value] : batch->meta_puts_) {
    if (value) {
      batch->rep_->Put(db_->meta, ToSlice(key), ToSlice(*value))
          .PermitUncheckedError();
    } else {
      batch->rep_->Delete(db_->meta, ToSlice(key)).PermitUncheckedError();
    }
  }
  batch->meta_puts_.clear();
  // Proof for a scan after damage that the logs were durable up to here.
  const uint64_t synced = db_->synced_seq.load(std::memory_order_acquire);
  const bool mark = synced > db_->marked_seq.load(std::memory_order_relaxed);
  if (mark) {
    batch->rep_->PutLogData(SyncedMarker(synced)).PermitUncheckedError();
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  BROOK_RETURN_IF_ERROR(
      StorageStatus(db_->db->Write(wo, batch->rep_.get()), "write"));
  if (mark) RaiseTo(db_->marked_seq, synced);
  if (sync && batch->rep_->Count() > 0) {
    // RocksDB wrote the batch's first sequence number into it.
    RaiseTo(db_->synced_seq,
            BatchSequence(*batch->rep_) + batch->rep_->Count() - 1);
  }
  return absl::OkStatus();
}

void Store::MaybeResume() {
  if (!db_->storage_failed.load(std::memory_order_acquire)) return;
  {
    absl::MutexLock lock(&db_->resume_mu);
    const absl::Time now = absl::Now();
    if (now < db_->next_resume) return;
    db_->next_resume = now + kResumeInterval;
  }
  // Real time: storage recovery is not engine logic a ManualClock drives.
  ResumeNow().IgnoreError();  // The next write reports the failure.
}

absl::Status Store::NoDatabase() const {
  if (db_->storage_failed.load(std::memory_order_acquire)) {
    return Error(ErrorCode::kKafkaStorageError,
                 "the database could not be reopened after a storage "
                 "failure; the next write tries again");
  }
  return StoreClosed();
}

absl::Status Store::ResumeNow() {
  if (!db_->storage_failed.load(std::memory_order_acquire)) {
    return absl::OkStatus();
  }
  absl::MutexLock lock(&db_->mu);  // No read or write in flight.
  if (!db_->storage_failed.load(std::memory_order_acquire)) {
    return absl::OkStatus();  // Another thread resumed.
  }
  if (db_->closed) return StoreClosed();
  if (!db_->no_space.load(std::memory_order_acquire)) {
    return Error(ErrorCode::kKafkaStorageError,
                 "the data directory's storage failed (an I/O error other "
                 "than a full device); writes stay refused until the engine "
                 "is reopened");
  }
  const uint64_t needed = SpaceToResumeLocked();
  uint64_t free = 0;
  if (db_->base_fs
          ->GetFreeSpace(db_->dir, rocksdb::IOOptions(), &free, nullptr)
          .ok() &&
      free < needed) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("no space left on the device of the data "
                              "directory: ",
                              free >> 20, " MiB free, about ", needed >> 20,
                              " MiB needed to resume writing"));
  }
  return ReopenLocked();
}

uint64_t Store::SpaceToResumeLocked() {
  db_->mu.AssertReaderHeld();
  // A reopen replays the logs into memtables without writing them out: it
  // needs room for a new log, MANIFEST and OPTIONS file.
  return 4 << 20;
}

uint64_t Store::MemtableBytesLocked() {
  db_->mu.AssertReaderHeld();
  uint64_t memtables = 0;
  if (db_->db != nullptr) {
    db_->db->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables",
                                      &memtables);
  }
  return memtables;
}

absl::Status Store::ReopenLocked() {
  db_->mu.AssertHeld();
  // RocksDB 7.8 never writes to a log again after a failed write to it
  // (its writer asserts), and its own Resume() keeps the failed log when
  // no memtable holds data. A reopen starts on a fresh log, replaying what
  // the old one holds: the engine's state stays as it was, since failed
  // writes were never acknowledged.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  descriptors.emplace_back(kMetaFamily, MetaFamilyOptions());
  std::vector<ColumnFamily*> families;
  for (ColumnFamily* cf : db_->live) {
    absl::MutexLock codec_lock(&cf->codec_mu_);
    descriptors.emplace_back(cf->name_, FamilyOptions(cf->codec_.empty()
                                                          ? "none"
                                                          : cf->codec_));
    families.push_back(cf);
  }
  // Closed already when an earlier reopen failed.
  if (db_->db != nullptr) {
    for (ColumnFamily* cf : families) {
      db_->db->DestroyColumnFamilyHandle(cf->handle_).PermitUncheckedError();
      cf->handle_ = nullptr;
    }
    db_->db->DestroyColumnFamilyHandle(db_->meta).PermitUncheckedError();
    db_->db->DestroyColumnFamilyHandle(db_->default_family)
        .PermitUncheckedError();
    db_->meta = db_->default_family = nullptr;
    db_->db->Close().PermitUncheckedError();  // Its log is the failed one.
    db_->db.reset();
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_->db_options, db_->path,
                                        descriptors, &handles, &raw);
  if (!s.ok()) {
    // Left closed: every call fails with the storage error until a later
    // attempt reopens.
    return StorageStatus(s, "reopening after a storage failure");
  }
  db_->db.reset(raw);
  db_->default_family = handles[0];
  db_->meta = handles[1];
  for (size_t i = 0; i < families.size(); ++i) {
    families[i]->handle_ = handles[i + 2];
  }
  db_->storage_failed.store(false, std::memory_order_release);
  db_->no_space.store(false, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status Store::StorageStatus(const rocksdb::Status& s,
                                  absl::string_view context) {
  if (s.ok()) return absl::OkStatus();  // The write path's common case.
  db_->mu.AssertReaderHeld();
  if (!s.IsIOError()) return FromRocksDb(s, context);
  if (!s.IsNoSpace()) {
    db_->no_space.store(false, std::memory_order_release);
    db_->storage_failed.store(true, std::memory_order_release);
    return FromRocksDb(s, context);
  }
  if (!db_->storage_failed.load(std::memory_order_acquire)) {
    db_->no_space.store(true, std::memory_order_release);
  }
  db_->storage_failed.store(true, std::memory_order_release);
  return FromRocksDb(
      s, absl::StrCat(context, " (about ", SpaceToResumeLocked() >> 20,
                      " MiB must be free on the data directory's device to "
                      "resume; the ", MemtableBytesLocked() >> 20,
                      " MiB of records held in memory need as much again "
                      "when they are written out)"));
}

absl::StatusOr<std::optional<std::string>> Store::GetMeta(
    absl::string_view key) {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  std::string value;
  rocksdb::Status s =
      db_->db->Get(rocksdb::ReadOptions(), db_->meta, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocksDb(s, "reading metadata");
  return std::optional<std::string>(std::move(value));
}

absl::Status Store::ScanMeta(
    absl::string_view prefix,
    const std::function<void(absl::string_view, absl::string_view)>& fn) {
  absl::ReaderMutexLock lock(&db_->mu);
  if (db_->db == nullptr) return NoDatabase();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->db->NewIterator(rocksdb::ReadOptions(), db_->meta));
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    absl::string_view key = ToView(it->key());
    if (!absl::StartsWith(key, prefix)) break;
    fn(key, ToView(it->value()));
  }
  return FromRocksDb(it->status(), "scanning metadata");
}

absl::Status Store::ReadBatches(const ColumnFamily& cf, int32_t partition,
                                int64_t from, int64_t end, size_t max_bytes,
                                std::vector<StoredBatch>* out, bool after) {
  char lower[kBatchKeySize], upper[kBatchKeySize], target[kBatchKeySize];
  EncodeBatchKey(partition, 0, lower);
  EncodeBatchKey(partition, end, upper);
  EncodeBatchKey(partition, from, target);
  rocksdb::Slice lower_slice(lower, kBatchKeySize);
  rocksdb::Slice upper_slice(upper, kBatchKeySize);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;

  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  const size_t first = out->size();
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<rocksdb::Iterator> it(
        cf.db_->db->NewIterator(ro, cf.handle_));
    // A consumer that keeps up asks for the first offset of the next batch:
    // a forward Seek finds it exactly. Otherwise the batch holding `from`
    // starts before it, and the slower SeekForPrev finds that one.
    const rocksdb::Slice target_slice(target, kBatchKeySize);
    it->Seek(target_slice);
    if (!after && (!it->Valid() || it->key() != target_slice)) {
      it->SeekForPrev(target_slice);
      if (!it->Valid()) it->Seek(target_slice);
    }
    size_t bytes = 0;
    for (; it->Valid() && bytes < max_bytes; it->Next()) {
      int32_t p;
      int64_t base;
      if (!DecodeBatchKey(ToView(it->key()), &p, &base)) {
        return Error(ErrorCode::kCorruption,
                     absl::StrCat("malformed batch key in column family ",
                                  cf.name()));
      }
      rocksdb::Slice value = it->value();
      bytes += value.size();
      out->push_back(StoredBatch{
          base,
          std::make_shared<const std::string>(value.data(), value.size())});
    }
    // Read-only: the holder may have deleted a table file this instance
    // had not open (its table cache is bounded); catching up with the
    // holder's newer files finds the data again.
    if (it->status().IsPathNotFound() && cf.db_->read_only && attempt == 0) {
      out->resize(first);
      cf.db_->db->TryCatchUpWithPrimary().PermitUncheckedError();
      continue;
    }
    return FromRocksDb(it->status(), absl::StrCat("reading ", cf.name()));
  }
}

absl::Status Store::ReclaimBelow(const ColumnFamily& cf, int32_t partition,
                                 int64_t below, bool rewrite) {
  const BatchKeyRange range(partition, below);
  const rocksdb::Slice &begin = range.begin, &end = range.end;
  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  // Files wholly inside the deleted range go without being read; the
  // compaction then rewrites only the files it shares with kept batches.
  BROOK_RETURN_IF_ERROR(StorageStatus(
      rocksdb::DeleteFilesInRange(cf.db_->db.get(), cf.handle_, &begin, &end,
                                  /*include_end=*/false),
      absl::StrCat("deleting files of ", cf.name())));
  if (!rewrite) return absl::OkStatus();
  return CompactRangeLocked(cf.db_->db.get(), cf, begin, end);
}

absl::Status Store::RewriteBelow(const ColumnFamily& cf, int32_t partition,
                                 int64_t below) {
  const BatchKeyRange range(partition, below);
  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  return CompactRangeLocked(cf.db_->db.get(), cf, range.begin, range.end);
}

absl::Status Store::CompactRangeLocked(rocksdb::DB* db,
                                       const ColumnFamily& cf,
                                       const rocksdb::Slice& begin,
                                       const rocksdb::Slice& end) {
  rocksdb::CompactRangeOptions options;
  // Down to the last level, where deleted and overwritten batches and the
  // deletions themselves are dropped; files the range does not touch stay
  // as they are.
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForceOptimized;
  return StorageStatus(
      db->CompactRange(options, cf.handle_, &begin, &end),
      absl::StrCat("compacting ", cf.name()));
}

absl::StatusOr<int64_t> Store::PartitionSize(const ColumnFamily& cf,
                                             int32_t partition) {
  char from[kBatchKeySize], to[kBatchKeySize];
  EncodeBatchKey(partition, 0, from);
  EncodeBatchKey(partition, INT64_MAX, to);
  const rocksdb::Range range(rocksdb::Slice(from, kBatchKeySize),
                             rocksdb::Slice(to, kBatchKeySize));
  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  rocksdb::SizeApproximationOptions options;
  options.include_memtables = true;
  options.include_files = true;
  uint64_t size = 0;
  BROOK_RETURN_IF_ERROR(FromRocksDb(
      cf.db_->db->GetApproximateSizes(options, cf.handle_, &range, 1, &size),
      absl::StrCat("measuring ", cf.name())));
  return static_cast<int64_t>(size);
}

absl::Status Store::ScanPartitionEnds(
    const ColumnFamily& cf, size_t head_bytes,
    absl::FunctionRef<void(int32_t, const PartitionEnds&)> fn) {
  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.db_->db == nullptr) return NoDatabase();
  if (cf.handle_ == nullptr) return StoreClosed();
  std::unique_ptr<rocksdb::Iterator> it(
      cf.db_->db->NewIterator(rocksdb::ReadOptions(), cf.handle_));
  auto malformed = [&cf] {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat("malformed batch key in column family ",
                              cf.name()));
  };
  char key[kBatchKeySize];
  PartitionEnds ends;
  for (it->SeekToFirst(); it->Valid();) {
    int32_t p;
    if (!DecodeBatchKey(ToView(it->key()), &p, &ends.first_base_offset)) {
      return malformed();
    }
    // The partition's last batch: the last key at or before its largest
    // possible one.
    EncodeBatchKey(p, INT64_MAX, key);
    it->SeekForPrev(rocksdb::Slice(key, kBatchKeySize));
    int32_t last_p;
    if (!it->Valid() ||
        !DecodeBatchKey(ToView(it->key()), &last_p, &ends.last_base_offset) ||
        last_p != p) {
      BROOK_RETURN_IF_ERROR(FromRocksDb(it->status(), cf.name()));
      return malformed();
    }
    const rocksdb::Slice last = it->value();
    ends.last_head.assign(last.data(), std::min(last.size(), head_bytes));
    fn(p, ends);
    if (p == INT32_MAX) break;
    EncodeBatchKey(p + 1, 0, key);
    it->Seek(rocksdb::Slice(key, kBatchKeySize));
  }
  return FromRocksDb(it->status(), absl::StrCat("reading ", cf.name()));
}

}  // namespace brook
