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
#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
