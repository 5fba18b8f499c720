// The corruption matrix: damaged and missing files of a data directory, each
// with the outcome the design promises (DESIGN-NOTES.md, "Damage"): a clean
// recovery, or Corruption naming the file with nothing changed on disk, and
// never a crash, a silent loss or a reused offset.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "engine/engine_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/fault_fs.h"
#include "testing/dir_snapshot.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kRecords = 300;

// The names of `dir`'s files that start with `prefix` and end with `suffix`,
// sorted.
std::vector<std::string> FilesLike(const std::string& dir,
                                   const std::string& prefix,
                                   const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, suffix)) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class DamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("data");
    auto engine = Engine::Open(EngineOptions{}, dir_);
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 3));
    auto producer = (*engine)->CreateProducer(ProducerOptions{});  // acks=all
    ASSERT_OK(producer);
    for (int i = 0; i < kRecords; ++i) {
      ProducerRecord r("t", absl::StrCat("k", i), absl::StrCat("v", i));
      r.partition = i % 3;
      (*producer)->Send(std::move(r));
    }
    ASSERT_OK((*producer)->Flush());
    ASSERT_OK((*producer)->Close());
    ASSERT_OK((*engine)->Close());
  }

  // Opens with `options` and expects Corruption mentioning `names`, with the
  // directory unchanged.
  void ExpectCorruptionChangingNothing(EngineOptions options,
                                       const std::string& names) {
    const DirSnapshot before = SnapshotDir(dir_);
    auto engine = Engine::Open(options, dir_);
    EXPECT_THAT(engine, StatusIs(ErrorCode::kCorruption));
    EXPECT_EQ(engine.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(std::string(engine.status().message()), HasSubstr(names));
    const DirSnapshot after = SnapshotDir(dir_);
    EXPECT_TRUE(before == after) << DescribeDifference(before, after);
  }

  // Every record is there, with its offset.
  void ExpectAllRecords() {
    EngineOptions o;
    o.read_only = true;
    auto engine = Engine::Open(o, dir_);
    ASSERT_OK(engine);
    auto d = (*engine)->admin().DescribeTopic("t");
    ASSERT_OK(d);
    int64_t total = 0;
    for (const auto& p : d->partitions) total += p.log_end_offset;
    EXPECT_EQ(total, kRecords);
  }

  TempDir tmp_;
  std::string dir_;
};

TEST_F(DamageTest, MissingCurrentIsCorruptionAndChangesNothing) {
  const std::string current = ReadFile(dir_ + "/CURRENT");
  fs::remove(dir_ + "/CURRENT");
  ExpectCorruptionChangingNothing(EngineOptions{}, "CURRENT");
  EngineOptions read_only;
  read_only.read_only = true;
  ExpectCorruptionChangingNothing(read_only, "CURRENT");
  // Nothing was lost: with CURRENT back, every record is there.
  WriteFile(dir_ + "/CURRENT", current);
  ExpectAllRecords();
}

TEST_F(DamageTest, DamagedCurrentIsCorruption) {
  WriteFile(dir_ + "/CURRENT", "\x01garbage");
  ExpectCorruptionChangingNothing(EngineOptions{}, "CURRENT");
}

TEST_F(DamageTest, MissingManifestIsCorruptionNamingIt) {
  const std::string manifest =
      std::string(absl::StripTrailingAsciiWhitespace(
          ReadFile(dir_ + "/CURRENT")));
  fs::rename(dir_ + "/" + manifest, tmp_.Sub("moved-manifest"));
  ExpectCorruptionChangingNothing(EngineOptions{}, manifest);
  fs::rename(tmp_.Sub("moved-manifest"), dir_ + "/" + manifest);
  ExpectAllRecords();
}

TEST_F(DamageTest, ReadOnlyOpenCreatesAndChangesNothing) {
  const DirSnapshot before = SnapshotDir(dir_);
  {
    EngineOptions o;
    o.read_only = true;
    auto engine = Engine::Open(o, dir_);
    ASSERT_OK(engine);
    EXPECT_OK((*engine)->admin().ListTopics());
    EXPECT_OK((*engine)->admin().DescribeTopic("t"));
    EXPECT_OK((*engine)->admin().ListGroups());
    auto consumer = (*engine)->CreateConsumer(ConsumerOptions{});
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign({{"t", 0}}));
    ASSERT_OK((*consumer)->SeekToBeginning({{"t", 0}}));
    auto records = (*consumer)->Poll(absl::Milliseconds(100));
    ASSERT_OK(records);
    EXPECT_FALSE(records->empty());
    ASSERT_OK((*consumer)->Close());
    ASSERT_OK((*engine)->Close());
  }
  const DirSnapshot after = SnapshotDir(dir_);
  EXPECT_TRUE(before == after) << DescribeDifference(before, after);
}

// The newest write-ahead log file of `dir`.
std::string NewestWal(const std::string& dir) {
  std::vector<std::string> wals = FilesLike(dir, "", ".log");
  EXPECT_FALSE(wals.empty());
  return wals.empty() ? "" : dir + "/" + wals.back();
}

// Overwrites 16 bytes at `offset` of `path` with 0xA5.
void FlipBytes(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(offset);
  const std::string junk(16, '\xA5');
  f.write(junk.data(), junk.size());
}

// Log end offsets of t's partitions, read-only.
std::vector<int64_t> Ends(const std::string& dir) {
  EngineOptions o;
  o.read_only = true;
  auto engine = Engine::Open(o, dir);
  EXPECT_OK(engine);
  std::vector<int64_t> ends;
  if (!engine.ok()) return ends;
  auto d = (*engine)->admin().DescribeTopic("t");
  EXPECT_OK(d);
  for (const auto& p : d->partitions) ends.push_back(p.log_end_offset);
  return ends;
}

TEST_F(DamageTest, DeletedWalIsCorruptionNamingEveryPartition) {
  fs::remove(NewestWal(dir_));
  auto engine = Engine::Open(EngineOptions{}, dir_);
  ASSERT_THAT(engine, StatusIs(ErrorCode::kCorruption));
  const std::string message(engine.status().message());
  EXPECT_THAT(message, HasSubstr("t-0 offsets 0..99"));
  EXPECT_THAT(message, HasSubstr("t-1 offsets 0..99"));
  EXPECT_THAT(message, HasSubstr("t-2 offsets 0..99"));
  EXPECT_THAT(message, HasSubstr("the record of topic t"));
  EXPECT_THAT(message, HasSubstr("salvage"));
  // Refused again: the refusal itself changed nothing.
  EXPECT_THAT(Engine::Open(EngineOptions{}, dir_),
              StatusIs(ErrorCode::kCorruption));
  EngineOptions read_only;
  read_only.read_only = true;
  EXPECT_THAT(Engine::Open(read_only, dir_), StatusIs(ErrorCode::kCorruption));
}

TEST_F(DamageTest, DamageInTheMiddleOfTheWalIsCorruption) {
  const std::string wal = NewestWal(dir_);
  FlipBytes(wal, fs::file_size(wal) / 2);
  auto engine = Engine::Open(EngineOptions{}, dir_);
  ASSERT_THAT(engine, StatusIs(ErrorCode::kCorruption));
  EXPECT_THAT(std::string(engine.status().message()), HasSubstr("t-"));
}

// After a crash, no checkpoint covers the last second's writes: the log's
// own proof names what its damage lost.
// RocksDB deletes obsolete logs newest first: a crash in the middle can
// leave an old, flushed log while a newer one is gone, and the sequence
// numbers then skip between the leftover and the live logs. That is not
// damage: the leftover's records are all in table files.
TEST(WalDamageTest, ALeftoverObsoleteLogBeforeAMissingOneIsNotDamage) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto fault = std::make_shared<FaultFs>();
  std::string leftover;
  {
    auto engine = OpenEngineWithEnv(EngineOptions{}, dir, fault->env());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 1));
    auto producer = (*engine)->CreateProducer(ProducerOptions{});  // acks=all
    ASSERT_OK(producer);
    auto send = [&](int n) {
      for (int i = 0; i < n; ++i) {
        ASSERT_OK((*producer)->Send({"t", "k", "v"}).Get());
      }
    };
    send(10);
    const std::string old_wal = NewestWal(dir);
    leftover = tmp.Sub("leftover.log");
    fs::copy_file(old_wal, leftover);
    // Each DeleteRecords flushes the families, so the logs before become
    // obsolete and go.
    ASSERT_OK((*engine)->admin().DeleteRecords({{{"t", 0}, 5}}).status());
    send(10);
    ASSERT_OK((*engine)->admin().DeleteRecords({{{"t", 0}, 15}}).status());
    send(10);
    ASSERT_FALSE(fs::exists(old_wal));
    fault->CutPower();
    (*producer)->Close().IgnoreError();
    (*engine)->Close().IgnoreError();
    // The oldest log's deletion had not happened yet.
    fs::copy_file(leftover, old_wal);
  }
  auto engine = Engine::Open(EngineOptions{}, dir);
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->Close());
  EXPECT_EQ(Ends(dir), std::vector<int64_t>{30});
}

TEST(WalDamageTest, DamageAfterACrashIsCorruptionNamingTheRanges) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  auto fault = std::make_shared<FaultFs>();
  {
    auto engine = OpenEngineWithEnv(EngineOptions{}, dir, fault->env());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("t", 3));
    auto producer = (*engine)->CreateProducer(ProducerOptions{});  // acks=all
    ASSERT_OK(producer);
    // One fsynced write per record, each acknowledged before the next.
    for (int i = 0; i < 60; ++i) {
      ProducerRecord r("t", absl::StrCat("k", i), absl::StrCat("v", i));
      r.partition = i % 3;
      ASSERT_OK((*producer)->Send(std::move(r)).Get());
    }
    // The process dies: nothing more is written, the checkpoint included.
    fault->CutPower();
    (*producer)->Close().IgnoreError();
    (*engine)->Close().IgnoreError();
  }
  const std::string wal = NewestWal(dir);
  FlipBytes(wal, static_cast<int64_t>(fs::file_size(wal) / 2));
  auto refused = Engine::Open(EngineOptions{}, dir);
  ASSERT_THAT(refused, StatusIs(ErrorCode::kCorruption));
  const std::string message(refused.status().message());
  EXPECT_THAT(message, HasSubstr("sequence number"));
  EXPECT_THAT(message, HasSubstr("t-0 offsets "));
  EXPECT_THAT(message, HasSubstr("t-1 offsets "));
  EXPECT_THAT(message, HasSubstr("t-2 offsets "));
  EngineOptions read_only;
  read_only.read_only = true;
  EXPECT_THAT(Engine::Open(read_only, dir), StatusIs(ErrorCode::kCorruption));

  EngineOptions salvage;
  salvage.salvage = true;
  auto engine = Engine::Open(salvage, dir);
  ASSERT_OK(engine);
  // Each write's marker proves the fsync before it: all but the last
  // record (t-2 offset 19, whose fsync no later write vouches for).
  const std::vector<int64_t> proven = {20, 20, 19};
  ASSERT_EQ((*engine)->lost_records().size(), 3u);
  for (const LostRecords& l : (*engine)->lost_records()) {
    EXPECT_LT(l.from_offset, l.to_offset) << l.partition;
    EXPECT_EQ(l.to_offset, proven[l.partition]) << l.partition;
  }
  auto producer = (*engine)->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  for (int p = 0; p < 3; ++p) {
    ProducerRecord r("t", "k", "after");
    r.partition = p;
    auto md = (*producer)->Send(std::move(r)).Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->offset, proven[p]) << "a lost offset was reused";
  }
  ASSERT_OK((*producer)->Close());
  ASSERT_OK((*engine)->Close());
}

TEST_F(DamageTest, SalvageOpensWhatRemainsAndNeverReusesALostOffset) {
  const std::string wal = NewestWal(dir_);
  FlipBytes(wal, fs::file_size(wal) / 2);
  EngineOptions salvage;
  salvage.salvage = true;
  auto engine = Engine::Open(salvage, dir_);
  ASSERT_OK(engine);
  const std::vector<LostRecords> lost = (*engine)->lost_records();
  ASSERT_FALSE(lost.empty());
  int64_t lost_count = 0;
  for (const LostRecords& l : lost) {
    EXPECT_EQ(l.topic, "t");
    EXPECT_EQ(l.to_offset, kRecords / 3) << l.partition;
    EXPECT_LT(l.from_offset, l.to_offset);
    lost_count += l.to_offset - l.from_offset;
  }
  auto d = (*engine)->admin().DescribeTopic("t");
  ASSERT_OK(d);
  for (const auto& p : d->partitions) {
    EXPECT_EQ(p.log_end_offset, kRecords / 3) << p.partition;
  }
  // New records continue after the lost ones.
  auto producer = (*engine)->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  for (const LostRecords& l : lost) {
    ProducerRecord r("t", "k", "after");
    r.partition = l.partition;
    auto md = (*producer)->Send(std::move(r)).Get();
    ASSERT_OK(md);
    EXPECT_EQ(md->offset, l.to_offset);
  }
  ASSERT_OK((*producer)->Close());
  // A consumer from the start reads what remains, then the new record.
  auto consumer = (*engine)->CreateConsumer(ConsumerOptions{});
  ASSERT_OK(consumer);
  const LostRecords& first = lost.front();
  ASSERT_OK((*consumer)->Assign({{"t", first.partition}}));
  ASSERT_OK((*consumer)->SeekToBeginning({{"t", first.partition}}));
  std::vector<int64_t> offsets;
  for (int i = 0; i < 20 && (offsets.empty() ||
                             offsets.back() < first.to_offset);
       ++i) {
    auto records = (*consumer)->Poll(absl::Milliseconds(50));
    ASSERT_OK(records);
    for (const ConsumerRecord& r : *records) offsets.push_back(r.offset);
  }
  ASSERT_FALSE(offsets.empty());
  EXPECT_EQ(offsets.size(), static_cast<size_t>(first.from_offset + 1));
  EXPECT_EQ(offsets.back(), first.to_offset);
  ASSERT_OK((*consumer)->Close());
  ASSERT_OK((*engine)->Close());

  // Salvaged for good: a normal open succeeds with the same ends.
  auto reopened = Engine::Open(EngineOptions{}, dir_);
  ASSERT_OK(reopened);
  EXPECT_TRUE((*reopened)->lost_records().empty());
  ASSERT_OK((*reopened)->Close());
  EXPECT_THAT(Ends(dir_),
              ::testing::Each(::testing::Eq(kRecords / 3 + 1)));
  (void)lost_count;
}

TEST_F(DamageTest, SalvageOfADeletedWalRestoresTheTopicAndItsOffsets) {
  fs::remove(NewestWal(dir_));
  EngineOptions salvage;
  salvage.salvage = true;
  auto engine = Engine::Open(salvage, dir_);
  ASSERT_OK(engine);
  ASSERT_EQ((*engine)->lost_records().size(), 3u);
  for (const LostRecords& l : (*engine)->lost_records()) {
    EXPECT_EQ(l.topic, "t");
    EXPECT_EQ(l.from_offset, 0);
    EXPECT_EQ(l.to_offset, kRecords / 3);
  }
  auto producer = (*engine)->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  ProducerRecord r("t", "k", "after");
  r.partition = 1;
  auto md = (*producer)->Send(std::move(r)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, kRecords / 3);
  ASSERT_OK((*producer)->Close());
  ASSERT_OK((*engine)->Close());
  EXPECT_THAT(Ends(dir_), ::testing::ElementsAre(kRecords / 3,
                                                 kRecords / 3 + 1,
                                                 kRecords / 3));
}

TEST_F(DamageTest, SalvageRebuildsALostCurrent) {
  fs::remove(dir_ + "/CURRENT");
  EngineOptions salvage;
  salvage.salvage = true;
  auto engine = Engine::Open(salvage, dir_);
  ASSERT_OK(engine);
  EXPECT_TRUE((*engine)->lost_records().empty());
  ASSERT_OK((*engine)->Close());
  ExpectAllRecords();
}

TEST_F(DamageTest, SalvageIsRefusedReadOnly) {
  EngineOptions o;
  o.salvage = true;
  o.read_only = true;
  EXPECT_THAT(Engine::Open(o, dir_), StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(DamageTest, DamagedCheckpointFilesAreIgnored) {
  for (const std::string& f : FilesLike(dir_, "BROOK-SYNCED-", "")) {
    WriteFile(dir_ + "/" + f, "garbage");
  }
  auto engine = Engine::Open(EngineOptions{}, dir_);
  ASSERT_OK(engine);
  auto producer = (*engine)->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  ASSERT_OK((*producer)->Send({"t", "k", "more"}).Get());
  ASSERT_OK((*producer)->Close());
  ASSERT_OK((*engine)->Close());
  // A fresh checkpoint was written: damage is found again.
  fs::remove(NewestWal(dir_));
  EXPECT_THAT(Engine::Open(EngineOptions{}, dir_),
              StatusIs(ErrorCode::kCorruption));
}

// Everything SetUp wrote, moved out of the log into table files (a reopen
// flushes what it recovered), so that table files can be damaged.
void FlushIntoTables(const std::string& dir) {
  auto engine = Engine::Open(EngineOptions{}, dir);
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->Close());
}

// The largest table file of `dir` (the one holding the records).
std::string LargestTableFile(const std::string& dir) {
  std::string largest;
  for (const std::string& f : FilesLike(dir, "", ".sst")) {
    if (largest.empty() ||
        fs::file_size(dir + "/" + f) > fs::file_size(dir + "/" + largest)) {
      largest = f;
    }
  }
  return largest;
}

// Reads every record of t; the first error, or OK with the count.
absl::StatusOr<int64_t> CountRecords(const std::string& dir) {
  auto engine = Engine::Open(EngineOptions{}, dir);
  if (!engine.ok()) return engine.status();
  auto consumer = (*engine)->CreateConsumer(ConsumerOptions{});
  if (!consumer.ok()) return consumer.status();
  std::vector<TopicPartition> all = {{"t", 0}, {"t", 1}, {"t", 2}};
  if (absl::Status s = (*consumer)->Assign(all); !s.ok()) return s;
  if (absl::Status s = (*consumer)->SeekToBeginning(all); !s.ok()) return s;
  int64_t n = 0;
  for (;;) {
    auto records = (*consumer)->Poll(absl::Milliseconds(20));
    if (!records.ok()) return records.status();
    if (records->empty()) return n;
    n += static_cast<int64_t>(records->size());
  }
}

TEST_F(DamageTest, TruncatedWalTailAfterACleanCloseIsCorruption) {
  // After a clean close every record was synced: a shorter log lost them.
  const std::string wal = NewestWal(dir_);
  fs::resize_file(wal, fs::file_size(wal) - 100);
  EXPECT_THAT(Engine::Open(EngineOptions{}, dir_),
              StatusIs(ErrorCode::kCorruption));
}

TEST_F(DamageTest, DamagedWalStartIsCorruption) {
  FlipBytes(NewestWal(dir_), 0);
  EXPECT_THAT(Engine::Open(EngineOptions{}, dir_),
              StatusIs(ErrorCode::kCorruption));
}

TEST_F(DamageTest, DamagedTableFileIsCorruptionWhenRead) {
  FlushIntoTables(dir_);
  const std::string largest = LargestTableFile(dir_);
  ASSERT_FALSE(largest.empty());
  FlipBytes(dir_ + "/" + largest, fs::file_size(dir_ + "/" + largest) / 3);
  // Never silent: the open or a read reports it.
  absl::StatusOr<int64_t> read = CountRecords(dir_);
  EXPECT_THAT(read, StatusIs(ErrorCode::kCorruption));
}

TEST_F(DamageTest, DeletedTableFileIsCorruption) {
  FlushIntoTables(dir_);
  const std::string largest = LargestTableFile(dir_);
  ASSERT_FALSE(largest.empty());
  fs::remove(dir_ + "/" + largest);
  absl::StatusOr<int64_t> read = CountRecords(dir_);
  ASSERT_THAT(read, StatusIs(ErrorCode::kCorruption));
  // Named by its number (RocksDB also looks for it as NNNNNN.ldb).
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr(largest.substr(0, largest.size() - 4)));
}

TEST_F(DamageTest, DamagedManifestIsCorruptionAndChangesNothing) {
  const std::string manifest = std::string(
      absl::StripTrailingAsciiWhitespace(ReadFile(dir_ + "/CURRENT")));
  FlipBytes(dir_ + "/" + manifest, 20);
  ExpectCorruptionChangingNothing(EngineOptions{}, "");
}

TEST_F(DamageTest, DamagedOrDeletedOptionsFilesLoseNothing) {
  // OPTIONS only records settings, which the topics' records also hold.
  std::vector<std::string> options = FilesLike(dir_, "OPTIONS-", "");
  ASSERT_FALSE(options.empty());
  WriteFile(dir_ + "/" + options.back(), "[CFOptions \"broken");
  ExpectAllRecords();
  for (const std::string& f : FilesLike(dir_, "OPTIONS-", "")) {
    fs::remove(dir_ + "/" + f);
  }
  auto engine = Engine::Open(EngineOptions{}, dir_);
  ASSERT_OK(engine);
  ASSERT_OK((*engine)->Close());
  ExpectAllRecords();
}

TEST(DataDirTest, MissingDirectoryIsAnErrorWithoutCreateIfMissing) {
  TempDir tmp;
  EngineOptions o;
  o.create_if_missing = false;
  EXPECT_THAT(Engine::Open(o, tmp.Sub("typo")),
              StatusIs(ErrorCode::kIllegalState));
  o.read_only = true;
  EXPECT_THAT(Engine::Open(o, tmp.Sub("typo")),
              StatusIs(ErrorCode::kIllegalState));
  EXPECT_FALSE(fs::exists(tmp.Sub("typo")));
}

TEST(DataDirTest, ReadOnlyOpenOfAnEmptyDirectoryCreatesNothing) {
  TempDir tmp;
  fs::create_directories(tmp.Sub("empty"));
  EngineOptions o;
  o.read_only = true;
  EXPECT_THAT(Engine::Open(o, tmp.Sub("empty")),
              StatusIs(ErrorCode::kIllegalState));
  EXPECT_TRUE(fs::is_empty(tmp.Sub("empty")));
}

}  // namespace
}  // namespace brook
