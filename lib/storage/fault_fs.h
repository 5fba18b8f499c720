// A RocksDB file system for fault-injection tests (linked by tests only,
// through the brook_storage_testing target). It passes everything to the
// real file system and can:
//  - refuse writes with ENOSPC once a byte budget is spent, for chosen kinds
//    of files (a disk that fills up), and report the budget as free space;
//  - cut the power: from CutPower() on nothing reaches the disk (every write,
//    sync, rename and delete fails), and once the engine is gone,
//    DropUnsynced() rewinds the directory to what the disk held at the cut:
//    each file written since this object was made is cut back to what was
//    last fsynced (a write-ahead log may keep some garbage after it, as a
//    torn write leaves), a file created since its directory was last
//    fsynced disappears, and a rename not followed by a directory fsync is
//    undone. Deletions are taken as durable.
#ifndef BROOK_LIB_STORAGE_FAULT_FS_H_
#define BROOK_LIB_STORAGE_FAULT_FS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace brook {

// Thread-safe.
class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  // Kinds of files, for SetFreeSpace.
  enum Kind : int {
    kWal = 1,       // NNNNNN.log
    kTable = 2,     // NNNNNN.sst (flush and compaction output)
    kManifest = 4,  // MANIFEST-NNNNNN
    kOptions = 8,   // OPTIONS-NNNNNN (and its temporary file)
    kOther = 16,    // CURRENT, IDENTITY, brook's checkpoint, temporaries
    kAll = 31,
  };

  FaultFs();
  const char* Name() const override { return "BrookFaultFs"; }

  // An Env over this file system, for DBOptions::env. Owned by this.
  rocksdb::Env* env() { return env_.get(); }

  // Writes to files of `kinds` fail with ENOSPC once `bytes` more bytes
  // were written to them; -1 lifts the limit. Other files are unaffected.
  void SetFreeSpace(int64_t bytes, int kinds = kAll) ABSL_LOCKS_EXCLUDED(mu_);
  // Writes refused with ENOSPC so far.
  int64_t refused_writes() const { return refused_.load(); }

  // From now on nothing reaches the disk.
  void CutPower() ABSL_LOCKS_EXCLUDED(mu_);
  // REQUIRES: CutPower() was called and the engine is closed. Rewinds the
  // directory to the disk's state at the cut (see above), leaving up to 64
  // garbage bytes after the synced part of some write-ahead logs when
  // `garbage`, then powers on again and forgets everything tracked.
  void DropUnsynced(std::mt19937* rng, bool garbage) ABSL_LOCKS_EXCLUDED(mu_);

  // FileSystem.
  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSRandomRWFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path,
                                 const rocksdb::IOOptions& options,
                                 uint64_t* free,
                                 rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Directory;
  friend class File;
  friend class Directory;

  // A file written since this object was made.
  struct Tracked {
    uint64_t size = 0;         // Bytes written to the OS.
    uint64_t synced_size = 0;  // Of which fsynced.
    bool durable_name = true;  // Its directory entry survives a cut.
  };
  // A rename not yet made durable by a directory fsync.
  struct PendingRename {
    std::string from, to;
    bool to_existed = false;
    std::string to_old_bytes;  // What `to` held before, to put back.
  };

  // ENOSPC check and accounting for `bytes` more to `name`.
  rocksdb::IOStatus Charge(const std::string& name, uint64_t bytes)
      ABSL_LOCKS_EXCLUDED(mu_);
  rocksdb::IOStatus PoweredOff() const;
  bool powered_off() const { return off_.load(); }
  void Wrote(const std::string& name, uint64_t bytes) ABSL_LOCKS_EXCLUDED(mu_);
  void Synced(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_);
  void DirSynced(const std::string& dir) ABSL_LOCKS_EXCLUDED(mu_);
  // Starts tracking `name`, of which `on_disk` bytes are durable (unless
  // `keep` and it is tracked already).
  void Track(const std::string& name, uint64_t on_disk, bool durable_name,
             bool keep) ABSL_LOCKS_EXCLUDED(mu_);

  std::unique_ptr<rocksdb::Env> env_;
  std::atomic<bool> off_{false};
  std::atomic<int64_t> refused_{0};
  mutable absl::Mutex mu_;
  int64_t free_ ABSL_GUARDED_BY(mu_) = -1;
  int kinds_ ABSL_GUARDED_BY(mu_) = kAll;
  std::map<std::string, Tracked> files_ ABSL_GUARDED_BY(mu_);
  std::vector<PendingRename> renames_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_FAULT_FS_H_
