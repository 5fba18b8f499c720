#include "storage/wal_evidence.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "brook/error.h"
#include "rocksdb/db.h"
#include "rocksdb/wal_filter.h"
#include "rocksdb/write_batch.h"
#include "storage/db_state.h"
#include "storage/info_log.h"
#include "storage/keys.h"
#include "util/status_macros.h"

namespace brook {
namespace {

constexpr absl::string_view kMarkerPrefix = "brook.synced-through ";

std::optional<uint64_t> ParseMarker(absl::string_view blob) {
  uint64_t seq = 0;
  if (!absl::ConsumePrefix(&blob, kMarkerPrefix) ||
      !absl::SimpleAtoi(blob, &seq)) {
    return std::nullopt;
  }
  return seq;
}

// One log record's entries: its markers and its record batches.
class RecordReader : public rocksdb::WriteBatch::Handler {
 public:
  struct Put {
    uint32_t family;
    int32_t partition;
    int64_t base_offset;
    std::string value;
  };

  uint64_t largest_marker = 0;
  std::vector<Put> puts;

  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    Put put;
    if (DecodeBatchKey(absl::string_view(key.data(), key.size()),
                       &put.partition, &put.base_offset)) {
      put.family = family;
      put.value.assign(value.data(), value.size());
      puts.push_back(std::move(put));
    }
    return rocksdb::Status::OK();
  }
  void LogData(const rocksdb::Slice& blob) override {
    const std::optional<uint64_t> seq =
        ParseMarker(absl::string_view(blob.data(), blob.size()));
    if (seq) largest_marker = std::max(largest_marker, *seq);
  }
  // Entries brook does not look at (the defaults refuse other families).
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status SingleDeleteCF(uint32_t, const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteRangeCF(uint32_t, const rocksdb::Slice&,
                                const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
  rocksdb::Status MergeCF(uint32_t, const rocksdb::Slice&,
                          const rocksdb::Slice&) override {
    return rocksdb::Status::OK();
  }
};

// Reads what the scan needs from RocksDB's metadata, replaying no log: the
// families (id -> name) and the log each needs from (older ones hold only
// flushed writes).
class FamilyReader : public rocksdb::WalFilter {
 public:
  std::map<uint32_t, uint64_t> log_numbers;
  std::map<std::string, uint32_t> ids;

  const char* Name() const override { return "BrookFamilyReader"; }
  void ColumnFamilyLogNumberMap(
      const std::map<uint32_t, uint64_t>& numbers,
      const std::map<std::string, uint32_t>& name_ids) override {
    log_numbers = numbers;
    ids = name_ids;
  }
  WalProcessingOption LogRecordFound(unsigned long long, const std::string&,
                                     const rocksdb::WriteBatch&,
                                     rocksdb::WriteBatch*, bool*) override {
    return WalProcessingOption::kStopReplay;
  }
};

// CRC-32C (Castagnoli), as RocksDB's log records carry it: the processor's
// instruction where it has one (the scan reads every log at each open), a
// table otherwise.
class Crc32c {
 public:
  Crc32c() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      table_[i] = c;
    }
#if defined(__x86_64__)
    hardware_ = __builtin_cpu_supports("sse4.2");
#endif
  }
  uint32_t Value(const char* data, size_t n) const {
#if defined(__x86_64__)
    if (hardware_) return Hardware(data, n);
#endif
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; ++i) {
      c = table_[(c ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (c >> 8);
    }
    return c ^ 0xffffffffu;
  }

 private:
#if defined(__x86_64__)
  __attribute__((target("sse4.2"))) static uint32_t Hardware(const char* data,
                                                             size_t n) {
    uint64_t c = 0xffffffffu;
    for (; n >= 8; n -= 8, data += 8) {
      uint64_t word;
      std::memcpy(&word, data, 8);
      c = __builtin_ia32_crc32di(c, word);
    }
    uint32_t c32 = static_cast<uint32_t>(c);
    for (; n > 0; --n, ++data) {
      c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*data));
    }
    return c32 ^ 0xffffffffu;
  }
  bool hardware_ = false;
#endif
  uint32_t table_[256];
};

uint32_t Fixed32(const char* p) {
  return static_cast<uint32_t>(static_cast<unsigned char>(p[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(p[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(p[3])) << 24;
}

// RocksDB's log format (persisted, so fixed): 32 KiB blocks of records,
// each a 7-byte header (masked CRC-32C of the type byte and the payload,
// payload length, type) and its payload; a write batch too big for the
// rest of a block is split into first, middle and last fragments. Unlike
// RocksDB's reader, which drops the rest of a block after a damaged record,
// this one looks for the next intact record at every later byte, so that
// damage hides as few records as possible.
class LogReader {
 public:
  enum Type : unsigned char { kFull = 1, kFirst = 2, kMiddle = 3, kLast = 4 };
  static constexpr size_t kBlock = 32768;
  static constexpr size_t kHeader = 7;

  // Calls `fn` with each intact write batch of `path`, in order.
  static absl::Status Read(const std::string& path,
                           const std::function<void(absl::string_view)>& fn) {
    static const Crc32c* const crc = new Crc32c();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Error(ErrorCode::kKafkaStorageError,
                   absl::StrCat("cannot read ", path));
    }
    std::string block(kBlock, '\0');
    std::string batch;
    bool in_batch = false;
    while (in) {
      in.read(block.data(), kBlock);
      const size_t size = static_cast<size_t>(in.gcount());
      size_t at = 0;
      while (at + kHeader <= size) {
        const char* h = block.data() + at;
        const size_t length = static_cast<unsigned char>(h[4]) |
                              static_cast<size_t>(
                                  static_cast<unsigned char>(h[5])) << 8;
        const unsigned char type = static_cast<unsigned char>(h[6]);
        const bool intact =
            type >= kFull && type <= kLast && at + kHeader + length <= size &&
            Fixed32(h) == Mask(crc->Value(h + 6, 1 + length));
        if (!intact) {
          // Damage, or the zeros that pad a block: look again one byte on.
          in_batch = false;
          ++at;
          continue;
        }
        const char* payload = h + kHeader;
        switch (type) {
          case kFull:
            fn(absl::string_view(payload, length));
            in_batch = false;
            break;
          case kFirst:
            batch.assign(payload, length);
            in_batch = true;
            break;
          case kMiddle:
            if (in_batch) batch.append(payload, length);
            break;
          case kLast:
            if (in_batch) {
              batch.append(payload, length);
              fn(batch);
            }
            in_batch = false;
            break;
        }
        at += kHeader + length;
      }
    }
    if (in.bad()) {
      return Error(ErrorCode::kKafkaStorageError,
                   absl::StrCat("cannot read ", path));
    }
    return absl::OkStatus();
  }

 private:
  static uint32_t Mask(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  }
};

// The column families a write batch writes to.
class FamilyCollector : public rocksdb::WriteBatch::Handler {
 public:
  std::vector<uint32_t> families;

  rocksdb::Status PutCF(uint32_t family, const rocksdb::Slice&,
                        const rocksdb::Slice&) override {
    return Add(family);
  }
  rocksdb::Status DeleteCF(uint32_t family, const rocksdb::Slice&) override {
    return Add(family);
  }
  rocksdb::Status SingleDeleteCF(uint32_t family,
                                 const rocksdb::Slice&) override {
    return Add(family);
  }
  rocksdb::Status DeleteRangeCF(uint32_t family, const rocksdb::Slice&,
                                const rocksdb::Slice&) override {
    return Add(family);
  }
  rocksdb::Status MergeCF(uint32_t family, const rocksdb::Slice&,
                          const rocksdb::Slice&) override {
    return Add(family);
  }

 private:
  rocksdb::Status Add(uint32_t family) {
    families.push_back(family);
    return rocksdb::Status::OK();
  }
};

// Follows the write batches of the logs in order, and keeps what proves
// damage.
//
// Sequence numbers skip within a log only where records were lost. Between
// two logs they also skip where RocksDB deleted an obsolete log (one whose
// writes are all in table files): it deletes obsolete logs newest first,
// so a crash can leave an older one. A skip after a log is damage only when
// that log still held writes a family needs (RocksDB never deletes a log
// after a needed one).
class DamageFinder {
 public:
  DamageFinder(const FamilyReader& families,
               const std::vector<std::string>& ignored)
      : log_numbers_(families.log_numbers) {
    for (const auto& [name, id] : families.ids) {
      if (std::find(ignored.begin(), ignored.end(), name) == ignored.end()) {
        names_[id] = name;
      }
    }
  }

  // Called before the batches of each log, in order.
  void StartLog() {
    previous_needed_ = needed_;
    needed_ = false;
    log_start_ = true;
  }

  void Found(uint64_t log_number, const std::string& file,
             absl::string_view rep) {
    // The batch header: sequence number (fixed64), count (fixed32).
    if (rep.size() < 12) return;
    const uint64_t seq =
        Fixed32(rep.data()) | static_cast<uint64_t>(Fixed32(rep.data() + 4))
                                  << 32;
    const uint64_t next = seq + Fixed32(rep.data() + 8);
    const bool obsolete_before = log_start_ && !previous_needed_;
    log_start_ = false;
    if (!damage_ && expected_ != 0 && seq > expected_ && !obsolete_before) {
      damage_.emplace();
      damage_->file = file;
      damage_->first_lost_seq = expected_;
    }
    if (!needed_) needed_ = Needed(log_number, rep);
    // A write that failed for lack of space may leave a record whose
    // sequence numbers the next write reuses: only a skip is damage.
    expected_ = next;
    if (damage_) {
      Examine(log_number, seq, rocksdb::WriteBatch(std::string(rep)));
    }
  }

  // The damage, when a marker proved it.
  std::optional<WalDamage> Result() {
    if (!damage_ || !proven_) return std::nullopt;
    return std::move(damage_);
  }

 private:
  struct Pending {
    uint64_t seq;
    std::string family;
    RecordReader::Put put;
  };

  // Whether the batch writes to a family that has not been flushed past
  // log `log_number` (recovery would replay it).
  bool Needed(uint64_t log_number, absl::string_view rep) const {
    FamilyCollector collector;
    rocksdb::WriteBatch(std::string(rep))
        .Iterate(&collector)
        .PermitUncheckedError();  // Keeps what it read.
    for (uint32_t family : collector.families) {
      auto flushed = log_numbers_.find(family);
      if (flushed != log_numbers_.end() && log_number >= flushed->second) {
        return true;
      }
    }
    return false;
  }

  void Examine(uint64_t log_number, uint64_t seq,
               const rocksdb::WriteBatch& batch) {
    RecordReader reader;
    batch.Iterate(&reader).PermitUncheckedError();  // Keeps what it read.
    // A marker proves the writes up to its sequence number were fsynced:
    // the lost ones, and those found past them.
    if (reader.largest_marker >= damage_->first_lost_seq) {
      proven_ = true;
      auto end = std::partition(
          pending_.begin(), pending_.end(), [&](const Pending& p) {
            return p.seq > reader.largest_marker;
          });
      for (auto it = end; it != pending_.end(); ++it) {
        WalDamage::Batch& last =
            damage_->last_batches[it->family][it->put.partition];
        if (last.value.empty() || it->put.base_offset >= last.base_offset) {
          last.base_offset = it->put.base_offset;
          last.value = std::move(it->put.value);
        }
      }
      pending_.erase(end, pending_.end());
    }
    for (RecordReader::Put& put : reader.puts) {
      auto name = names_.find(put.family);
      if (name == names_.end()) continue;
      // Writes of a family already flushed past this log are in its table
      // files, not lost.
      auto flushed = log_numbers_.find(put.family);
      if (flushed != log_numbers_.end() && log_number < flushed->second) {
        continue;
      }
      pending_.push_back(Pending{seq, name->second, std::move(put)});
    }
  }

  const std::map<uint32_t, uint64_t> log_numbers_;
  std::map<uint32_t, std::string> names_;
  uint64_t expected_ = 0;  // The sequence number the next batch starts at.
  std::optional<WalDamage> damage_;
  bool proven_ = false;
  // Whether the current log, and the one before it, hold a needed write.
  bool needed_ = false;
  bool previous_needed_ = false;
  bool log_start_ = false;  // No batch of the current log seen yet.
  std::vector<Pending> pending_;  // Past the damage, not yet proven synced.
};

// The logs of `dir` RocksDB recovers from: numbered at least `first`, in
// order.
absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> LiveLogs(
    const std::string& dir, uint64_t first) {
  std::vector<std::pair<uint64_t, std::string>> logs;
  std::error_code ec;
  // Non-throwing iteration: a listing error is reported, not thrown.
  for (std::filesystem::directory_iterator it(dir, ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::filesystem::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    uint64_t number;
    if (absl::EndsWith(name, ".log") &&
        absl::SimpleAtoi(absl::string_view(name).substr(0, name.size() - 4),
                         &number) &&
        number >= first) {
      logs.emplace_back(number, entry.path().string());
    }
  }
  if (ec) {
    return Error(ErrorCode::kKafkaStorageError,
                 absl::StrCat("cannot list ", dir, ": ", ec.message()));
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

}  // namespace

uint64_t BatchSequence(const rocksdb::WriteBatch& batch) {
  // RocksDB's batch header: the sequence number (fixed64, little-endian),
  // then the count of entries (fixed32).
  const std::string& rep = batch.Data();
  if (rep.size() < 12) return 0;
  uint64_t seq = 0;
  for (int i = 7; i >= 0; --i) {
    seq = (seq << 8) | static_cast<unsigned char>(rep[i]);
  }
  return seq;
}

std::string SyncedMarker(uint64_t synced_seq) {
  return absl::StrCat(kMarkerPrefix, synced_seq);
}

absl::StatusOr<std::optional<WalDamage>> FindWalDamage(
    const rocksdb::DBOptions& options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
    const std::vector<std::string>& ignored) {
  FamilyReader family_reader;
  rocksdb::DBOptions scan = options;
  scan.wal_filter = &family_reader;
  scan.info_log = NullInfoLog();
  scan.create_if_missing = false;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(
      scan, path, families, &handles, &raw,
      /*error_if_wal_file_exists=*/false);
  if (!s.ok()) return FromRocksDb(s, "reading the write-ahead logs");
  std::unique_ptr<rocksdb::DB> db(raw);
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  s = db->Close();
  if (!s.ok()) return FromRocksDb(s, "reading the write-ahead logs");
  db.reset();

  // RocksDB recovers from the oldest log a family still needs.
  uint64_t first = UINT64_MAX;
  for (const auto& [id, number] : family_reader.log_numbers) {
    first = std::min(first, number);
  }
  DamageFinder finder(family_reader, ignored);
  BROOK_ASSIGN_OR_RETURN(auto logs, LiveLogs(path, first));
  for (const std::pair<uint64_t, std::string>& log : logs) {
    finder.StartLog();
    BROOK_RETURN_IF_ERROR(
        LogReader::Read(log.second, [&](absl::string_view rep) {
          finder.Found(log.first, log.second, rep);
        }));
  }
  return finder.Result();
}

}  // namespace brook
