// The topic registry at open: a documented partition limit checked before
// anything is stored, all-or-nothing creation, and a topic that cannot be
// read (damaged or impossible metadata, a missing column family, a damaged
// last batch) set aside so the others open and it can be deleted.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TopicRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.Sub("data"); }

  std::unique_ptr<Engine> Open() {
    auto engine = Engine::Open(EngineOptions{}, dir_);
    EXPECT_OK(engine);
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  // Topics "good" (2 partitions, 10 records) and "bad" (1 partition, 3
  // records), closed.
  void MakeGoodAndBad() {
    auto engine = Open();
    ASSERT_NE(engine, nullptr);
    ASSERT_OK(engine->admin().CreateTopic("good", 2));
    ASSERT_OK(engine->admin().CreateTopic("bad", 1));
    auto producer = engine->CreateProducer(ProducerOptions{});
    ASSERT_OK(producer);
    for (int i = 0; i < 10; ++i) (*producer)->Send({"good", "k", "v"});
    for (int i = 0; i < 3; ++i) (*producer)->Send({"bad", "k", "v"});
    ASSERT_OK((*producer)->Flush());
    ASSERT_OK(engine->Close());
  }

  // Rewrites meta record `key` below the engine, as damage (or an older
  // version) would leave it.
  void PutMeta(const std::string& key, const std::string& value) {
    auto store = Store::Open(StoreOptions{}, dir_);
    ASSERT_OK(store);
    StoreWriteBatch batch;
    batch.PutMeta(key, value);
    ASSERT_OK((*store)->Write(&batch, /*sync=*/true));
    ASSERT_OK((*store)->Close());
  }

  // The column family of topic `name`, from its record.
  std::string FamilyOf(const std::string& name) {
    auto store = Store::Open(StoreOptions{}, dir_);
    EXPECT_OK(store);
    auto value = (*store)->GetMeta("topic/" + name);
    EXPECT_OK(value);
    std::string family;
    for (absl::string_view line : absl::StrSplit(**value, '\n')) {
      if (absl::StartsWith(line, "family=")) family = std::string(line.substr(7));
    }
    EXPECT_OK((*store)->Close());
    return family;
  }

  // The unreadable topic "bad" is listed, described as Corruption (with
  // `reason`), refuses producers and consumers, and can be deleted; "good"
  // is intact throughout, and "bad" can then be created again.
  void ExpectBadSetAside(const std::string& reason) {
    auto engine = Open();
    ASSERT_NE(engine, nullptr);
    Admin& admin = engine->admin();
    EXPECT_THAT(admin.ListTopics(),
                IsOkAndHolds(ElementsAre("bad", "good")));
    auto bad = admin.DescribeTopic("bad");
    EXPECT_THAT(bad, StatusIs(ErrorCode::kCorruption));
    EXPECT_THAT(std::string(bad.status().message()), HasSubstr(reason));
    auto good = admin.DescribeTopic("good");
    ASSERT_OK(good);
    EXPECT_EQ(good->partitions[0].log_end_offset +
                  good->partitions[1].log_end_offset,
              10);
    auto producer = engine->CreateProducer(ProducerOptions{});
    ASSERT_OK(producer);
    EXPECT_THAT((*producer)->Send({"bad", "k", "v"}).Get(),
                StatusIs(ErrorCode::kCorruption));
    auto consumer = engine->CreateConsumer(ConsumerOptions{});
    ASSERT_OK(consumer);
    EXPECT_THAT((*consumer)->Assign({{"bad", 0}}),
                StatusIs(ErrorCode::kCorruption));
    EXPECT_THAT(admin.CreateTopic("bad", 1),
                StatusIs(ErrorCode::kTopicAlreadyExists));

    ASSERT_OK(admin.DeleteTopic("bad"));
    EXPECT_THAT(admin.ListTopics(), IsOkAndHolds(ElementsAre("good")));
    ASSERT_OK((*producer)->Close());
    ASSERT_OK((*consumer)->Close());
    ASSERT_OK(engine->Close());

    engine = Open();  // Gone for good, and the name is free again.
    ASSERT_NE(engine, nullptr);
    EXPECT_THAT(engine->admin().ListTopics(),
                IsOkAndHolds(ElementsAre("good")));
    ASSERT_OK(engine->admin().CreateTopic("bad", 1));
    auto fresh = engine->admin().DescribeTopic("bad");
    ASSERT_OK(fresh);
    EXPECT_EQ(fresh->partitions[0].log_end_offset, 0);
  }

  TempDir tmp_;
  std::string dir_;
};

TEST_F(TopicRegistryTest, APartitionCountOverTheLimitStoresNothing) {
  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  for (int32_t n : {0, -2, kMaxPartitionsPerTopic + 1, 2147483647}) {
    EXPECT_THAT(engine->admin().CreateTopic("p", n),
                StatusIs(ErrorCode::kInvalidPartitions))
        << n;
  }
  ASSERT_OK(engine->Close());
  engine = Open();
  ASSERT_NE(engine, nullptr);
  EXPECT_THAT(engine->admin().ListTopics(),
              IsOkAndHolds(::testing::IsEmpty()));
  ASSERT_OK(engine->admin().CreateTopic("p", 1));
}

TEST_F(TopicRegistryTest, TheLimitItselfWorksAndReopens) {
  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_OK(engine->admin().CreateTopic("wide", kMaxPartitionsPerTopic));
  auto producer = engine->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  ProducerRecord r("wide", "k", "last");
  r.partition = kMaxPartitionsPerTopic - 1;
  auto md = (*producer)->Send(std::move(r)).Get();
  ASSERT_OK(md);
  EXPECT_EQ(md->offset, 0);
  ASSERT_OK((*producer)->Close());
  ASSERT_OK(engine->Close());

  engine = Open();
  ASSERT_NE(engine, nullptr);
  auto d = engine->admin().DescribeTopic("wide");
  ASSERT_OK(d);
  ASSERT_EQ(d->partitions.size(), static_cast<size_t>(kMaxPartitionsPerTopic));
  EXPECT_EQ(d->partitions.back().log_end_offset, 1);
  EXPECT_EQ(d->partitions.front().log_end_offset, 0);
}

TEST_F(TopicRegistryTest, NumPartitionsOverTheLimitIsInvalidConfig) {
  EXPECT_THAT(EngineOptions::FromProperties(
                  {{"num.partitions", "2147483647"}}),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(TopicRegistryTest, ATopicWithImpossiblyManyPartitionsIsSetAside) {
  MakeGoodAndBad();
  // What a version without the limit stored for `topics create p
  // --partitions 2147483647`.
  PutMeta("topic/bad", absl::StrCat("partitions=2147483647\nfamily=",
                                    FamilyOf("bad"), "\n"));
  ExpectBadSetAside("2147483647 partitions");
}

TEST_F(TopicRegistryTest, ADamagedTopicRecordIsSetAside) {
  MakeGoodAndBad();
  PutMeta("topic/bad", "\x07\x01garbage");
  ExpectBadSetAside("damaged");
}

TEST_F(TopicRegistryTest, ATopicWhoseColumnFamilyIsMissingIsSetAside) {
  MakeGoodAndBad();
  PutMeta("topic/bad", "partitions=1\nfamily=topic.99.bad\n");
  ExpectBadSetAside("topic.99.bad is missing");
}

TEST_F(TopicRegistryTest, ADamagedLastBatchSetsItsTopicAside) {
  MakeGoodAndBad();
  const std::string family = FamilyOf("bad");
  {
    auto store = Store::Open(StoreOptions{}, dir_);
    ASSERT_OK(store);
    auto families = (*store)->TakeOpenedFamilies();
    auto it = families.find(family);
    ASSERT_NE(it, families.end());
    StoreWriteBatch batch;
    batch.PutRecordBatch(*it->second, 0, 2, "not a batch");
    ASSERT_OK((*store)->Write(&batch, /*sync=*/true));
    families.clear();
    ASSERT_OK((*store)->Close());
  }
  ExpectBadSetAside("partition 0");
}

TEST_F(TopicRegistryTest, ADamagedTopicSequenceDoesNotReuseAFamily) {
  MakeGoodAndBad();
  PutMeta("topic-seq", "garbage");
  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_OK(engine->admin().CreateTopic("third", 1));
  auto d = engine->admin().DescribeTopic("good");
  ASSERT_OK(d);
  ASSERT_OK(engine->Close());
  EXPECT_NE(FamilyOf("third"), FamilyOf("good"));
  EXPECT_NE(FamilyOf("third"), FamilyOf("bad"));
}

TEST_F(TopicRegistryTest, CreateTopicsCreatesEachOnItsOwn) {
  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_OK(engine->admin().CreateTopic("exists", 1));
  TopicConfig zstd;
  zstd.compression_type = "zstd";
  std::vector<absl::Status> results = engine->admin().CreateTopics({
      {"a", 3, {}},
      {"bad name!", 1, {}},
      {"exists", 1, {}},
      {"b", 0, {}},
      {"c", 2, zstd},
      {"a", 1, {}},  // Twice in one call: the second already exists.
  });
  ASSERT_EQ(results.size(), 6u);
  EXPECT_OK(results[0]);
  EXPECT_THAT(results[1], StatusIs(ErrorCode::kInvalidTopic));
  EXPECT_THAT(results[2], StatusIs(ErrorCode::kTopicAlreadyExists));
  EXPECT_THAT(results[3], StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_OK(results[4]);
  EXPECT_THAT(results[5], StatusIs(ErrorCode::kTopicAlreadyExists));
  ASSERT_OK(engine->Close());

  engine = Open();
  ASSERT_NE(engine, nullptr);
  EXPECT_THAT(engine->admin().ListTopics(),
              IsOkAndHolds(ElementsAre("a", "c", "exists")));
  auto a = engine->admin().DescribeTopic("a");
  ASSERT_OK(a);
  EXPECT_EQ(a->partitions.size(), 3u);
  auto c = engine->admin().DescribeTopic("c");
  ASSERT_OK(c);
  EXPECT_EQ(c->config.compression_type, "zstd");
  auto producer = engine->CreateProducer(ProducerOptions{});
  ASSERT_OK(producer);
  EXPECT_OK((*producer)->Send({"c", "k", "v"}).Get());
}

// The codec RocksDB's newest OPTIONS file gives `family` ("" if none).
std::string StoredCodec(const std::string& dir, const std::string& family) {
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::StartsWith(name, "OPTIONS-") && !absl::EndsWith(name, "tmp") &&
        (newest.empty() || name > newest)) {
      newest = name;
    }
  }
  std::ifstream in(dir + "/" + newest);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "[")) {
      in_section = line == "[CFOptions \"" + family + "\"]";
    } else if (in_section &&
               absl::StartsWith(absl::StripLeadingAsciiWhitespace(line),
                                "compression=")) {
      return std::string(
          absl::StripLeadingAsciiWhitespace(line).substr(12));
    }
  }
  return "";
}

TEST_F(TopicRegistryTest, ReopeningKeepsEachTopicsCodec) {
  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  TopicConfig lz4;
  lz4.compression_type = "lz4";
  ASSERT_OK(engine->admin().CreateTopic("l", 1, lz4));
  ASSERT_OK(engine->admin().CreateTopic("n", 1));
  ASSERT_OK(engine->Close());
  const std::string l = FamilyOf("l"), n = FamilyOf("n");
  EXPECT_EQ(StoredCodec(dir_, l), "kLZ4Compression");
  EXPECT_EQ(StoredCodec(dir_, n), "kNoCompression");
  engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_OK(engine->Close());
  EXPECT_EQ(StoredCodec(dir_, l), "kLZ4Compression");
  EXPECT_EQ(StoredCodec(dir_, n), "kNoCompression");

  // Without an OPTIONS file the codec comes from the topic's record.
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (absl::StartsWith(e.path().filename().string(), "OPTIONS-")) {
      std::filesystem::remove(e.path());
    }
  }
  engine = Open();
  ASSERT_NE(engine, nullptr);
  ASSERT_OK(engine->Close());
  EXPECT_EQ(StoredCodec(dir_, l), "kLZ4Compression");
}

}  // namespace
}  // namespace brook
