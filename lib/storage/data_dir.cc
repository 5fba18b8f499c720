#include "storage/data_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"
#include "util/status_macros.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// RocksDB's numbered data files: write-ahead logs (NNNNNN.log), table files
// (NNNNNN.sst) and blob files (NNNNNN.blob). Their presence means the
// directory held a database that stored something.
bool IsDataFile(absl::string_view name) {
  for (absl::string_view ext : {".log", ".sst", ".blob"}) {
    if (absl::EndsWith(name, ext) &&
        AllDigits(name.substr(0, name.size() - ext.size()))) {
      return true;
    }
  }
  return false;
}

absl::Status MissingCurrent(const std::string& dir,
                            const std::vector<std::string>& data_files) {
  return Error(
      ErrorCode::kCorruption,
      absl::StrCat("data directory ", dir,
                   " holds database files (", data_files.size(),
                   ", e.g. ", data_files.front(),
                   ") but its CURRENT file is missing, so which MANIFEST "
                   "describes them is unknown; nothing was changed. Restore "
                   "CURRENT from a backup, or open with salvage to rebuild "
                   "it from the newest MANIFEST"));
}

// fsync(2) of `path` opened with `flags`.
absl::Status Fsync(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  const bool ok = fd >= 0 && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok) return absl::OkStatus();
  return Error(ErrorCode::kKafkaStorageError,
               absl::StrCat("cannot sync ", path, ": ", std::strerror(err)));
}

// The same directory under any spelling of its path.
std::string Canonical(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(dir, ec);
  return ec ? dir : p.string();
}

struct HeldDirs {
  absl::Mutex mu;
  absl::flat_hash_map<std::string, int> count ABSL_GUARDED_BY(mu);
};

HeldDirs& Held() {
  static HeldDirs* held = new HeldDirs;  // Never destroyed.
  return *held;
}

}  // namespace

std::string NewestNumberedFile(const std::string& dir,
                               absl::string_view prefix) {
  std::string newest;
  uint64_t newest_number = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    uint64_t number;
    if (absl::StartsWith(name, prefix) &&
        absl::SimpleAtoi(absl::string_view(name).substr(prefix.size()),
                         &number) &&
        (newest.empty() || number > newest_number)) {
      newest = name;
      newest_number = number;
    }
  }
  return newest;
}

absl::Status RebuildCurrent(const std::string& dir) {
  const std::string newest = NewestNumberedFile(dir, "MANIFEST-");
  if (newest.empty()) {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat("data directory ", dir,
                              " has no MANIFEST file left to rebuild "
                              "CURRENT from"));
  }
  // Written whole, fsynced, then renamed over CURRENT, as RocksDB does.
  const fs::path tmp = fs::path(dir) / "CURRENT.brook-salvage";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << newest << "\n";
    out.flush();
    if (!out) {
      return Error(ErrorCode::kKafkaStorageError,
                   absl::StrCat("cannot write ", tmp.string()));
    }
  }
  BROOK_RETURN_IF_ERROR(Fsync(tmp.string(), O_RDONLY));
  std::error_code ec;
  fs::rename(tmp, fs::path(dir) / "CURRENT", ec);
  if (ec) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("cannot replace ", dir, "/CURRENT: ",
                              ec.message()));
  }
  return Fsync(dir, O_RDONLY | O_DIRECTORY);
}

bool DataDirHeld(const std::string& dir) {
  {
    HeldDirs& held = Held();
    absl::MutexLock lock(&held.mu);
    if (held.count.contains(Canonical(dir))) return true;
  }
  // RocksDB holds a POSIX record lock on LOCK while a database is open;
  // F_GETLK reports another process's lock without taking it.
  const int fd = ::open((fs::path(dir) / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock probe = {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &probe) == 0 &&
                    probe.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

void RegisterHeldDataDir(const std::string& dir) {
  HeldDirs& held = Held();
  absl::MutexLock lock(&held.mu);
  ++held.count[Canonical(dir)];
}

void UnregisterHeldDataDir(const std::string& dir) {
  HeldDirs& held = Held();
  absl::MutexLock lock(&held.mu);
  auto it = held.count.find(Canonical(dir));
  if (it != held.count.end() && --it->second == 0) held.count.erase(it);
}

absl::StatusOr<DataDirState> InspectDataDir(const std::string& dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (ec || status.type() == fs::file_type::not_found) {
    if (status.type() == fs::file_type::not_found) {
      return DataDirState::kMissing;
    }
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("cannot inspect data directory ", dir, ": ",
                              ec.message()));
  }
  if (status.type() != fs::file_type::directory) {
    return Error(ErrorCode::kIllegalState,
                 absl::StrCat(dir, " is not a directory"));
  }
  std::vector<std::string> data_files;
  bool has_current = false;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name == "CURRENT") has_current = true;
    if (IsDataFile(name)) data_files.push_back(name);
  }
  if (ec) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("cannot list data directory ", dir, ": ",
                              ec.message()));
  }
  if (!has_current) {
    if (data_files.empty()) return DataDirState::kEmpty;
    return MissingCurrent(dir, data_files);
  }
  // CURRENT holds the MANIFEST's name and a newline.
  std::ifstream in(fs::path(dir) / "CURRENT", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("cannot read ", dir, "/CURRENT"));
  }
  const std::string current = text.str();
  const std::string manifest(absl::StripTrailingAsciiWhitespace(current));
  if (!absl::EndsWith(current, "\n") ||
      !absl::StartsWith(manifest, "MANIFEST-") ||
      !AllDigits(absl::string_view(manifest).substr(9))) {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat(dir,
                              "/CURRENT is damaged: it does not name a "
                              "MANIFEST file; nothing was changed. Restore "
                              "it from a backup, or open with salvage to "
                              "rebuild it from the newest MANIFEST"));
  }
  if (!fs::exists(fs::path(dir) / manifest, ec)) {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat(dir, "/", manifest,
                              ", the MANIFEST named by CURRENT, is missing: "
                              "the list of the database's files is lost; "
                              "nothing was changed. Open with salvage to "
                              "point CURRENT at the newest MANIFEST left"));
  }
  return DataDirState::kDatabase;
}

}  // namespace brook
