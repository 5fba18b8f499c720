// Power loss, simulated in process with storage/fault_fs.h: while producers
// (acks=all), a topic creator/deleter and a committing consumer run, the
// power is cut (nothing more reaches the disk), the engine is closed, and
// the directory is rewound to what was fsynced (with torn, partly garbage
// write-ahead-log tails). After every cut the directory must open without a
// false alarm, with every acknowledged record at its offset, offsets
// contiguous, nothing duplicated, every acknowledged topic creation and
// deletion in place, and committed offsets never moved back. Every tenth
// round also damages the log's synced part, after running long enough for
// the synced-ends checkpoint to cover it or (every other time) too briefly:
// the open must then name the loss, and salvage must open what remains
// without reusing a lost offset.
//
// BROOK_POWER_LOSS_ROUNDS sets the number of rounds (default 50); the long
// run is documented in README.md.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "engine/engine_testing.h"
#include "gtest/gtest.h"
#include "storage/fault_fs.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

namespace fs = std::filesystem;

constexpr char kTopic[] = "t";
constexpr int kPartitions = 4;
constexpr char kGroup[] = "g";

int Rounds() {
  const char* env = std::getenv("BROOK_POWER_LOSS_ROUNDS");
  int rounds = 50;
  if (env != nullptr && !absl::SimpleAtoi(env, &rounds)) rounds = 50;
  return rounds;
}

// What the threads of one round saw acknowledged.
struct Acked {
  absl::Mutex mu;
  std::vector<std::tuple<int32_t, int64_t, std::string>> records
      ABSL_GUARDED_BY(mu);
  // Topic -> exists, in acknowledgement order (last word wins).
  std::map<std::string, bool> topics ABSL_GUARDED_BY(mu);
  std::map<int32_t, int64_t> committed ABSL_GUARDED_BY(mu);
};

// Runs the workload on `engine` until `stop`.
class Workload {
 public:
  // Without `topic_churn`, no topic is created or deleted (a deletion
  // saves a synced-ends checkpoint).
  Workload(Engine* engine, int round, Acked* acked, std::mt19937* rng,
           bool topic_churn)
      : engine_(engine),
        round_(round),
        acked_(acked),
        seed_((*rng)()),
        topic_churn_(topic_churn) {}

  void Start() {
    for (int t = 0; t < 3; ++t) {
      threads_.emplace_back([this, t] { Produce(t); });
    }
    if (topic_churn_) {
      threads_.emplace_back([this] { CreateAndDeleteTopics(); });
    }
    threads_.emplace_back([this] { ConsumeAndCommit(); });
  }
  void Stop() {
    stop_.store(true);
    for (std::thread& t : threads_) t.join();
  }

 private:
  void Produce(int thread) {
    ProducerOptions o;
    o.linger = absl::ZeroDuration();
    o.max_block = absl::Seconds(5);
    o.delivery_timeout = absl::Seconds(5);
    auto producer = engine_->CreateProducer(o);
    if (!producer.ok()) return;
    std::mt19937 rng(seed_ + thread);
    for (int64_t n = 0; !stop_.load(); ++n) {
      const std::string value = absl::StrCat("r", round_, "-t", thread, "-", n);
      ProducerRecord r(kTopic, "k", value);
      r.partition = static_cast<int32_t>(rng() % kPartitions);
      auto md = (*producer)->Send(std::move(r)).Get();
      if (!md.ok()) {
        absl::SleepFor(absl::Milliseconds(1));
        continue;
      }
      absl::MutexLock lock(&acked_->mu);
      acked_->records.emplace_back(md->partition, md->offset, value);
    }
    (*producer)->Close(absl::ZeroDuration()).IgnoreError();
  }

  void CreateAndDeleteTopics() {
    std::mt19937 rng(seed_ + 100);
    std::vector<std::string> mine;
    for (int k = 0; !stop_.load(); ++k) {
      if (!mine.empty() && rng() % 2 == 0) {
        const std::string name = mine.back();
        mine.pop_back();
        if (engine_->admin().DeleteTopic(name).ok()) {
          absl::MutexLock lock(&acked_->mu);
          acked_->topics[name] = false;
        }
      } else {
        const std::string name = absl::StrCat("c", round_, "-", k);
        if (engine_->admin().CreateTopic(name, 1).ok()) {
          mine.push_back(name);
          absl::MutexLock lock(&acked_->mu);
          acked_->topics[name] = true;
        }
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
  }

  void ConsumeAndCommit() {
    ConsumerOptions co;
    co.group_id = kGroup;
    co.enable_auto_commit = false;
    co.auto_offset_reset = OffsetReset::kEarliest;
    auto consumer = engine_->CreateConsumer(co);
    if (!consumer.ok()) return;
    std::vector<TopicPartition> all;
    for (int p = 0; p < kPartitions; ++p) all.emplace_back(kTopic, p);
    if (!(*consumer)->Assign(all).ok()) return;
    while (!stop_.load()) {
      auto records = (*consumer)->Poll(absl::Milliseconds(5));
      if (!records.ok() || records->empty()) continue;
      std::map<TopicPartition, OffsetAndMetadata> offsets;
      for (const ConsumerRecord& r : *records) {
        offsets[{kTopic, r.partition}] = OffsetAndMetadata(r.offset + 1);
      }
      if ((*consumer)->CommitSync(offsets).ok()) {
        absl::MutexLock lock(&acked_->mu);
        for (const auto& [tp, o] : offsets) {
          acked_->committed[tp.partition] = o.offset;
        }
      }
    }
    (*consumer)->Close().IgnoreError();
  }

  Engine* const engine_;
  const int round_;
  Acked* const acked_;
  const uint32_t seed_;
  const bool topic_churn_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Everything a directory holds, read back after a cut.
struct Stored {
  std::map<std::pair<int32_t, int64_t>, std::string> records;
  std::vector<int64_t> starts, ends;
  std::set<std::string> topics;
  std::map<int32_t, int64_t> committed;
};

absl::StatusOr<Stored> ReadBack(Engine& engine) {
  Stored s;
  auto topics = engine.admin().ListTopics();
  if (!topics.ok()) return topics.status();
  s.topics.insert(topics->begin(), topics->end());
  ConsumerOptions co;
  co.group_id = kGroup;
  co.enable_auto_commit = false;
  co.max_poll_records = 100000;
  auto consumer = engine.CreateConsumer(co);
  if (!consumer.ok()) return consumer.status();
  std::vector<TopicPartition> all;
  for (int p = 0; p < kPartitions; ++p) all.emplace_back(kTopic, p);
  auto committed = (*consumer)->Committed(all);
  if (!committed.ok()) return committed.status();
  for (const auto& [tp, o] : *committed) s.committed[tp.partition] = o.offset;
  if (absl::Status st = (*consumer)->Assign(all); !st.ok()) return st;
  auto begins = (*consumer)->BeginningOffsets(all);
  auto ends = (*consumer)->EndOffsets(all);
  if (!begins.ok()) return begins.status();
  if (!ends.ok()) return ends.status();
  int64_t expected = 0;
  for (const TopicPartition& tp : all) {
    s.starts.push_back(begins->at(tp));
    s.ends.push_back(ends->at(tp));
    expected += ends->at(tp) - begins->at(tp);
    if (absl::Status st = (*consumer)->Seek(tp, begins->at(tp)); !st.ok()) {
      return st;
    }
  }
  while (static_cast<int64_t>(s.records.size()) < expected) {
    auto records = (*consumer)->Poll(absl::ZeroDuration());
    if (!records.ok()) return records.status();
    if (records->empty()) break;
    for (const ConsumerRecord& r : *records) {
      s.records[{r.partition, r.offset}] = r.value.value_or("");
    }
  }
  if (absl::Status st = (*consumer)->Close(); !st.ok()) return st;
  return s;
}

std::string NewestWal(const std::string& dir) {
  std::string newest;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (absl::EndsWith(name, ".log") && name > newest) newest = name;
  }
  return newest.empty() ? "" : dir + "/" + newest;
}

TEST(PowerLossTest, NothingAcknowledgedIsLostAndDamageIsNeverSilent) {
  TempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    auto engine = Engine::Open(EngineOptions{}, dir);
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic(kTopic, kPartitions));
    ASSERT_OK((*engine)->Close());
  }
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  const int rounds = Rounds();
  std::map<int32_t, int64_t> committed_before;  // Verified so far.
  // Offsets salvage reported lost (to damage): holes that stay.
  std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> holes;
  auto in_hole = [&](int32_t p, int64_t from, int64_t to) {
    for (const auto& [a, b] : holes[p]) {
      if (a <= from && to <= b) return true;
    }
    return false;
  };
  std::set<std::string> values_seen;
  int64_t total_acked = 0;
  int damage_rounds = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const bool damage = round % 10 == 9;
    Acked acked;
    // Damage rounds alternate: past a checkpoint save (once a second), or
    // too short for one (and deleting no topic, which saves one too), where
    // only the log's own proof of its fsyncs (storage/wal_evidence.h) can
    // tell the damage from a torn tail.
    const bool past_checkpoint = round % 20 == 9;
    auto fault = std::make_shared<FaultFs>();
    {
      auto engine = OpenEngineWithEnv(EngineOptions{}, dir, fault->env());
      ASSERT_OK(engine);
      Workload work(engine->get(), round, &acked, &rng,
                    /*topic_churn=*/!damage || past_checkpoint);
      work.Start();
      absl::SleepFor(!damage          ? absl::Milliseconds(5 + rng() % 60)
                     : past_checkpoint ? absl::Milliseconds(1300)
                                       : absl::Milliseconds(300));
      fault->CutPower();
      work.Stop();
      (*engine)->Close().IgnoreError();  // Fails: the power is off.
    }
    fault->DropUnsynced(&rng, /*garbage=*/rng() % 2 == 0);
    fault.reset();

    if (damage) {
      // Flip bytes early in the log, in its fsynced part.
      const std::string wal = NewestWal(dir);
      ASSERT_FALSE(wal.empty());
      const auto size = fs::file_size(wal);
      ASSERT_GT(size, 4096u) << "too little was written to damage";
      {
        std::fstream f(wal, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(size / 8));
        const std::string junk(64, '\x5a');
        f.write(junk.data(), junk.size());
      }
      auto refused = Engine::Open(EngineOptions{}, dir);
      ASSERT_THAT(refused, StatusIs(ErrorCode::kCorruption))
          << "damage to acknowledged records went unnoticed";
      EngineOptions salvage;
      salvage.salvage = true;
      auto salvaged = Engine::Open(salvage, dir);
      ASSERT_OK(salvaged);
      ASSERT_FALSE((*salvaged)->lost_records().empty());
      for (const LostRecords& l : (*salvaged)->lost_records()) {
        ASSERT_EQ(l.topic, kTopic);
        holes[l.partition].emplace_back(l.from_offset, l.to_offset);
      }
      ASSERT_OK((*salvaged)->Close());
      ++damage_rounds;
    }

    auto engine = Engine::Open(EngineOptions{}, dir);
    ASSERT_OK(engine) << "a power cut must never look like damage";
    auto stored = ReadBack(**engine);
    ASSERT_OK(stored);
    // Contiguous offsets but for the holes salvage reported, nothing twice.
    std::map<int32_t, int64_t> expect_next;
    for (int p = 0; p < kPartitions; ++p) {
      expect_next[p] = stored->starts[p];
    }
    for (const auto& [key, value] : stored->records) {
      const auto [p, offset] = key;
      ASSERT_TRUE(offset == expect_next[p] ||
                  (offset > expect_next[p] &&
                   in_hole(p, expect_next[p], offset)))
          << "partition " << p << " has an unreported hole before "
          << offset;
      expect_next[p] = offset + 1;
    }
    for (int p = 0; p < kPartitions; ++p) {
      ASSERT_TRUE(expect_next[p] == stored->ends[p] ||
                  in_hole(p, expect_next[p], stored->ends[p]))
          << "partition " << p << " reads fewer records than its end";
    }
    absl::flat_hash_set<std::string> this_round;
    for (const auto& [key, value] : stored->records) {
      ASSERT_TRUE(this_round.insert(value).second) << value << " twice";
    }
    absl::MutexLock lock(&acked.mu);
    for (const auto& [p, offset, value] : acked.records) {
      // After damage, what follows the first lost offset is gone with it:
      // reported (the hole) up to what the checkpoint covered, and past
      // that, acknowledged in the last second before the cut, not told
      // from a torn tail (DESIGN-NOTES.md).
      if (damage && !holes[p].empty() && offset >= holes[p].back().first) {
        continue;
      }
      {
        auto it = stored->records.find({p, offset});
        ASSERT_TRUE(it != stored->records.end())
            << "acknowledged " << value << " at " << p << "/" << offset
            << " is missing";
        ASSERT_EQ(it->second, value);
      }
    }
    if (!damage) {
      for (const auto& [name, exists] : acked.topics) {
        ASSERT_EQ(stored->topics.count(name) == 1, exists)
            << "topic " << name << (exists ? " lost" : " came back");
      }
      for (const auto& [p, offset] : acked.committed) {
        ASSERT_GE(stored->committed[p], committed_before[p])
            << "partition " << p << "'s committed offset moved back";
      }
    }
    for (int p = 0; p < kPartitions; ++p) {
      ASSERT_LE(stored->committed[p], stored->ends[p])
          << "committed past the log end";
      ASSERT_GE(stored->committed[p], committed_before[p]);
      committed_before[p] = stored->committed[p];
    }
    total_acked += static_cast<int64_t>(acked.records.size());
    ASSERT_OK((*engine)->Close());
  }
  EXPECT_GT(total_acked, 0);
  std::cerr << rounds << " rounds, " << damage_rounds << " with damage, "
            << total_acked << " records acknowledged\n";
}

}  // namespace
}  // namespace brook
