// Kills a producing child process with SIGKILL at a random moment (through
// the appender thread and through the sender's own inline write; while
// topics are created and deleted; while log starts move; while a topic is
// compacted), then reopens its data directory and checks that every
// acknowledged record is there (or, compacted, superseded by a later one of
// its key), offsets are contiguous from the log start (increasing when
// compacted), and nothing is duplicated.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "brook/brook.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

#ifndef BROOK_CRASH_CHILD
#error "BROOK_CRASH_CHILD must name the crash_child binary"
#endif

namespace brook {
namespace {

constexpr int kPartitions = 4;

struct Ack {
  int32_t partition;
  int64_t offset;
  int64_t seq;
};

// When a round kills its child.
struct KillPlan {
  // "async" or "sync" (see crash_child.cc).
  const char* mode;
  // Counted from the child's first acknowledgement when true (so every
  // such round kills a child that is writing, however slowly a loaded
  // machine starts it), else from the fork (the kill may hit the open).
  bool after_first_ack;
  std::chrono::milliseconds delay;
};

// Every partition of `topic`.
std::vector<TopicPartition> AllPartitions(const std::string& topic) {
  std::vector<TopicPartition> tps;
  for (int p = 0; p < kPartitions; ++p) tps.emplace_back(topic, p);
  return tps;
}

// A consumer that reads from the start, many records per poll.
ConsumerOptions ReadEverything() {
  ConsumerOptions co;
  co.auto_offset_reset = OffsetReset::kEarliest;
  co.max_poll_records = 100000;
  return co;
}

// Runs the child, kills it as `plan` says, and returns its output.
std::string RunAndKillRaw(const std::string& dir, int64_t first_seq,
                          const KillPlan& plan) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string seq = std::to_string(first_seq);
    execl(BROOK_CRASH_CHILD, BROOK_CRASH_CHILD, dir.c_str(), seq.c_str(),
          plan.mode, static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  // Read acknowledgements while the child runs, so the pipe never fills.
  std::string output;
  absl::Notification first_output;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
      output.append(buf, n);
      if (!first_output.HasBeenNotified()) first_output.Notify();
    }
  });
  if (plan.after_first_ack) {
    EXPECT_TRUE(first_output.WaitForNotificationWithTimeout(absl::Seconds(120)))
        << "the child acknowledged nothing within 120 s";
  }
  std::this_thread::sleep_for(plan.delay);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  reader.join();
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child exited by itself: " << status;
  return output;
}

// Runs the child, kills it as `plan` says, and returns what it acknowledged.
std::vector<Ack> RunAndKill(const std::string& dir, int64_t first_seq,
                            const KillPlan& plan) {
  const std::string output = RunAndKillRaw(dir, first_seq, plan);
  std::vector<Ack> acks;
  for (absl::string_view line :
       absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    Ack a;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &a.partition) ||
        !absl::SimpleAtoi(f[1], &a.offset) || !absl::SimpleAtoi(f[2], &a.seq)) {
      ADD_FAILURE() << "malformed line from the child: " << line;
      continue;
    }
    acks.push_back(a);
  }
  return acks;
}

TEST(CrashTest, AcknowledgedRecordsSurviveSigkill) {
  TempDir dir;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic("crash", kPartitions));
  }
  const int rounds = 20;
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::uniform_int_distribution<int> delay_ms(0, 250);
  // Every round reads what the previous ones verified onwards: each
  // partition's next expected offset, and every sequence seen so far.
  std::vector<int64_t> next(kPartitions, 0);
  absl::flat_hash_map<std::pair<int32_t, int64_t>, int64_t> stored;  // -> seq
  absl::flat_hash_set<int64_t> seqs;
  size_t total_acks = 0;
  for (int round = 0; round < rounds; ++round) {
    // Every fifth round may kill the child while it opens the directory.
    const KillPlan plan{round % 2 == 0 ? "async" : "sync", round % 5 != 4,
                        std::chrono::milliseconds(delay_ms(rng))};
    std::vector<Ack> acks =
        RunAndKill(dir.path(), int64_t{round} * 1000000000, plan);
    total_acks += acks.size();

    // Reopen and read everything back.
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine) << "round " << round;
    const std::vector<TopicPartition> tps = AllPartitions("crash");
    auto consumer = (*engine)->CreateConsumer(ReadEverything());
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign(tps));
    auto ends = (*consumer)->EndOffsets(tps);
    ASSERT_OK(ends);
    int64_t total = 0;
    for (const auto& [tp, end] : *ends) {
      ASSERT_GE(end, next[tp.partition])
          << "partition " << tp.partition << " shrank";
      ASSERT_OK((*consumer)->Seek(tp, next[tp.partition]));
      total += end;
    }
    auto starts = (*consumer)->BeginningOffsets(tps);
    ASSERT_OK(starts);
    for (const auto& [tp, start] : *starts) EXPECT_EQ(start, 0);
    while (static_cast<int64_t>(stored.size()) < total) {
      auto records = (*consumer)->Poll(absl::ZeroDuration());
      ASSERT_OK(records);
      ASSERT_FALSE(records->empty())
          << "fewer records than the end offsets say";
      for (const ConsumerRecord& r : *records) {
        ASSERT_EQ(r.offset, next[r.partition])
            << "offsets of partition " << r.partition << " are not contiguous";
        ++next[r.partition];
        int64_t seq;
        ASSERT_TRUE(r.value && absl::SimpleAtoi(
                                   absl::string_view(*r.value).substr(4), &seq))
            << "bad value";
        ASSERT_TRUE(seqs.insert(seq).second)
            << "sequence " << seq << " duplicated";
        stored[{r.partition, r.offset}] = seq;
      }
    }
    for (const Ack& a : acks) {
      auto it = stored.find({a.partition, a.offset});
      ASSERT_TRUE(it != stored.end())
          << "round " << round << ": acknowledged record " << a.seq << " at "
          << a.partition << "/" << a.offset << " is missing";
      ASSERT_EQ(it->second, a.seq);
    }
    std::cerr << "round " << round << " (" << plan.mode
              << (plan.after_first_ack ? ", after the first ack"
                                       : ", from fork")
              << ", " << plan.delay.count() << " ms): " << acks.size()
              << " acknowledged, " << total << " stored\n";
  }
  EXPECT_GT(total_acks, 0u) << "the child never acknowledged anything";
}

TEST(CrashTest, TopicCreationAndDeletionSurviveSigkill) {
  TempDir dir;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
  }
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::uniform_int_distribution<int> delay_ms(0, 150);
  // Acknowledged, across rounds; nullopt while a deletion may or may not
  // have happened (the child was killed during it).
  std::map<std::string, std::optional<bool>> exists;
  for (int round = 0; round < 10; ++round) {
    const KillPlan plan{"topics", true,
                        std::chrono::milliseconds(delay_ms(rng))};
    const std::string output =
        RunAndKillRaw(dir.path(), int64_t{round} * 1000000, plan);
    for (absl::string_view line :
         absl::StrSplit(output, '\n', absl::SkipEmpty())) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      ASSERT_EQ(f.size(), 2u) << line;
      if (f[0] == "deleting") {
        exists[f[1]] = std::nullopt;
      } else {
        exists[f[1]] = f[0] == "create";
      }
    }
    // The directory opens (a kill never looks like damage) with every
    // acknowledged creation and deletion in place.
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine) << "round " << round;
    auto topics = (*engine)->admin().ListTopics();
    ASSERT_OK(topics);
    const std::set<std::string> listed(topics->begin(), topics->end());
    for (auto& [name, created] : exists) {
      if (!created) {
        created = listed.count(name) == 1;  // Now known.
        continue;
      }
      EXPECT_EQ(listed.count(name) == 1, *created)
          << "round " << round << ": topic " << name
          << (*created ? " lost" : " came back");
    }
    std::cerr << "round " << round << " (topics, " << plan.delay.count()
              << " ms): " << listed.size() << " topics\n";
  }
  EXPECT_FALSE(exists.empty()) << "the child changed no topic";
}

// Log starts moving (DeleteRecords, retention) while records are produced,
// killed at any point: a moved log start is never lost once acknowledged
// and never moves back, every acknowledged record at or above the log start
// is there, offsets stay contiguous from the log start, and no record is
// read twice.
TEST(CrashTest, LogStartMovesSurviveSigkill) {
  TempDir dir;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic(
        "ret", kPartitions,
        Properties{{"retention.bytes", "3000"}, {"retention.ms", "-1"}}));
  }
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::uniform_int_distribution<int> delay_ms(0, 250);
  std::vector<int64_t> acked_start(kPartitions, 0);  // Largest acknowledged.
  std::vector<int64_t> seen_start(kPartitions, 0);   // Verified last round.
  int64_t moves = 0;
  for (int round = 0; round < 10; ++round) {
    // On a loaded machine the child may be killed before retention ever
    // ran in the early rounds: the last ones then give it time.
    const int delay = moves == 0 && round >= 7 ? 1500 : delay_ms(rng);
    const KillPlan plan{"retention", true, std::chrono::milliseconds(delay)};
    const std::string output =
        RunAndKillRaw(dir.path(), int64_t{round} * 1000000000, plan);
    std::vector<Ack> acks;
    for (absl::string_view line :
         absl::StrSplit(output, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      if (f.size() == 3 && f[0] == "start") {
        int32_t p;
        int64_t start;
        ASSERT_TRUE(absl::SimpleAtoi(f[1], &p) &&
                    absl::SimpleAtoi(f[2], &start))
            << line;
        acked_start[p] = std::max(acked_start[p], start);
        ++moves;
        continue;
      }
      Ack a;
      ASSERT_TRUE(f.size() == 3 && absl::SimpleAtoi(f[0], &a.partition) &&
                  absl::SimpleAtoi(f[1], &a.offset) &&
                  absl::SimpleAtoi(f[2], &a.seq))
          << line;
      acks.push_back(a);
    }
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine) << "round " << round;
    const std::vector<TopicPartition> tps = AllPartitions("ret");
    auto consumer = (*engine)->CreateConsumer(ReadEverything());
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign(tps));
    auto starts = (*consumer)->BeginningOffsets(tps);
    auto ends = (*consumer)->EndOffsets(tps);
    ASSERT_OK(starts);
    ASSERT_OK(ends);
    int64_t expected = 0;
    std::vector<int64_t> next(kPartitions);
    for (const TopicPartition& tp : tps) {
      const int64_t start = starts->at(tp);
      ASSERT_GE(start, acked_start[tp.partition])
          << "round " << round << ": an acknowledged log start of partition "
          << tp.partition << " was lost";
      ASSERT_GE(start, seen_start[tp.partition])
          << "round " << round << ": the log start of partition "
          << tp.partition << " moved back";
      seen_start[tp.partition] = start;
      next[tp.partition] = start;
      expected += ends->at(tp) - start;
      ASSERT_OK((*consumer)->Seek(tp, start));
    }
    std::map<std::pair<int32_t, int64_t>, int64_t> stored;  // -> seq
    while (static_cast<int64_t>(stored.size()) < expected) {
      auto records = (*consumer)->Poll(absl::ZeroDuration());
      ASSERT_OK(records);
      ASSERT_FALSE(records->empty()) << "fewer records than the offsets say";
      for (const ConsumerRecord& r : *records) {
        ASSERT_EQ(r.offset, next[r.partition])
            << "offsets of partition " << r.partition << " are not contiguous";
        ++next[r.partition];
        int64_t seq;
        ASSERT_TRUE(r.value && absl::SimpleAtoi(
                                   absl::string_view(*r.value).substr(4), &seq));
        stored[{r.partition, r.offset}] = seq;
      }
    }
    for (const Ack& a : acks) {
      if (a.offset < seen_start[a.partition]) continue;  // Deleted.
      auto it = stored.find({a.partition, a.offset});
      ASSERT_TRUE(it != stored.end())
          << "round " << round << ": acknowledged record " << a.seq
          << " at " << a.partition << "/" << a.offset << " is missing";
      ASSERT_EQ(it->second, a.seq);
    }
    std::map<int64_t, int> per_seq;
    for (const auto& [key, seq] : stored) {
      ASSERT_EQ(++per_seq[seq], 1) << "sequence " << seq << " stored twice";
    }
    ASSERT_OK((*consumer)->Close());
    ASSERT_OK((*engine)->Close());
    std::cerr << "round " << round << " (" << plan.delay.count()
              << " ms): " << acks.size() << " acknowledged, "
              << stored.size() << " stored above the log starts\n";
  }
  EXPECT_GT(moves, 0) << "no log start moved";
}

// Kills a child that produces keyed records and tombstones while the topic
// is compacted in a loop: after reopen, offsets only increase, no sequence
// is stored twice, each stored record is the one acknowledged at its
// offset, and every acknowledged record is there or superseded by a later
// record of its key (a tombstone may be gone, with every older value).
TEST(CrashTest, CompactionSurvivesSigkill) {
  TempDir dir;
  {
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine);
    ASSERT_OK((*engine)->admin().CreateTopic(
        "cmp", kPartitions,
        Properties{{"cleanup.policy", "compact"},
                   {"delete.retention.ms", "0"}}));
  }
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::uniform_int_distribution<int> delay_ms(0, 250);
  std::map<int64_t, Ack> acked;  // By sequence, every round's.
  // The sequence each round may have written without acknowledging it
  // (the child waits for each send).
  std::vector<int64_t> in_flight;
  int64_t removed = 0;
  for (int round = 0; round < 10; ++round) {
    const KillPlan plan{"compaction", true,
                        std::chrono::milliseconds(delay_ms(rng))};
    const std::string output =
        RunAndKillRaw(dir.path(), int64_t{round} * 1000000000, plan);
    for (absl::string_view line :
         absl::StrSplit(output, '\n', absl::SkipEmpty())) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
      Ack a;
      ASSERT_TRUE(f.size() == 3 && absl::SimpleAtoi(f[0], &a.partition) &&
                  absl::SimpleAtoi(f[1], &a.offset) &&
                  absl::SimpleAtoi(f[2], &a.seq))
          << line;
      acked[a.seq] = a;
    }
    in_flight.push_back(acked.empty() ? int64_t{round} * 1000000000
                                      : acked.rbegin()->first + 1);
    // Whether a tombstone of seq's key followed seq (written, at least).
    auto tombstone_after = [&](int64_t seq) {
      auto later_tombstone = [&](int64_t t) {
        return t > seq && t % 10 == 0 && t % 97 == seq % 97;
      };
      for (auto it = acked.upper_bound(seq); it != acked.end(); ++it) {
        if (later_tombstone(it->first)) return true;
      }
      for (int64_t t : in_flight) {
        if (later_tombstone(t)) return true;
      }
      return false;
    };
    auto engine = Engine::Open({}, dir.path());
    ASSERT_OK(engine) << "round " << round;
    // Every other round, compact what the child left before checking: the
    // child's last records are too fresh for its own compaction.
    if (round % 2 == 1) {
      ASSERT_OK((*engine)->admin().CleanTopics({"cmp"}));
    }
    const std::vector<TopicPartition> tps = AllPartitions("cmp");
    auto consumer = (*engine)->CreateConsumer(ReadEverything());
    ASSERT_OK(consumer);
    ASSERT_OK((*consumer)->Assign(tps));
    auto ends = (*consumer)->EndOffsets(tps);
    ASSERT_OK(ends);
    // (partition, offset) -> (key, sequence or -1 for a tombstone).
    std::map<std::pair<int32_t, int64_t>, std::pair<std::string, int64_t>>
        stored;
    std::map<std::string, int64_t> latest;  // Key -> its last offset.
    std::vector<int64_t> next(kPartitions, 0);
    std::set<int64_t> seqs;
    int done = 0;
    while (done < kPartitions) {
      auto records = (*consumer)->Poll(absl::ZeroDuration());
      ASSERT_OK(records);
      for (const ConsumerRecord& r : *records) {
        ASSERT_GE(r.offset, next[r.partition])
            << "offsets of partition " << r.partition << " went back";
        next[r.partition] = r.offset + 1;
        ASSERT_TRUE(r.key.has_value());
        int64_t seq = -1;
        if (r.value) {
          ASSERT_TRUE(absl::SimpleAtoi(
              absl::string_view(*r.value).substr(4), &seq));
          ASSERT_TRUE(seqs.insert(seq).second)
              << "sequence " << seq << " stored twice";
        }
        stored[{r.partition, r.offset}] = {*r.key, seq};
        latest[*r.key] = r.offset;
      }
      done = 0;
      for (const TopicPartition& tp : tps) {
        auto position = (*consumer)->Position(tp);
        ASSERT_OK(position);
        done += *position >= ends->at(tp) ? 1 : 0;
      }
    }
    for (const auto& [seq, a] : acked) {
      const std::string key = absl::StrCat("key-", seq % 97);
      const bool tombstone = seq % 10 == 0;
      auto it = stored.find({a.partition, a.offset});
      if (it != stored.end()) {
        ASSERT_EQ(it->second.first, key) << "at " << a.offset;
        ASSERT_EQ(it->second.second, tombstone ? -1 : seq) << "at " << a.offset;
        continue;
      }
      ++removed;
      auto last = latest.find(key);
      // Removed: superseded by a later record of its key, or by a
      // tombstone that went too, with every older value of its key.
      if (last != latest.end() && last->second > a.offset) continue;
      ASSERT_TRUE(last == latest.end() && (tombstone || tombstone_after(seq)))
          << "round " << round << ": acknowledged record " << seq << " at "
          << a.partition << "/" << a.offset << " is missing";
    }
    ASSERT_OK((*consumer)->Close());
    ASSERT_OK((*engine)->Close());
    std::cerr << "round " << round << " (" << plan.delay.count()
              << " ms): " << acked.size() << " acknowledged, "
              << stored.size() << " stored\n";
  }
  EXPECT_GT(removed, 0) << "nothing was compacted";
}

}  // namespace
}  // namespace brook
