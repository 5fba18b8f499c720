#include "storage/fault_fs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

int KindOf(const std::string& path) {
  const std::string name = Basename(path);
  if (absl::EndsWith(name, ".log")) return FaultFs::kWal;
  if (absl::EndsWith(name, ".sst")) return FaultFs::kTable;
  if (absl::StartsWith(name, "MANIFEST-")) return FaultFs::kManifest;
  if (absl::StartsWith(name, "OPTIONS-")) return FaultFs::kOptions;
  return FaultFs::kOther;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

// A file being written: charges and records every byte, refuses everything
// once the power is cut.
class FaultFs::File : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(FaultFs* fs, std::string name,
       std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Charge(name_, data.size());
    if (s.ok()) s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Wrote(name_, data.size());
    return s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo&,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Charge(name_, data.size());
    if (s.ok()) s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) fs_->Wrote(name_, data.size());
    return s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo&,
                                     rocksdb::IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    return target()->Truncate(size, options, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    // sync_file_range promises nothing on a power cut: not a sync here.
    if (fs_->powered_off()) return fs_->PoweredOff();
    return target()->RangeSync(offset, nbytes, options, dbg);
  }
  rocksdb::IOStatus Allocate(uint64_t offset, uint64_t len,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    return target()->Allocate(offset, len, options, dbg);
  }

 private:
  FaultFs* const fs_;
  const std::string name_;
};

// A directory whose fsync makes its new entries and renames durable.
class FaultFs::Directory : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(FaultFs* fs, std::string name,
            std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    rocksdb::IOStatus s = FSDirectoryWrapper::Fsync(options, dbg);
    if (s.ok()) fs_->DirSynced(name_);
    return s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(
      const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
      const rocksdb::DirFsyncOptions& dir_options) override {
    if (fs_->powered_off()) return fs_->PoweredOff();
    rocksdb::IOStatus s =
        FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_->DirSynced(name_);
    return s;
  }

 private:
  FaultFs* const fs_;
  const std::string name_;
};

FaultFs::FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {
  // The Env only borrows this file system: the owner keeps it alive.
  env_ = rocksdb::NewCompositeEnv(
      std::shared_ptr<rocksdb::FileSystem>(this, [](rocksdb::FileSystem*) {}));
}

void FaultFs::SetFreeSpace(int64_t bytes, int kinds) {
  absl::MutexLock lock(&mu_);
  free_ = bytes;
  kinds_ = kinds;
}

void FaultFs::CutPower() { off_.store(true); }

rocksdb::IOStatus FaultFs::PoweredOff() const {
  return rocksdb::IOStatus::IOError("the power is cut (fault injection)");
}

rocksdb::IOStatus FaultFs::Charge(const std::string& name, uint64_t bytes) {
  if (powered_off()) return PoweredOff();
  absl::MutexLock lock(&mu_);
  if (free_ < 0 || (KindOf(name) & kinds_) == 0) {
    return rocksdb::IOStatus::OK();
  }
  if (static_cast<int64_t>(bytes) > free_) {
    refused_.fetch_add(1);
    return rocksdb::IOStatus::NoSpace("While appending to file: " + name,
                                      "No space left on device");
  }
  free_ -= static_cast<int64_t>(bytes);
  return rocksdb::IOStatus::OK();
}

void FaultFs::Wrote(const std::string& name, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(name);
  if (it != files_.end()) it->second.size += bytes;
}

void FaultFs::Synced(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(name);
  if (it != files_.end()) it->second.synced_size = it->second.size;
}

void FaultFs::DirSynced(const std::string& dir) {
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(dir, ec).string();
  absl::MutexLock lock(&mu_);
  auto in_dir = [&](const std::string& path) {
    return fs::weakly_canonical(Dirname(path), ec).string() == canonical;
  };
  for (auto& [name, f] : files_) {
    if (in_dir(name)) f.durable_name = true;
  }
  renames_.erase(std::remove_if(renames_.begin(), renames_.end(),
                                [&](const PendingRename& r) {
                                  return in_dir(r.to);
                                }),
                 renames_.end());
}

void FaultFs::Track(const std::string& name, uint64_t on_disk,
                    bool durable_name, bool keep) {
  absl::MutexLock lock(&mu_);
  if (keep && files_.count(name) != 0) return;
  Tracked& f = files_[name];
  f.size = f.synced_size = on_disk;
  f.durable_name = durable_name;
}

rocksdb::IOStatus FaultFs::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (powered_off()) return PoweredOff();
  std::error_code ec;
  const bool existed = fs::exists(name, ec);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  // Truncated (or created) and nothing synced yet; a new name needs its
  // directory synced to survive a cut.
  Track(name, 0, /*durable_name=*/existed, /*keep=*/false);
  result->reset(new File(this, name, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (powered_off()) return PoweredOff();
  std::error_code ec;
  const bool existed = fs::exists(name, ec);
  const uint64_t size = existed ? fs::file_size(name, ec) : 0;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s =
      target()->ReopenWritableFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  // Whatever an untracked file held is on disk already.
  Track(name, size, /*durable_name=*/existed, /*keep=*/true);
  result->reset(new File(this, name, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::ReuseWritableFile(
    const std::string& name, const std::string& old_name,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result,
    rocksdb::IODebugContext* dbg) {
  // brook never recycles logs; reuse would need rename tracking here.
  return rocksdb::IOStatus::NotSupported("FaultFs: ReuseWritableFile");
}

rocksdb::IOStatus FaultFs::NewRandomRWFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
    rocksdb::IODebugContext* dbg) {
  if (powered_off()) return PoweredOff();
  // Used to fsync files written earlier (Store::SyncWal): the file's whole
  // current content becomes durable at its Fsync, which this wrapper marks.
  class RwFile : public rocksdb::FSRandomRWFileOwnerWrapper {
   public:
    RwFile(FaultFs* fs, std::string name,
           std::unique_ptr<rocksdb::FSRandomRWFile> t)
        : FSRandomRWFileOwnerWrapper(std::move(t)),
          fs_(fs),
          name_(std::move(name)) {}
    rocksdb::IOStatus Write(uint64_t, const rocksdb::Slice&,
                            const rocksdb::IOOptions&,
                            rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::NotSupported("FaultFs: random writes");
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* d) override {
      return Fsync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o,
                            rocksdb::IODebugContext* d) override {
      if (fs_->powered_off()) return fs_->PoweredOff();
      rocksdb::IOStatus s = FSRandomRWFileOwnerWrapper::Fsync(o, d);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }

   private:
    FaultFs* const fs_;
    const std::string name_;
  };
  std::unique_ptr<rocksdb::FSRandomRWFile> file;
  rocksdb::IOStatus s = target()->NewRandomRWFile(name, options, &file, dbg);
  if (!s.ok()) return s;
  result->reset(new RwFile(this, name, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::NewDirectory(
    const std::string& name, const rocksdb::IOOptions& options,
    std::unique_ptr<rocksdb::FSDirectory>* result,
    rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (!s.ok()) return s;
  result->reset(new Directory(this, name, std::move(dir)));
  return s;
}

rocksdb::IOStatus FaultFs::RenameFile(const std::string& from,
                                      const std::string& to,
                                      const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  if (powered_off()) return PoweredOff();
  PendingRename pending{from, to};
  std::error_code ec;
  pending.to_existed = fs::exists(to, ec);
  if (pending.to_existed) pending.to_old_bytes = ReadWhole(to);
  rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  } else {
    files_.erase(to);  // An untracked file: on disk already.
  }
  renames_.push_back(std::move(pending));
  return s;
}

rocksdb::IOStatus FaultFs::DeleteFile(const std::string& name,
                                      const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  if (powered_off()) return PoweredOff();
  rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(name);
  }
  return s;
}

rocksdb::IOStatus FaultFs::GetFreeSpace(const std::string& path,
                                        const rocksdb::IOOptions& options,
                                        uint64_t* free,
                                        rocksdb::IODebugContext* dbg) {
  {
    absl::MutexLock lock(&mu_);
    if (free_ >= 0) {
      *free = static_cast<uint64_t>(free_);
      return rocksdb::IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, options, free, dbg);
}

void FaultFs::DropUnsynced(std::mt19937* rng, bool garbage) {
  absl::MutexLock lock(&mu_);
  std::error_code ec;
  // Renames the disk never saw, newest first.
  for (auto r = renames_.rbegin(); r != renames_.rend(); ++r) {
    if (fs::exists(r->to, ec)) fs::rename(r->to, r->from, ec);
    auto it = files_.find(r->to);
    if (it != files_.end()) {
      files_[r->from] = it->second;
      files_.erase(it);
    }
    if (r->to_existed) {
      std::ofstream out(r->to, std::ios::binary | std::ios::trunc);
      out << r->to_old_bytes;
    }
  }
  renames_.clear();
  for (const auto& [name, f] : files_) {
    if (!fs::exists(name, ec)) continue;
    if (!f.durable_name) {
      fs::remove(name, ec);
      continue;
    }
    // What reached the disk: the synced part, and for a write-ahead log
    // possibly some of the unsynced part, torn anywhere, and garbage after
    // it (other files are written whole before they are synced and used).
    uint64_t keep = f.synced_size;
    const bool wal = KindOf(name) == kWal;
    if (wal && f.size > f.synced_size) {
      keep += std::uniform_int_distribution<uint64_t>(
          0, f.size - f.synced_size)(*rng);
    }
    fs::resize_file(name, std::min<uint64_t>(keep, fs::file_size(name, ec)),
                    ec);
    if (wal && garbage && f.size > f.synced_size) {
      std::string junk(std::uniform_int_distribution<int>(1, 64)(*rng), '\0');
      for (char& c : junk) c = static_cast<char>((*rng)() & 0xff);
      std::ofstream out(name, std::ios::binary | std::ios::app);
      out << junk;
    }
  }
  files_.clear();
  off_.store(false);
}

}  // namespace brook
