#include "storage/info_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/error.h"

namespace brook {
namespace {

constexpr off_t kRotateBytes = 4 << 20;

// Thread-safe: each line is formatted on the caller's stack and written with
// one append-mode write(2).
class FileInfoLog : public rocksdb::Logger {
 public:
  FileInfoLog(int fd, rocksdb::InfoLogLevel level)
      : rocksdb::Logger(level), fd_(fd) {}
  ~FileInfoLog() override { CloseFd(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Write(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    Write(level, format, ap);
  }

 protected:
  rocksdb::Status CloseImpl() override {
    CloseFd();
    return rocksdb::Status::OK();
  }

 private:
  void Write(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
    static constexpr const char* kLevels[] = {"DEBUG", "INFO", "WARN",
                                              "ERROR", "FATAL", "HEADER"};
    const int index = static_cast<int>(level);
    char line[4096];
    const std::string stamp = absl::FormatTime(
        "%Y/%m/%d-%H:%M:%E6S ", absl::Now(), absl::LocalTimeZone());
    int n = std::snprintf(line, sizeof(line), "%s[%s] ", stamp.c_str(),
                          index >= 0 && index < 6 ? kLevels[index] : "?");
    if (n < 0) return;
    va_list copy;
    va_copy(copy, ap);
    const int body = std::vsnprintf(line + n, sizeof(line) - n - 1, format,
                                    copy);
    va_end(copy);
    if (body < 0) return;
    n = std::min<int>(n + body, sizeof(line) - 2);
    line[n++] = '\n';
    // A line that cannot be written (a full disk) is dropped: the log only
    // informs, and the engine reports the storage error itself.
    if (fd_ >= 0 && ::write(fd_, line, n) < 0) {
      // Nothing to do.
    }
  }

  void CloseFd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_;
};

class NullLog : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
  void Logv(rocksdb::InfoLogLevel, const char*, va_list) override {}
};

}  // namespace

absl::StatusOr<std::shared_ptr<rocksdb::Logger>> OpenInfoLog(
    const std::string& dir, rocksdb::InfoLogLevel level) {
  const std::string path = absl::StrCat(dir, "/LOG");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && st.st_size > kRotateBytes) {
    // Best effort: a log that cannot be moved keeps growing.
    ::rename(path.c_str(), absl::StrCat(path, ".old").c_str());
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    return Error(err == ENOSPC || err == EMFILE || err == ENFILE || err == EIO
                     ? ErrorCode::kKafkaStorageError
                     : ErrorCode::kUnknown,
                 absl::StrCat("cannot open ", path, ": ", std::strerror(err)));
  }
  return std::shared_ptr<rocksdb::Logger>(new FileInfoLog(fd, level));
}

std::shared_ptr<rocksdb::Logger> NullInfoLog() {
  return std::make_shared<NullLog>();
}

}  // namespace brook
