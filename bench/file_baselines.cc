#include "file_baselines.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

absl::Status ErrnoError(absl::string_view what, int error) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

// An append-only file made durable after every Append.
class SyncedFile {
 public:
  explicit SyncedFile(int fd) : fd_(fd) {}
  SyncedFile(const SyncedFile&) = delete;
  SyncedFile& operator=(const SyncedFile&) = delete;
  ~SyncedFile() { close(fd_); }

  static absl::StatusOr<std::unique_ptr<SyncedFile>> Create(
      const std::string& path) {
    const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) return ErrnoError(absl::StrCat("open ", path), errno);
    return std::make_unique<SyncedFile>(fd);
  }

  // Writes `bytes` at the end of the file, then fdatasync()s it.
  absl::Status Append(absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("write", errno);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    if (fdatasync(fd_) != 0) return ErrnoError("fdatasync", errno);
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Size() const {
    struct stat st;
    if (fstat(fd_, &st) != 0) return ErrnoError("fstat", errno);
    return static_cast<int64_t>(st.st_size);
  }

 private:
  const int fd_;
};

// The ideal group commit over `members` threads that each commit the same
// number of records one at a time: the last member to queue its record
// writes and syncs the group (all members' records) and wakes the others.
class IdealGroupCommit {
 public:
  IdealGroupCommit(SyncedFile* file, int members)
      : file_(file), members_(members) {}

  // Returns once `record` is durable (or the group's write failed).
  absl::Status Commit(absl::string_view record) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const int64_t generation = generation_;
    group_.append(record.data(), record.size());
    if (++queued_ < members_) {
      // Generation + 1 needs this member's next record, so the status read
      // below is still this group's.
      auto written = [this, generation]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return generation_ != generation;
      };
      mu_.Await(absl::Condition(&written));
      return status_;
    }
    // Every other member is waiting for this group, so holding the lock
    // through the write delays nobody.
    status_ = file_->Append(group_);
    group_.clear();
    queued_ = 0;
    ++generation_;
    return status_;
  }

 private:
  SyncedFile* const file_;
  const int members_;
  absl::Mutex mu_;
  std::string group_ ABSL_GUARDED_BY(mu_);
  int queued_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::vector<Metric>> RunBaselineFileSync(const RunEnv& env,
                                                        int threads) {
  const Dataset& data = *env.data;
  const int64_t per_thread = env.config->sync_sends;
  std::error_code ec;
  std::filesystem::create_directories(env.dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("create ", env.dir, ": ", ec.message()));
  }
  absl::StatusOr<std::unique_ptr<SyncedFile>> file =
      SyncedFile::Create(env.dir + "/log");
  if (!file.ok()) return file.status();
  IdealGroupCommit group(file->get(), threads);

  absl::StatusOr<double> seconds =
      TimeSynchronousCalls(threads, per_thread, [&](int t, int64_t j) {
        // Record i of the data set: its key then its value.
        const int64_t i = (t * per_thread + j) % data.records();
        std::string record(data.key(i));
        record.append(data.value(i).data(), data.value(i).size());
        return group.Commit(record);
      });
  if (!seconds.ok()) return seconds.status();
  absl::StatusOr<int64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  // Keys and values have fixed sizes.
  const int64_t bytes = per_thread * threads * data.record_bytes();
  if (*size != bytes) {
    return absl::InternalError(
        absl::StrCat("the file holds ", *size, " bytes, expected ", bytes));
  }
  return std::vector<Metric>{SyncSendRate("baseline_d_file_sync",
                                          "file (d) write+fdatasync", threads,
                                          per_thread * threads, *seconds)};
}

}  // namespace bench
}  // namespace brook
