// The fault-injection file system itself (storage/fault_fs.h): what an
// engine acknowledged survives its simulated power cut, what it did not may
// not, and ENOSPC budgets apply to the chosen kinds of files.
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "brook/brook.h"
#include "engine/engine_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

TEST(FaultFsTest, AcknowledgedTopicsAndRecordsSurviveACut) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    auto fault = std::make_shared<FaultFs>();
    {
      auto engine = OpenEngineWithEnv(EngineOptions{}, dir, fault->env());
      ASSERT_OK(engine);
      const std::string name = absl::StrCat("t", round);
      ASSERT_OK((*engine)->admin().CreateTopic(name, 1));
      auto producer = (*engine)->CreateProducer(ProducerOptions{});
      ASSERT_OK(producer);
      ASSERT_OK((*producer)->Send({name, "k", "v"}).Get());
      fault->CutPower();
      (*producer)->Close(absl::ZeroDuration()).IgnoreError();
      (*engine)->Close().IgnoreError();
    }
    fault->DropUnsynced(&rng, /*garbage=*/round % 2 == 0);
    auto engine = Engine::Open(EngineOptions{}, dir);
    ASSERT_OK(engine);
    for (int r = 0; r <= round; ++r) {
      auto d = (*engine)->admin().DescribeTopic(absl::StrCat("t", r));
      ASSERT_OK(d) << "topic t" << r;
      EXPECT_EQ(d->partitions[0].log_end_offset, 1) << "topic t" << r;
    }
    ASSERT_OK((*engine)->Close());
  }
}

// A deletion whose record removal is durable but whose column family was
// never dropped (a crash in between) leaves an orphan family. The next open
// must drop it, not take it for a topic whose record damage destroyed.
TEST(FaultFsTest, ADeletionCutShortIsNotMistakenForDamage) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    auto engine = Engine::Open(EngineOptions{}, dir);
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("gone", 1));
    ASSERT_OK((*engine)->admin().CreateTopic("kept", 1));
    ASSERT_OK((*engine)->Close());  // The checkpoint lists both.
  }
  std::mt19937 rng(3);
  auto fault = std::make_shared<FaultFs>();
  {
    auto engine = OpenEngineWithEnv(EngineOptions{}, dir, fault->env());
    ASSERT_OK(engine);
    // Dropping the family writes the MANIFEST, which fails: the topic is
    // deleted (its record is gone), its family stays.
    fault->SetFreeSpace(0, FaultFs::kManifest);
    ASSERT_OK((*engine)->admin().DeleteTopic("gone"));
    fault->CutPower();
    (*engine)->Close().IgnoreError();
  }
  fault->DropUnsynced(&rng, /*garbage=*/false);
  auto engine = Engine::Open(EngineOptions{}, dir);
  ASSERT_OK(engine);
  auto topics = (*engine)->admin().ListTopics();
  ASSERT_OK(topics);
  EXPECT_THAT(*topics, ::testing::ElementsAre("kept"));
}

}  // namespace
}  // namespace brook
