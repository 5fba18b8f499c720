// The storage layer's resource bounds: file descriptors stay under
// EngineOptions::max_open_files (or half the process's limit) however many
// topics a directory holds.
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/brook.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

constexpr int kTopics = 120;

// Table files this process holds open.
int OpenTableFiles() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) {
    char target[4096];
    const std::string link = absl::StrCat("/proc/self/fd/", e->d_name);
    const ssize_t len = readlink(link.c_str(), target, sizeof(target));
    if (len > 0 && absl::EndsWith(absl::string_view(target, len), ".sst")) ++n;
  }
  closedir(d);
  return n;
}

class StoreLimitsTest : public ::testing::Test {
 protected:
  // kTopics topics with one record each; reopened once, so that each
  // topic's record sits in a table file of its own.
  void SetUp() override {
    dir_ = tmp_.Sub("data");
    {
      auto engine = Engine::Open(EngineOptions{}, dir_);
      ASSERT_OK(engine);
      std::vector<NewTopic> topics;
      for (int i = 0; i < kTopics; ++i) {
        topics.push_back({absl::StrCat("t", i), 1, {}});
      }
      for (const absl::Status& s : (*engine)->admin().CreateTopics(topics)) {
        ASSERT_OK(s);
      }
      auto producer = (*engine)->CreateProducer(ProducerOptions{});
      ASSERT_OK(producer);
      for (int i = 0; i < kTopics; ++i) {
        (*producer)->Send({absl::StrCat("t", i), "k", "v"});
      }
      ASSERT_OK((*producer)->Flush());
      ASSERT_OK((*engine)->Close());
    }
    auto engine = Engine::Open(EngineOptions{}, dir_);  // Flushes at recovery.
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->Close());
  }

  // Reads one record from every topic.
  static void ReadEveryTopic(Engine& engine) {
    auto consumer = engine.CreateConsumer(ConsumerOptions{});
    ASSERT_OK(consumer);
    std::vector<TopicPartition> all;
    for (int i = 0; i < kTopics; ++i) all.emplace_back(absl::StrCat("t", i), 0);
    ASSERT_OK((*consumer)->Assign(all));
    ASSERT_OK((*consumer)->SeekToBeginning(all));
    size_t read = 0;
    for (int i = 0; i < 50 && read < all.size(); ++i) {
      auto records = (*consumer)->Poll(absl::Milliseconds(10));
      ASSERT_OK(records);
      read += records->size();
    }
    EXPECT_EQ(read, all.size());
  }

  TempDir tmp_;
  std::string dir_;
};

TEST_F(StoreLimitsTest, TableFilesOpenStayUnderMaxOpenFiles) {
  EngineOptions o;
  o.max_open_files = 16;
  auto engine = Engine::Open(o, dir_);
  ASSERT_OK(engine);
  ReadEveryTopic(**engine);
  EXPECT_LE(OpenTableFiles(), 16);
  EXPECT_OK((*engine)->Close());
}

TEST_F(StoreLimitsTest, MaxOpenFilesBelowSixteenIsInvalidConfig) {
  EngineOptions o;
  o.max_open_files = 3;
  EXPECT_THAT(Engine::Open(o, dir_), StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(StoreLimitsTest, OpensUnderADescriptorLimitBelowTheTopicCount) {
  // With a limit of 100 descriptors the engine opens, reads every topic of
  // 120 and closes: the automatic bound is half the limit.
  struct rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit lowered = saved;
  lowered.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  {
    auto engine = Engine::Open(EngineOptions{}, dir_);
    EXPECT_OK(engine);
    if (engine.ok()) {
      ReadEveryTopic(**engine);
      EXPECT_OK((*engine)->Close());
    }
  }
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

}  // namespace
}  // namespace brook
