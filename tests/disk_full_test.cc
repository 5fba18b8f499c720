// A full disk, injected deterministically on each write path (the
// write-ahead log, flushes, the MANIFEST, OPTIONS, brook's checkpoint) with
// storage/fault_fs.h: never an abort; writes fail with KafkaStorageError
// (retriable) saying how much space resuming needs; Poll keeps serving what
// is stored; nothing acknowledged is lost; writing resumes by itself once
// space is freed.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "engine/engine_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::HasSubstr;

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("data");
    fs_ = std::make_shared<FaultFs>();
    auto engine = OpenEngineWithEnv(EngineOptions{}, dir_, fs_->env());
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
    ASSERT_OK(engine_->admin().CreateTopic("t", 2));
    auto producer = engine_->CreateProducer(Sync());
    ASSERT_OK(producer);
    producer_ = std::move(*producer);
  }

  void TearDown() override {
    if (producer_ != nullptr) producer_->Close().IgnoreError();
    if (engine_ != nullptr) engine_->Close().IgnoreError();
  }

  // acks=all, no linger: one send, one write.
  static ProducerOptions Sync() {
    ProducerOptions o;
    o.linger = absl::ZeroDuration();
    return o;
  }

  absl::StatusOr<RecordMetadata> Send(const std::string& value,
                                      int32_t partition = 0) {
    ProducerRecord r("t", "k", value);
    r.partition = partition;
    return producer_->Send(std::move(r)).Get();
  }

  // Sends until one succeeds (writing resumes within a retry or two once
  // space is back), for up to 5 s of real time.
  absl::StatusOr<RecordMetadata> SendUntilAccepted(const std::string& value) {
    absl::StatusOr<RecordMetadata> md = Send(value);
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    while (!md.ok() && IsRetriable(md.status()) && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(20));
      md = Send(value);
    }
    return md;
  }

  // Every value of partition `p` of `topic` from the start.
  std::vector<std::string> ReadAll(Engine& engine, int32_t p,
                                   const std::string& topic = "t") {
    auto consumer = engine.CreateConsumer(ConsumerOptions{});
    EXPECT_OK(consumer);
    if (!consumer.ok()) return {};
    EXPECT_OK((*consumer)->Assign({{topic, p}}));
    EXPECT_OK((*consumer)->SeekToBeginning({{topic, p}}));
    std::vector<std::string> values;
    for (;;) {
      auto records = (*consumer)->Poll(absl::Milliseconds(50));
      EXPECT_OK(records);
      if (!records.ok() || records->empty()) break;
      for (const ConsumerRecord& r : *records) {
        values.push_back(r.value.value_or(""));
      }
    }
    return values;
  }

  // Closes, reopens without faults and expects partition 0 to hold exactly
  // `values`.
  void ExpectAfterReopen(const std::vector<std::string>& values) {
    producer_->Close().IgnoreError();
    producer_.reset();
    engine_->Close().IgnoreError();
    engine_.reset();
    auto engine = Engine::Open(EngineOptions{}, dir_);
    ASSERT_OK(engine);
    EXPECT_EQ(ReadAll(**engine, 0), values);
  }

  TempDir tmp_;
  std::string dir_;
  std::shared_ptr<FaultFs> fs_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(DiskFullTest, FullWalFailsSendsThenResumesWhenSpaceIsFreed) {
  ASSERT_OK(Send("before"));
  fs_->SetFreeSpace(0, FaultFs::kWal);
  auto refused = Send("refused");
  ASSERT_THAT(refused, StatusIs(ErrorCode::kKafkaStorageError));
  EXPECT_TRUE(IsRetriable(refused.status()));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("no space left"));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("MiB must be free"));
  // Still refused, and reads go on.
  EXPECT_THAT(Send("refused too"), StatusIs(ErrorCode::kKafkaStorageError));
  EXPECT_EQ(ReadAll(*engine_, 0), std::vector<std::string>{"before"});
  EXPECT_GT(fs_->refused_writes(), 0);

  fs_->SetFreeSpace(-1);  // Space is back.
  auto after = SendUntilAccepted("after");
  ASSERT_OK(after);
  EXPECT_EQ(after->offset, 1);  // The refused sends took no offset.
  ExpectAfterReopen({"before", "after"});
}

TEST_F(DiskFullTest, LittleSpaceFreedKeepsRefusingThenResumes) {
  ASSERT_OK(Send("before"));
  fs_->SetFreeSpace(0, FaultFs::kWal);
  ASSERT_THAT(Send("refused"), StatusIs(ErrorCode::kKafkaStorageError));
  fs_->SetFreeSpace(10, FaultFs::kWal);  // Less than a record needs.
  absl::SleepFor(absl::Milliseconds(60));
  EXPECT_THAT(Send("still refused"), StatusIs(ErrorCode::kKafkaStorageError));
  fs_->SetFreeSpace(-1);
  ASSERT_OK(SendUntilAccepted("after"));
  ExpectAfterReopen({"before", "after"});
}

TEST_F(DiskFullTest, FullDiskForFlushesStopsWritesUntilFreed) {
  // Table files cannot be written: records go on into the log and the
  // memtable until a flush is needed.
  fs_->SetFreeSpace(0, FaultFs::kTable);
  std::vector<std::string> acknowledged;
  const std::string big(64 << 10, 'x');
  absl::Status first_failure;
  for (int i = 0; i < 2000 && first_failure.ok(); ++i) {
    auto md = Send(absl::StrCat(i, big));
    if (md.ok()) {
      acknowledged.push_back(absl::StrCat(i, big));
    } else {
      first_failure = md.status();
    }
  }
  ASSERT_FALSE(first_failure.ok()) << "the flush never failed";
  EXPECT_THAT(first_failure, StatusIs(ErrorCode::kKafkaStorageError));
  EXPECT_EQ(ReadAll(*engine_, 0).size(), acknowledged.size());
  fs_->SetFreeSpace(-1);
  auto after = SendUntilAccepted("after");
  ASSERT_OK(after);
  acknowledged.push_back("after");
  ExpectAfterReopen(acknowledged);
}

// Compaction's rewrites fail on a full disk like any write: the topic keeps
// every record, and the next cleaning once space is back compacts it.
TEST_F(DiskFullTest, CompactionOnAFullDiskKeepsEverythingThenCompacts) {
  ASSERT_OK(engine_->admin().CreateTopic(
      "c", 1, Properties{{"cleanup.policy", "compact"}}));
  for (const char* v : {"a0", "a1", "a2", "head"}) {
    ProducerRecord r("c", std::string(v) == "head" ? "h" : "a", v);
    ASSERT_OK(producer_->Send(std::move(r)).Get());
  }
  fs_->SetFreeSpace(0, FaultFs::kWal);
  EXPECT_THAT(engine_->admin().CleanTopics({"c"}),
              StatusIs(ErrorCode::kKafkaStorageError));
  EXPECT_EQ(ReadAll(*engine_, 0, "c"),
            (std::vector<std::string>{"a0", "a1", "a2", "head"}));
  fs_->SetFreeSpace(-1);
  absl::StatusOr<std::vector<CleanedPartition>> cleaned =
      engine_->admin().CleanTopics({"c"});
  for (int i = 0; i < 250 && !cleaned.ok() && IsRetriable(cleaned.status());
       ++i) {
    absl::SleepFor(absl::Milliseconds(20));  // Writing resumes shortly.
    cleaned = engine_->admin().CleanTopics({"c"});
  }
  ASSERT_OK(cleaned);
  EXPECT_EQ(ReadAll(*engine_, 0, "c"),
            (std::vector<std::string>{"a2", "head"}));
}

TEST_F(DiskFullTest, FullManifestFailsTopicCreationThenResumes) {
  fs_->SetFreeSpace(0, FaultFs::kManifest);
  EXPECT_THAT(engine_->admin().CreateTopic("u", 1),
              StatusIs(ErrorCode::kKafkaStorageError));
  fs_->SetFreeSpace(-1);
  absl::Status created = engine_->admin().CreateTopic("u", 1);
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!created.ok() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    created = engine_->admin().CreateTopic("u", 1);
  }
  ASSERT_OK(created);
  auto topics = engine_->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ::testing::ElementsAre("t", "u"));
}

TEST_F(DiskFullTest, FullOptionsFileDoesNotStopTopicCreation) {
  // RocksDB's OPTIONS file only records options; a failure to rewrite it
  // is logged, not fatal.
  fs_->SetFreeSpace(0, FaultFs::kOptions);
  EXPECT_OK(engine_->admin().CreateTopic("u", 1));
  fs_->SetFreeSpace(-1);
  ASSERT_OK(Send("after"));
  ExpectAfterReopen({"after"});
}

TEST_F(DiskFullTest, FullDiskFailsCommitsThenResumes) {
  ASSERT_OK(Send("a"));
  ConsumerOptions co;
  co.group_id = "g";
  co.enable_auto_commit = false;
  auto consumer = engine_->CreateConsumer(co);
  ASSERT_OK(consumer);
  ASSERT_OK((*consumer)->Assign({{"t", 0}}));
  fs_->SetFreeSpace(0, FaultFs::kWal);
  EXPECT_THAT((*consumer)->CommitSync({{{"t", 0}, OffsetAndMetadata(1)}}),
              StatusIs(ErrorCode::kKafkaStorageError));
  fs_->SetFreeSpace(-1);
  absl::Status committed =
      (*consumer)->CommitSync({{{"t", 0}, OffsetAndMetadata(1)}});
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!committed.ok() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    committed = (*consumer)->CommitSync({{{"t", 0}, OffsetAndMetadata(1)}});
  }
  ASSERT_OK(committed);
  auto offsets = (*consumer)->Committed({{"t", 0}});
  ASSERT_OK(offsets);
  EXPECT_EQ(offsets->at({"t", 0}).offset, 1);
}

TEST_F(DiskFullTest, FullDiskForTheCheckpointLosesNothing) {
  ASSERT_OK(Send("a"));
  fs_->SetFreeSpace(0, FaultFs::kOther);
  ASSERT_OK(Send("b"));  // The checkpoint lags; records do not.
  fs_->SetFreeSpace(-1);
  ExpectAfterReopen({"a", "b"});
}

TEST_F(DiskFullTest, AcksOneSendsFailTooAndNothingAborts) {
  ProducerOptions o = Sync();
  o.acks = Acks::kLeader;
  auto producer = engine_->CreateProducer(o);
  ASSERT_OK(producer);
  ASSERT_OK((*producer)->Send({"t", "k", "a"}).Get());
  fs_->SetFreeSpace(0, FaultFs::kAll);
  for (int i = 0; i < 50; ++i) {
    EXPECT_THAT((*producer)->Send({"t", "k", "x"}).Get(),
                StatusIs(ErrorCode::kKafkaStorageError));
  }
  fs_->SetFreeSpace(-1);
  ASSERT_OK((*producer)->Close());
}

}  // namespace
}  // namespace brook
