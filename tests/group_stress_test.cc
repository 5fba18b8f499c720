// Groups of 1..8 consumers, each polling on its own thread, through a seeded
// script of joins, clean leaves, crashes, freezes past the session timeout
// and poll stalls past max.poll.interval.ms under a ManualClock, for the
// eager and the cooperative protocol. Members commit after processing (and
// in OnPartitionsRevoked). Checked:
//  - at least once: every produced record is processed, none is skipped,
//    and the group's committed offsets end at the log end;
//  - single ownership: at no moment do two members of the group own one
//    partition, where a member's ownership is what its listener was told
//    (assigned minus revoked / lost). A member the group removed (it
//    stalled past max.poll.interval.ms, froze past session.timeout.ms or
//    crashed) is a zombie until its next Poll tells it OnPartitionsLost:
//    Kafka lets the group reassign its partitions meanwhile, so an overlap
//    with a member no longer in the group is counted, not failed;
//  - the coordinator never hands one partition to two members of a
//    generation (checked on every DescribeGroup of a watcher thread).
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/producer.h"
#include "brook/rebalance_listener.h"
#include "brook/testing.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

constexpr int kPartitions = 12;
constexpr absl::Duration kSession = absl::Seconds(10);
constexpr absl::Duration kMaxPoll = absl::Seconds(30);
constexpr absl::Duration kAwait = absl::Seconds(20);  // Real time.

// Listener-visible ownership of every member, and the violations seen. A
// partition assigned to one member while another still owns it is a
// violation only if that other member is still in the group: a member the
// group removed (it stalled, froze or crashed) is a zombie that learns of
// its loss on its next Poll, as in Kafka.
class OwnershipChecker {
 public:
  explicit OwnershipChecker(Admin* admin) : admin_(admin) {}

  void Assigned(int member, const std::string& member_id,
                const std::vector<TopicPartition>& partitions) {
    std::vector<std::pair<TopicPartition, int>> conflicts;
    std::map<int, std::string> ids;
    {
      absl::MutexLock lock(&mu_);
      member_ids_[member] = member_id;
      ids = member_ids_;
      for (const TopicPartition& tp : partitions) {
        owned_[member].insert(tp);
        for (const auto& [other, set] : owned_) {
          if (other != member && set.count(tp))
            conflicts.emplace_back(tp, other);
        }
      }
    }
    if (conflicts.empty()) return;
    absl::StatusOr<ConsumerGroupDescription> d = admin_->DescribeGroup("g");
    if (!d.ok()) {
      Violation(d.status().ToString());
      return;
    }
    std::set<std::string> current;
    for (const MemberDescription& m : d->members) current.insert(m.member_id);
    for (const auto& [tp, other] : conflicts) {
      if (current.count(ids[other])) {
        Violation(absl::StrCat(tp.ToString(), " assigned to ", member,
                               " while ", other, " (", ids[other],
                               ", still in the group) owns it"));
      } else {
        absl::MutexLock lock(&mu_);
        ++zombie_overlaps_;
      }
    }
  }
  void Released(int member, const std::vector<TopicPartition>& partitions) {
    absl::MutexLock lock(&mu_);
    for (const TopicPartition& tp : partitions) owned_[member].erase(tp);
  }
  void Violation(std::string what) {
    absl::MutexLock lock(&mu_);
    violations_.push_back(std::move(what));
  }
  std::vector<std::string> violations() {
    absl::MutexLock lock(&mu_);
    return violations_;
  }
  int zombie_overlaps() {
    absl::MutexLock lock(&mu_);
    return zombie_overlaps_;
  }

 private:
  Admin* const admin_;
  absl::Mutex mu_;
  std::map<int, std::set<TopicPartition>> owned_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::string> member_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
  int zombie_overlaps_ ABSL_GUARDED_BY(mu_) = 0;
};

// What was processed, by partition and offset, with the duplicate count.
class Ledger {
 public:
  void Processed(const ConsumerRecord& r) {
    absl::MutexLock lock(&mu_);
    if (!seen_[r.partition].insert(r.offset).second) ++duplicates_;
  }
  std::map<int32_t, std::set<int64_t>> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  int64_t duplicates() {
    absl::MutexLock lock(&mu_);
    return duplicates_;
  }

 private:
  absl::Mutex mu_;
  std::map<int32_t, std::set<int64_t>> seen_ ABSL_GUARDED_BY(mu_);
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
};

enum class Command { kNone, kClose, kCrash, kFreeze, kThaw, kStall, kResume };

// One member: a consumer owned by its own thread, which polls, processes,
// commits and runs the test's commands between polls.
class Member : public ConsumerRebalanceListener {
 public:
  Member(int id, std::unique_ptr<Consumer> consumer, OwnershipChecker* checker,
         Ledger* ledger)
      : id_(id),
        consumer_(std::move(consumer)),
        checker_(checker),
        ledger_(ledger) {
    EXPECT_OK(consumer_->Subscribe({"t"}, this));
    thread_ = std::thread([this] { Run(); });
  }
  ~Member() override {
    if (thread_.joinable()) Do(Command::kClose);
  }

  // Runs `c` on the member's thread and waits for it.
  void Do(Command c) {
    {
      absl::MutexLock lock(&mu_);
      command_ = c;
      mu_.Await(absl::Condition(
          +[](Command* cmd) { return *cmd == Command::kNone; }, &command_));
    }
    if (c == Command::kClose || c == Command::kCrash) thread_.join();
  }

  void OnPartitionsAssigned(
      const std::vector<TopicPartition>& partitions) override {
    absl::StatusOr<ConsumerGroupMetadata> m = consumer_->GroupMetadata();
    checker_->Assigned(id_, m.ok() ? m->member_id : "?", partitions);
  }
  void OnPartitionsRevoked(
      const std::vector<TopicPartition>& partitions) override {
    // The documented way to avoid duplicates: commit what was processed.
    absl::Status s = consumer_->CommitSync();
    if (!s.ok() && GetErrorCode(s) != ErrorCode::kCommitFailed &&
        GetErrorCode(s) != ErrorCode::kRebalanceInProgress) {
      checker_->Violation(absl::StrCat(id_, " revoke commit: ", s.ToString()));
    }
    checker_->Released(id_, partitions);
  }
  void OnPartitionsLost(
      const std::vector<TopicPartition>& partitions) override {
    checker_->Released(id_, partitions);
  }

 private:
  void Run() {
    bool paused = false;  // Frozen or stalled: no Poll.
    for (;;) {
      Command c;
      {
        absl::MutexLock lock(&mu_);
        c = command_;
      }
      if (c != Command::kNone) {
        switch (c) {
          case Command::kClose:
            EXPECT_OK(consumer_->Close());
            break;
          case Command::kCrash:
            EXPECT_OK(testing::CrashConsumer(*consumer_));
            break;
          case Command::kFreeze:
            EXPECT_OK(testing::FreezeConsumer(*consumer_));
            paused = true;
            break;
          case Command::kThaw:
            EXPECT_OK(testing::ThawConsumer(*consumer_));
            paused = false;
            break;
          case Command::kStall:
            paused = true;
            break;
          case Command::kResume:
            paused = false;
            break;
          case Command::kNone:
            break;
        }
        absl::MutexLock lock(&mu_);
        command_ = Command::kNone;
        if (c == Command::kClose || c == Command::kCrash) return;
        continue;
      }
      if (paused) {
        absl::SleepFor(absl::Microseconds(200));
        continue;
      }
      PollOnce();
    }
  }

  void PollOnce() {
    absl::StatusOr<std::vector<ConsumerRecord>> records =
        consumer_->Poll(absl::ZeroDuration());
    if (!records.ok()) {
      checker_->Violation(
          absl::StrCat(id_, " poll: ", records.status().ToString()));
      return;
    }
    if (records->empty()) {
      if (uncommitted_) Commit();  // Idle: catch up.
      absl::SleepFor(absl::Microseconds(100));
      return;
    }
    for (const ConsumerRecord& r : *records) ledger_->Processed(r);
    uncommitted_ = true;
    // Commit after processing, every other batch so that a crash leaves
    // processed records uncommitted (the next owner reads them again).
    // Refused during a rebalance or after being removed: the records are
    // then read again too (at least once).
    if (++batches_ % 2 == 0) Commit();
  }

  void Commit() {
    absl::Status s = consumer_->CommitSync();
    if (s.ok()) uncommitted_ = false;
    if (!s.ok() && GetErrorCode(s) != ErrorCode::kCommitFailed &&
        GetErrorCode(s) != ErrorCode::kRebalanceInProgress) {
      checker_->Violation(absl::StrCat(id_, " commit: ", s.ToString()));
    }
  }

  const int id_;
  std::unique_ptr<Consumer> consumer_;
  OwnershipChecker* const checker_;
  Ledger* const ledger_;
  absl::Mutex mu_;
  Command command_ ABSL_GUARDED_BY(mu_) = Command::kNone;
  // The member's thread only: non-empty polls, and whether some processed
  // record may be uncommitted.
  int64_t batches_ = 0;
  bool uncommitted_ = false;
  std::thread thread_;
};

struct StressParam {
  int members;
  bool cooperative;
};

class GroupStressTest : public ::testing::TestWithParam<StressParam> {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.in_memory = true;
    o.clock = &clock_;
    auto engine =
        Engine::Open(o, absl::StrCat("/mem/stress-", GetParam().members, "-",
                                     GetParam().cooperative));
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
    ASSERT_OK(engine_->admin().CreateTopic("t", kPartitions));
    checker_ = std::make_unique<OwnershipChecker>(&engine_->admin());
    auto producer = engine_->CreateProducer(Immediate());
    ASSERT_OK(producer);
    producer_ = std::move(*producer);
  }

  void Produce(int n) {
    for (int i = 0; i < n; ++i) {
      producer_->Send(ProducerRecord("t", absl::StrCat("k", produced_),
                                     absl::StrCat("v", produced_)));
      ++produced_;
    }
    ASSERT_OK(producer_->Flush());
  }

  std::unique_ptr<Member> NewMember() {
    ConsumerOptions o;
    o.group_id = "g";
    o.client_id = absl::StrCat("m", next_id_);
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    o.session_timeout = kSession;
    o.max_poll_interval = kMaxPoll;
    o.assignment_strategies = {GetParam().cooperative ? "cooperative-sticky"
                                                      : "range"};
    auto c = engine_->CreateConsumer(o);
    EXPECT_OK(c);
    if (!c.ok()) return nullptr;
    return std::make_unique<Member>(next_id_++, std::move(*c), checker_.get(),
                                    &ledger_);
  }

  void AwaitStable(int members, const std::string& step) {
    absl::Status s = testing::AwaitGroupStable(*engine_, "g", members, kAwait);
    ASSERT_TRUE(s.ok()) << step << ": " << s;
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<OwnershipChecker> checker_;
  Ledger ledger_;
  int produced_ = 0;
  int next_id_ = 0;
};

TEST_P(GroupStressTest, AtLeastOnceAndSingleOwnershipThroughChurn) {
  const StressParam param = GetParam();
  std::mt19937 rng(1000 + param.members * 2 + param.cooperative);
  Produce(300);
  std::vector<std::unique_ptr<Member>> members;
  for (int i = 0; i < param.members; ++i) members.push_back(NewMember());
  AwaitStable(param.members, "start");

  // The coordinator never gives one partition to two members.
  std::atomic<bool> stop_watch{false};
  std::thread watcher([&] {
    while (!stop_watch.load()) {
      auto d = engine_->admin().DescribeGroup("g");
      if (d.ok()) {
        std::set<TopicPartition> seen;
        for (const MemberDescription& m : d->members) {
          for (const TopicPartition& tp : m.assignment) {
            if (!seen.insert(tp).second) {
              checker_->Violation(
                  absl::StrCat("coordinator gave ", tp.ToString(), " twice"));
            }
          }
        }
      }
      absl::SleepFor(absl::Microseconds(500));
    }
  });

  constexpr int kSteps = 8;
  for (int step = 0; step < kSteps; ++step) {
    const int action = static_cast<int>(rng() % 6);
    const size_t victim = members.empty() ? 0 : rng() % members.size();
    std::string name = absl::StrCat("step ", step, " action ", action);
    Produce(50);
    switch (action) {
      case 0:  // A member joins.
        if (members.size() < 8) members.push_back(NewMember());
        break;
      case 1:  // A member leaves cleanly.
        if (members.size() > 1) {
          members[victim]->Do(Command::kClose);
          members.erase(members.begin() + victim);
        }
        break;
      case 2:  // A member crashes; the session timeout removes it.
        if (members.size() > 1) {
          members[victim]->Do(Command::kCrash);
          members.erase(members.begin() + victim);
          clock_.Advance(kSession + absl::Seconds(1));
        }
        break;
      case 3:  // A member freezes past the session timeout, then thaws.
        members[victim]->Do(Command::kFreeze);
        clock_.Advance(kSession + absl::Seconds(1));
        if (members.size() > 1) {
          AwaitStable(static_cast<int>(members.size()) - 1, name + " frozen");
        }
        members[victim]->Do(Command::kThaw);
        break;
      case 4:  // A member stalls past max.poll.interval.ms, then resumes.
        members[victim]->Do(Command::kStall);
        clock_.Advance(kMaxPoll + absl::Seconds(1));
        if (members.size() > 1) {
          AwaitStable(static_cast<int>(members.size()) - 1, name + " stalled");
        }
        members[victim]->Do(Command::kResume);
        break;
      case 5:  // A short freeze: unnoticed.
        members[victim]->Do(Command::kFreeze);
        clock_.Advance(kSession / 2);
        members[victim]->Do(Command::kThaw);
        break;
    }
    AwaitStable(static_cast<int>(members.size()), name);
  }

  // Everyone left consumes to the end.
  Produce(50);
  auto committed_all = [&]() -> bool {
    auto offsets = engine_->admin().ListGroupOffsets("g");
    if (!offsets.ok() || offsets->size() != kPartitions) return false;
    for (const GroupPartitionOffset& o : *offsets) {
      if (o.lag != 0) return false;
    }
    return true;
  };
  const absl::Time give_up = absl::Now() + kAwait;
  while (!committed_all() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_TRUE(committed_all()) << "the group did not commit the log end";
  stop_watch.store(true);
  watcher.join();
  members.clear();

  // At least once, none skipped.
  auto ends = engine_->admin().DescribeTopic("t");
  ASSERT_OK(ends);
  std::map<int32_t, std::set<int64_t>> seen = ledger_.seen();
  int64_t total = 0;
  for (const PartitionDescription& p : ends->partitions) {
    total += p.log_end_offset;
    const std::set<int64_t>& s = seen[p.partition];
    EXPECT_EQ(static_cast<int64_t>(s.size()), p.log_end_offset)
        << "partition " << p.partition;
    if (!s.empty()) {
      EXPECT_EQ(*s.begin(), 0);
      EXPECT_EQ(*s.rbegin(), p.log_end_offset - 1);
    }
  }
  EXPECT_EQ(total, produced_);
  EXPECT_THAT(checker_->violations(), ::testing::IsEmpty());
  RecordProperty("zombie_overlaps", checker_->zombie_overlaps());
  RecordProperty("duplicates", static_cast<int>(ledger_.duplicates()));
}

std::vector<StressParam> Params() {
  std::vector<StressParam> out;
  for (int n = 1; n <= 8; ++n) {
    out.push_back({n, false});
    out.push_back({n, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Groups, GroupStressTest, ::testing::ValuesIn(Params()),
                         [](const ::testing::TestParamInfo<StressParam>& info) {
                           return absl::StrCat(info.param.members, "Members",
                                               info.param.cooperative
                                                   ? "Cooperative"
                                                   : "Eager");
                         });

}  // namespace
}  // namespace brook
