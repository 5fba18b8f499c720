#include "group_workloads.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "brook/admin.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/testing.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

constexpr int kRebalanceMembers = 100;
constexpr int kRebalancePartitions = 1000;
constexpr absl::Duration kGroupWait = absl::Seconds(120);  // Real time.

// A group member polling on its own thread until told to stop; it then
// closes the consumer (leaving the group) on that thread.
class PollingMember {
 public:
  PollingMember(std::unique_ptr<Consumer> consumer, FirstError* errors)
      : consumer_(std::move(consumer)), errors_(errors) {
    thread_ = std::thread([this] {
      while (!stop_.load(std::memory_order_acquire)) {
        absl::StatusOr<std::vector<ConsumerRecord>> r =
            consumer_->Poll(absl::Milliseconds(20));
        if (!r.ok()) {
          if (GetErrorCode(r.status()) == ErrorCode::kWakeup &&
              stop_.load(std::memory_order_acquire)) {
            break;  // Woken to close.
          }
          errors_->Set(Annotate(r.status(), "Poll"));
          break;
        }
      }
      errors_->Set(Annotate(consumer_->Close(), "Consumer::Close"));
    });
  }
  ~PollingMember() { Stop(); }
  // The member closes after its current Poll returns.
  void Stop() {
    stop_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
  }
  // The member closes at once: its current Poll is woken up (the shutdown
  // pattern of Kafka's documentation).
  void StopNow() {
    stop_.store(true, std::memory_order_release);
    consumer_->Wakeup();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::unique_ptr<Consumer> consumer_;
  FirstError* const errors_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Client id -> assigned partitions, as the group describes them.
using Ownership = std::map<std::string, std::vector<TopicPartition>>;

// Waits until the group is Stable with `members` members that all collected
// their assignment and own every partition between them.
absl::StatusOr<Ownership> AwaitFullyAssigned(Engine& engine,
                                             const std::string& group,
                                             int members, int partitions) {
  const absl::Time give_up = absl::Now() + kGroupWait;
  for (;;) {
    absl::Status s = testing::AwaitGroupStable(engine, group, members,
                                               give_up - absl::Now());
    if (!s.ok()) return s;
    absl::StatusOr<ConsumerGroupDescription> d =
        engine.admin().DescribeGroup(group);
    if (!d.ok()) return Annotate(d.status(), "DescribeGroup");
    Ownership owners;
    int assigned = 0;
    for (const MemberDescription& m : d->members) {
      owners[m.client_id] = m.assignment;
      assigned += static_cast<int>(m.assignment.size());
    }
    if (d->state == ConsumerGroupState::kStable && assigned == partitions &&
        static_cast<int>(d->members.size()) == members) {
      return owners;
    }
    if (absl::Now() >= give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("group ", group, " never owned all ", partitions,
                       " partitions with ", members, " members"));
    }
    absl::SleepFor(absl::Microseconds(200));
  }
}

// Partitions whose owner (by client id) differs between `a` and `b`.
int Moved(const Ownership& a, const Ownership& b) {
  std::map<TopicPartition, std::string> before;
  for (const auto& [client, partitions] : a) {
    for (const TopicPartition& tp : partitions) before[tp] = client;
  }
  int moved = 0;
  for (const auto& [client, partitions] : b) {
    for (const TopicPartition& tp : partitions) {
      auto it = before.find(tp);
      if (it == before.end() || it->second != client) ++moved;
    }
  }
  return moved;
}

Metric Make(std::string id, std::string label, std::string unit, double value) {
  Metric m;
  m.id = std::move(id);
  m.label = std::move(label);
  m.unit = std::move(unit);
  m.value = value;
  return m;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunGroupConsume(const RunEnv& env,
                                                    int members) {
  const Dataset& data = *env.data;
  const int partitions = env.config->partitions;
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();
  if (absl::Status s = FillTopic(**engine, data); !s.ok()) return s;
  absl::StatusOr<TopicDescription> topic =
      (*engine)->admin().DescribeTopic(kTopic);
  if (!topic.ok()) return Annotate(topic.status(), "DescribeTopic");
  std::vector<int64_t> ends(partitions);
  for (const PartitionDescription& p : topic->partitions) {
    ends[p.partition] = p.log_end_offset;
  }

  // Per partition, the offset after the highest record read: a partition is
  // done when it reaches its end, whichever member read it.
  std::vector<std::atomic<int64_t>> read_to(partitions);
  for (auto& r : read_to) r.store(0);
  std::atomic<int> done_partitions{0};
  std::atomic<int64_t> delivered{0};
  FirstError errors;
  std::vector<std::unique_ptr<Consumer>> consumers;
  for (int i = 0; i < members; ++i) {
    ConsumerOptions options;
    options.group_id = absl::StrCat(kGroup, "-", members);
    options.client_id = absl::StrCat("member-", i);
    options.auto_offset_reset = OffsetReset::kEarliest;
    options.enable_auto_commit = false;
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        (*engine)->CreateConsumer(options);
    if (!c.ok()) return Annotate(c.status(), "CreateConsumer");
    consumers.push_back(std::move(*c));
  }
  std::atomic<bool> finished{false};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < members; ++i) {
    threads.emplace_back([&, c = consumers[i].get()] {
      if (absl::Status s = c->Subscribe({kTopic}); !s.ok()) {
        errors.Set(Annotate(s, "Subscribe"));
        finished.store(true);
        return;
      }
      const Clock::time_point begin = Clock::now();
      while (!finished.load(std::memory_order_acquire)) {
        absl::StatusOr<std::vector<ConsumerRecord>> records =
            c->Poll(absl::Milliseconds(20));
        if (!records.ok()) {
          errors.Set(Annotate(records.status(), "Poll"));
          finished.store(true);
          break;
        }
        if (SecondsSince(begin) > kStallSeconds * 4) {
          errors.Set(absl::DeadlineExceededError("group consume stalled"));
          finished.store(true);
          break;
        }
        if (records->empty()) continue;
        delivered.fetch_add(static_cast<int64_t>(records->size()));
        std::map<int32_t, int64_t> high;
        for (const ConsumerRecord& r : *records) {
          high[r.partition] = std::max(high[r.partition], r.offset + 1);
        }
        // Commit failures during a rebalance are expected: the records are
        // read again by the next owner (at least once).
        c->CommitSync().IgnoreError();
        for (const auto& [p, next] : high) {
          int64_t prev = read_to[p].load();
          while (prev < next && !read_to[p].compare_exchange_weak(prev, next)) {
          }
          if (prev < ends[p] && next >= ends[p]) {
            if (done_partitions.fetch_add(1) + 1 == partitions) {
              finished.store(true, std::memory_order_release);
            }
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = SecondsSince(start);
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  for (auto& c : consumers) {
    if (absl::Status s = Annotate(c->Close(), "Consumer::Close"); !s.ok()) {
      return s;
    }
  }
  consumers.clear();
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;

  const std::string suffix = members == 1 ? "" : "s";
  std::vector<Metric> out;
  Metric m =
      Make(absl::StrFormat("group_consume_%dm", members),
           absl::StrFormat("group consume, %d member%s", members, suffix),
           "records/s", data.records() / seconds);
  m.record_bytes = data.record_bytes();
  out.push_back(m);
  out.push_back(Make(absl::StrFormat("group_consume_%dm_redelivered", members),
                     absl::StrFormat("group consume, %d member%s, read twice",
                                     members, suffix),
                     "records",
                     static_cast<double>(delivered.load() - data.records())));
  return out;
}

absl::StatusOr<std::vector<Metric>> RunRebalance(const RunEnv& env,
                                                 const std::string& strategy) {
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      OpenWithTopic(env, kRebalancePartitions);
  if (!engine.ok()) return engine.status();
  const std::string group = absl::StrCat(kGroup, "-rebalance-", strategy);
  FirstError errors;
  int next_id = 0;
  auto new_member = [&]() -> absl::StatusOr<std::unique_ptr<PollingMember>> {
    ConsumerOptions options;
    options.group_id = group;
    options.client_id = absl::StrCat("member-", next_id++);
    options.enable_auto_commit = false;
    options.assignment_strategies = {strategy};
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        (*engine)->CreateConsumer(options);
    if (!c.ok()) return Annotate(c.status(), "CreateConsumer");
    if (absl::Status s = (*c)->Subscribe({kTopic}); !s.ok()) {
      return Annotate(s, "Subscribe");
    }
    return std::make_unique<PollingMember>(std::move(*c), &errors);
  };

  std::vector<std::unique_ptr<PollingMember>> members;
  Clock::time_point start = Clock::now();
  for (int i = 0; i < kRebalanceMembers; ++i) {
    absl::StatusOr<std::unique_ptr<PollingMember>> m = new_member();
    if (!m.ok()) return m.status();
    members.push_back(std::move(*m));
  }
  absl::StatusOr<Ownership> formed = AwaitFullyAssigned(
      **engine, group, kRebalanceMembers, kRebalancePartitions);
  const double form_ms = SecondsSince(start) * 1e3;
  if (!formed.ok()) return formed.status();

  start = Clock::now();
  members.front()->Stop();  // Closes: leaves the group at once.
  absl::StatusOr<Ownership> after_leave = AwaitFullyAssigned(
      **engine, group, kRebalanceMembers - 1, kRebalancePartitions);
  const double leave_ms = SecondsSince(start) * 1e3;
  if (!after_leave.ok()) return after_leave.status();

  start = Clock::now();
  absl::StatusOr<std::unique_ptr<PollingMember>> joiner = new_member();
  if (!joiner.ok()) return joiner.status();
  members.push_back(std::move(*joiner));
  absl::StatusOr<Ownership> after_join = AwaitFullyAssigned(
      **engine, group, kRebalanceMembers, kRebalancePartitions);
  const double join_ms = SecondsSince(start) * 1e3;
  if (!after_join.ok()) return after_join.status();

  members.clear();
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;

  const std::string id = strategy == "range" ? "eager" : "coop";
  // Short labels keep the table aligned; RESULTS.md gives the setup.
  const std::string label =
      absl::StrCat("rebalance ", strategy == "range" ? "eager" : "coop");
  return std::vector<Metric>{
      Make(absl::StrCat("rebalance_", id, "_form"),
           absl::StrCat(label, ", group forms"), "ms", form_ms),
      Make(absl::StrCat("rebalance_", id, "_leave"),
           absl::StrCat(label, ", one leaves"), "ms", leave_ms),
      Make(absl::StrCat("rebalance_", id, "_join"),
           absl::StrCat(label, ", one joins"), "ms", join_ms),
      Make(absl::StrCat("rebalance_", id, "_join_moved"),
           absl::StrCat(label, ", moved on join"), "partitions",
           Moved(*after_leave, *after_join)),
  };
}

absl::StatusOr<std::vector<Metric>> RunGroupFormClose(const RunEnv& env,
                                                      int members) {
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      OpenWithTopic(env, kRebalancePartitions);
  if (!engine.ok()) return engine.status();
  const std::string group = absl::StrCat(kGroup, "-form-", members);
  FirstError errors;
  std::vector<std::unique_ptr<Consumer>> consumers;
  for (int i = 0; i < members; ++i) {
    ConsumerOptions options;
    options.group_id = group;
    options.client_id = absl::StrCat("member-", i);
    options.enable_auto_commit = false;
    absl::StatusOr<std::unique_ptr<Consumer>> c =
        (*engine)->CreateConsumer(options);
    if (!c.ok()) return Annotate(c.status(), "CreateConsumer");
    if (absl::Status s = (*c)->Subscribe({kTopic}); !s.ok()) {
      return Annotate(s, "Subscribe");
    }
    consumers.push_back(std::move(*c));
  }
  // Created and subscribed untimed; the clock starts with the first Poll.
  std::vector<std::unique_ptr<PollingMember>> polling;
  Clock::time_point start = Clock::now();
  for (std::unique_ptr<Consumer>& c : consumers) {
    polling.push_back(std::make_unique<PollingMember>(std::move(c), &errors));
  }
  absl::StatusOr<Ownership> formed =
      AwaitFullyAssigned(**engine, group, members, kRebalancePartitions);
  const double form_ms = SecondsSince(start) * 1e3;
  if (!formed.ok()) return formed.status();

  // The members close one after another (each leaves the group while the
  // others keep polling and rebalance); timed until the last Close
  // returned.
  start = Clock::now();
  for (std::unique_ptr<PollingMember>& m : polling) m->StopNow();
  const double close_ms = SecondsSince(start) * 1e3;
  polling.clear();
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  absl::StatusOr<ConsumerGroupDescription> d =
      (*engine)->admin().DescribeGroup(group);
  if (!d.ok()) return Annotate(d.status(), "DescribeGroup");
  if (!d->members.empty()) {
    return absl::InternalError(absl::StrCat(
        "group ", group, " still has ", d->members.size(), " members"));
  }
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;
  return std::vector<Metric>{
      Make(absl::StrFormat("group_form_%dm", members),
           absl::StrFormat("group of %d forms", members), "ms", form_ms),
      Make(absl::StrFormat("group_close_%dm", members),
           absl::StrFormat("group of %d closes", members), "ms", close_ms),
  };
}

}  // namespace bench
}  // namespace brook
