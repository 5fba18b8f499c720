// Failover on the three-node test cluster (tools/kafka/broker, CTest
// fixture kafka_cluster), through brook's public API on the Kafka backend:
//
// - An idempotent acks=all producer keeps sending while the broker leading
//   its partition is SIGKILLed. Every acknowledged record is read back at
//   the offset it was acknowledged with, no record is written twice, the
//   partition keeps the order of the sends, and what is missing was
//   reported as failed.
// - A consumer group of two keeps consuming and committing after the
//   broker coordinating it (the leader of __consumer_offsets, replicated
//   three times by the cluster's offsets.topic.replication.factor=3) is
//   SIGKILLed: records sent after the crash are consumed, and commits
//   succeed again at the new coordinator.
//
// Each test bounds every wait with a deadline and restarts the node it
// killed, also when it fails (TearDown), so that the fixture's later tests
// find three brokers.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/admin.h"
#include "brook/client.h"
#include "brook/consumer.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "gtest/gtest.h"
#include "kafka/broker_env.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// A name no other test (or earlier run against the same cluster) uses.
std::string UniqueName(absl::string_view what) {
  static std::atomic<int> counter{0};
  return absl::StrCat("brook-failover-", what, "-",
                      absl::ToUnixMicros(absl::Now()), "-",
                      counter.fetch_add(1));
}

// The node id of the broker at "host:port". tools/kafka/broker: node N
// listens on P + 10000 * (N - 1), P being node 1's port, the lowest of
// the bootstrap list.
absl::StatusOr<int> NodeOfAddress(const std::string& bootstrap,
                                  absl::string_view address) {
  int lowest = -1;
  for (absl::string_view server : absl::StrSplit(bootstrap, ',')) {
    int port;
    if (!absl::SimpleAtoi(server.substr(server.rfind(':') + 1), &port)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad bootstrap server ", server));
    }
    if (lowest < 0 || port < lowest) lowest = port;
  }
  int port;
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || lowest < 0 ||
      port < lowest || (port - lowest) % 10000 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", address, "\" is no node of the cluster at ", bootstrap));
  }
  return (port - lowest) / 10000 + 1;
}

// Calls `done` every 200 ms until it returns true or `timeout` passes; its
// last answer.
bool Await(absl::Duration timeout, const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (done()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(200));  // A real cluster: wall time.
  }
}

// A thread that runs `body` until asked to stop; the destructor stops and
// joins it, so that no early return of a test leaves it running.
class Worker {
 public:
  explicit Worker(std::function<void(const std::atomic<bool>& stop)> body)
      : thread_([this, body = std::move(body)] { body(stop_); }) {}
  ~Worker() { Stop(); }
  // Waits until `body` returns by itself.
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// What became of each record a producer sent, indexed by its sequence
// number; written by the send callbacks (the producer's poller thread).
class SendLog {
 public:
  enum Outcome : int { kPending = 0, kAcked = 1, kFailed = 2 };

  explicit SendLog(int capacity) : outcome_(capacity), offset_(capacity) {}

  int capacity() const { return static_cast<int>(outcome_.size()); }
  int sent() const { return sent_.load(); }
  int acked() const { return acked_.load(); }
  int failed() const { return failed_.load(); }
  int completed() const { return acked() + failed(); }
  Outcome outcome(int seq) const {
    return static_cast<Outcome>(outcome_[seq].load());
  }
  int64_t offset(int seq) const { return offset_[seq].load(); }

  // The callback of record `seq`, counted as sent.
  SendCallback Callback(int seq) {
    sent_.fetch_add(1);
    return [this, seq](const absl::StatusOr<RecordMetadata>& md) {
      if (md.ok()) {
        offset_[seq].store(md->offset);
        outcome_[seq].store(kAcked);
        acked_.fetch_add(1);
      } else {
        outcome_[seq].store(kFailed);
        failed_.fetch_add(1);
        absl::MutexLock lock(&mu_);
        if (errors_.size() < 5) {
          errors_.push_back(absl::StrCat(seq, ": ", md.status().ToString()));
        }
      }
    };
  }

  std::string Errors() const {
    absl::MutexLock lock(&mu_);
    return absl::StrJoin(errors_, "; ");
  }

 private:
  std::vector<std::atomic<int>> outcome_;
  std::vector<std::atomic<int64_t>> offset_;
  std::atomic<int> sent_{0};
  std::atomic<int> acked_{0};
  std::atomic<int> failed_{0};
  mutable absl::Mutex mu_;
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
};

constexpr int kKeys = 8;

std::string KeyOf(int seq) { return absl::StrCat("key-", seq % kKeys); }

// Sends records seq = 0, 1, ... (key KeyOf(seq), value the decimal seq) to
// `topic`, `burst` at a time every `pause`, until `log` is full or `stop`.
void SendPaced(Producer& producer, const std::string& topic, SendLog& log,
               int burst, absl::Duration pause, const std::atomic<bool>& stop) {
  int seq = 0;
  while (seq < log.capacity() && !stop.load()) {
    for (int i = 0; i < burst && seq < log.capacity(); ++i, ++seq) {
      producer.Send(ProducerRecord(topic, KeyOf(seq), absl::StrCat(seq)),
                    log.Callback(seq));
    }
    absl::SleepFor(pause);
  }
}

// The sequence number a record carries (its value); -1 for a stranger.
int SeqOf(const ConsumerRecord& r) {
  int seq;
  if (!r.value || !absl::SimpleAtoi(*r.value, &seq)) return -1;
  return seq;
}

ProducerOptions IdempotentAcksAll() {
  ProducerOptions o;
  o.acks = Acks::kAll;
  o.enable_idempotence = true;
  o.linger = absl::Milliseconds(5);
  // Long enough for the failover (a 3 s broker session, then a leader
  // election), short enough to bound the test.
  o.delivery_timeout = absl::Seconds(30);
  o.max_block = absl::Seconds(10);
  return o;
}

// A test that outlives this is stopped by its watchdog, which restarts the
// nodes it killed first: ctest's TIMEOUT (300 s) would kill the test
// without TearDown and leave the cluster without them.
constexpr absl::Duration kTestDeadline = absl::Seconds(150);

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    watchdog_ = std::thread([this] { Watch(); });
    absl::StatusOr<std::string> bootstrap = KafkaClusterBootstrap();
    ASSERT_OK(bootstrap);
    bootstrap_ = *bootstrap;
    absl::StatusOr<std::unique_ptr<Client>> client =
        Client::Open({{"bootstrap.servers", bootstrap_}});
    ASSERT_OK(client);
    client_ = *std::move(client);
  }

  // Whatever happened, the nodes this test killed run again.
  void TearDown() override {
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    watchdog_.join();
    for (int node : TakeKilled()) {
      EXPECT_OK(StartKafkaNode(node)) << "restarting node " << node;
    }
  }

  std::vector<int> TakeKilled() {
    absl::MutexLock lock(&mu_);
    return std::exchange(killed_, {});
  }

  void Watch() {
    mu_.Lock();
    const bool finished =
        mu_.AwaitWithTimeout(absl::Condition(&finished_), kTestDeadline);
    mu_.Unlock();
    if (finished) return;
    std::cerr << "the test did not end within " << kTestDeadline
              << ": restarting the nodes it killed and aborting" << std::endl;
    for (int node : TakeKilled()) StartKafkaNode(node).IgnoreError();
    std::abort();
  }

  Admin& admin() { return client_->admin(); }

  // Waits until every partition of `topic` has its three replicas in
  // sync, so that a kill leaves the cluster its quorum and each partition
  // a leader with every acknowledged record.
  absl::Status AwaitInSync(const std::string& topic) {
    absl::StatusOr<TopicDescription> d;
    const bool in_sync = Await(absl::Seconds(30), [&] {
      d = admin().DescribeTopic(topic);
      return d.ok() &&
             std::all_of(d->partitions.begin(), d->partitions.end(),
                         [](auto& p) { return p.isr.size() == 3; });
    });
    if (!in_sync) {
      return absl::FailedPreconditionError(absl::StrCat(
          "not every replica of ", topic, " is in sync",
          d.ok() ? "" : ": ", d.ok() ? "" : d.status().ToString()));
    }
    return absl::OkStatus();
  }

  // SIGKILLs `node`; TearDown restarts it unless Restart did.
  absl::Status Kill(int node) {
    {
      absl::MutexLock lock(&mu_);
      killed_.push_back(node);
    }
    return KillKafkaNode(node);
  }

  // Restarts `node` and waits until it is back in the ISR of every
  // partition of `topic` (so it serves as a replica again).
  void Restart(int node, const std::string& topic) {
    ASSERT_OK(StartKafkaNode(node));  // Else TearDown tries again.
    {
      absl::MutexLock lock(&mu_);
      killed_.erase(std::remove(killed_.begin(), killed_.end(), node),
                    killed_.end());
    }
    EXPECT_TRUE(Await(absl::Seconds(30), [&] {
      absl::StatusOr<TopicDescription> d = admin().DescribeTopic(topic);
      if (!d.ok()) return false;
      for (const PartitionDescription& p : d->partitions) {
        if (std::find(p.isr.begin(), p.isr.end(), node) == p.isr.end()) {
          return false;
        }
      }
      return true;
    })) << "node " << node << " did not rejoin the ISR of " << topic;
  }

  // Creates `topic`, replicated on all three brokers, and checks that the
  // cluster keeps it with min.insync.replicas=2 (its default).
  void CreateReplicatedTopic(const std::string& topic, int32_t partitions) {
    NewTopic t;
    t.name = topic;
    t.partitions = partitions;
    t.replication_factor = 3;
    std::vector<absl::Status> created = admin().CreateTopics({t});
    ASSERT_EQ(created.size(), 1u);
    ASSERT_OK(created[0]);
    absl::StatusOr<TopicDescription> d = admin().DescribeTopic(topic);
    ASSERT_OK(d);
    ASSERT_EQ(d->partitions.size(), static_cast<size_t>(partitions));
    for (const PartitionDescription& p : d->partitions) {
      EXPECT_EQ(p.replicas.size(), 3u) << "partition " << p.partition;
    }
    absl::StatusOr<std::vector<ConfigEntry>> config =
        admin().DescribeConfigs(topic);
    ASSERT_OK(config);
    auto min_isr = std::find_if(config->begin(), config->end(), [](auto& e) {
      return e.name == "min.insync.replicas";
    });
    ASSERT_NE(min_isr, config->end());
    EXPECT_EQ(min_isr->value, "2");
  }

  std::string bootstrap_;
  std::unique_ptr<Client> client_;

 private:
  std::thread watchdog_;
  absl::Mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int> killed_ ABSL_GUARDED_BY(mu_);  // Not restarted yet.
};

// Reads `topic`-`partition` from its beginning to its end offset now, with
// a consumer that assigns itself the partition.
std::vector<ConsumerRecord> ReadPartition(Client& client,
                                          const std::string& topic,
                                          int32_t partition,
                                          absl::Duration timeout) {
  std::vector<ConsumerRecord> out;
  ConsumerOptions o;
  o.enable_auto_commit = false;
  o.auto_offset_reset = OffsetReset::kEarliest;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = client.CreateConsumer(o);
  EXPECT_OK(consumer);
  if (!consumer.ok()) return out;
  const TopicPartition tp(topic, partition);
  absl::StatusOr<std::map<TopicPartition, int64_t>> end =
      (*consumer)->EndOffsets({tp});
  EXPECT_OK(end);
  if (!end.ok()) return out;
  EXPECT_OK((*consumer)->Assign({tp}));
  EXPECT_OK((*consumer)->SeekToBeginning({tp}));
  const absl::Time deadline = absl::Now() + timeout;
  int64_t position = 0;
  while (position < end->at(tp) && absl::Now() < deadline) {
    absl::StatusOr<std::vector<ConsumerRecord>> records =
        (*consumer)->Poll(absl::Milliseconds(500));
    EXPECT_OK(records);
    if (!records.ok()) break;
    for (ConsumerRecord& r : *records) {
      position = r.offset + 1;
      out.push_back(std::move(r));
    }
  }
  EXPECT_GE(position, end->at(tp))
      << "read " << out.size() << " records of " << topic << "-" << partition
      << " up to offset " << position << " within " << timeout;
  EXPECT_OK((*consumer)->Close());
  return out;
}

TEST_F(FailoverTest, ProducerSurvivesLeaderCrash) {
  const std::string topic = UniqueName("producer");
  CreateReplicatedTopic(topic, 1);
  if (HasFatalFailure()) return;
  absl::StatusOr<TopicDescription> before = admin().DescribeTopic(topic);
  ASSERT_OK(before);
  const int leader = before->partitions[0].leader;
  ASSERT_GE(leader, 1);

  absl::StatusOr<std::unique_ptr<Producer>> producer =
      client_->CreateProducer(IdempotentAcksAll());
  ASSERT_OK(producer);
  constexpr int kRecords = 20000;
  SendLog log(kRecords);
  // About 2000 records a second: the sends span the crash, the failover
  // and a few seconds on the new leader.
  Worker sender([&](const std::atomic<bool>& stop) {
    SendPaced(**producer, topic, log, 20, absl::Milliseconds(10), stop);
  });

  ASSERT_OK(AwaitInSync(topic));
  ASSERT_TRUE(Await(absl::Seconds(30), [&] { return log.acked() >= 2000; }))
      << "only " << log.acked() << " records acknowledged before the crash ("
      << log.failed() << " failed: " << log.Errors() << ")";
  const int acked_before_kill = log.acked();
  const absl::Time killed_at = absl::Now();
  ASSERT_OK(Kill(leader));
  // The controller moves the leadership once the dead broker's 3 s
  // session has expired. A request that went to the dead broker before
  // the client saw it go fails only after its 30 s timeout.
  int new_leader = -1;
  absl::Status describe_status;
  EXPECT_TRUE(Await(absl::Seconds(60), [&] {
    absl::StatusOr<TopicDescription> d = admin().DescribeTopic(topic);
    describe_status = d.status();
    if (d.ok()) new_leader = d->partitions[0].leader;
    return d.ok() && new_leader >= 1 && new_leader != leader;
  })) << "the partition has no leader but node " << leader << " (now "
      << new_leader << ", " << describe_status << ")";
  const absl::Duration failover = absl::Now() - killed_at;

  // The sender ends by itself once it has sent every record.
  sender.Join();
  EXPECT_TRUE(Await(absl::Seconds(45),
                    [&] { return log.completed() == log.sent(); }))
      << log.sent() - log.completed() << " sends never completed";
  EXPECT_OK((*producer)->Close(absl::Seconds(10)));
  std::cerr << "sent " << log.sent() << ", acknowledged " << log.acked()
            << " (" << acked_before_kill << " before the crash of node "
            << leader << "), failed " << log.failed()
            << "; new leader node " << new_leader << " seen after "
            << failover << (log.failed() ? "; " : "") << log.Errors()
            << "\n";
  ASSERT_EQ(log.sent(), kRecords);
  // Sending went on after the crash, on the new leader.
  EXPECT_GT(log.acked(), acked_before_kill + kRecords / 4);

  std::vector<ConsumerRecord> records =
      ReadPartition(*client_, topic, 0, absl::Seconds(30));
  std::vector<int> times_read(kRecords, 0);
  int strangers = 0, duplicates = 0, out_of_order = 0, unacked_present = 0;
  int last_seq = -1;
  std::vector<std::string> problems;
  auto problem = [&](std::string what) {
    if (problems.size() < 10) problems.push_back(std::move(what));
  };
  for (const ConsumerRecord& r : records) {
    const int seq = SeqOf(r);
    if (seq < 0 || seq >= kRecords || r.key != KeyOf(seq)) {
      ++strangers;
      problem(absl::StrCat("offset ", r.offset, ": unexpected record"));
      continue;
    }
    if (++times_read[seq] == 2) {
      ++duplicates;
      problem(absl::StrCat("record ", seq, " again at offset ", r.offset));
    }
    // One partition: its order is the order of the sends, so each key's
    // order too.
    if (seq <= last_seq) {
      ++out_of_order;
      problem(absl::StrCat("record ", seq, " at offset ", r.offset,
                           " after record ", last_seq));
    }
    last_seq = std::max(last_seq, seq);
    switch (log.outcome(seq)) {
      case SendLog::kAcked:
        if (log.offset(seq) >= 0 && log.offset(seq) != r.offset) {
          problem(absl::StrCat("record ", seq, " acknowledged at offset ",
                               log.offset(seq), ", read at ", r.offset));
        }
        break;
      case SendLog::kFailed:
        ++unacked_present;  // Reported failed yet written: allowed.
        break;
      case SendLog::kPending:
        problem(absl::StrCat("record ", seq, " written, never reported"));
        break;
    }
  }
  int acked_missing = 0;
  for (int seq = 0; seq < kRecords; ++seq) {
    if (log.outcome(seq) == SendLog::kAcked && times_read[seq] == 0) {
      if (++acked_missing <= 5) {
        problem(absl::StrCat("acknowledged record ", seq, " (offset ",
                             log.offset(seq), ") is missing"));
      }
    }
  }
  std::cerr << "read " << records.size() << " records; " << unacked_present
            << " of the failed sends were written anyway\n";
  EXPECT_EQ(acked_missing, 0);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(strangers, 0);
  EXPECT_TRUE(problems.empty()) << absl::StrJoin(problems, "\n");

  Restart(leader, topic);
  admin().DeleteTopic(topic).IgnoreError();
}

// What the members of a group saw, shared by their threads.
struct GroupLog {
  explicit GroupLog(int capacity) : times_consumed(capacity) {}
  std::vector<std::atomic<int>> times_consumed;
  std::atomic<int> consumed{0};
  std::atomic<int> commits_ok{0};
  std::atomic<int> commit_errors{0};
  // When the last successful commit was asked for.
  std::atomic<int64_t> last_ok_commit_started_us{0};
  std::atomic<int> poll_errors{0};
  absl::Mutex mu;
  std::vector<std::string> errors ABSL_GUARDED_BY(mu);

  void Error(absl::string_view what, const absl::Status& s) {
    absl::MutexLock lock(&mu);
    if (errors.size() < 10) {
      errors.push_back(absl::StrCat(what, ": ", s.ToString()));
    }
  }
  std::string Errors() {
    absl::MutexLock lock(&mu);
    return absl::StrJoin(errors, "\n");
  }
};

// A member's loop: polls, counts what it got, commits its positions every
// half second, until `stop`; then closes the consumer.
void Consume(Consumer& consumer, GroupLog& log,
             const std::atomic<bool>& stop) {
  absl::Time next_commit = absl::Now();
  while (!stop.load()) {
    absl::StatusOr<std::vector<ConsumerRecord>> records =
        consumer.Poll(absl::Milliseconds(200));
    if (!records.ok()) {
      log.poll_errors.fetch_add(1);
      log.Error("poll", records.status());
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    for (const ConsumerRecord& r : *records) {
      const int seq = SeqOf(r);
      if (seq >= 0 && seq < static_cast<int>(log.times_consumed.size())) {
        log.times_consumed[seq].fetch_add(1);
        log.consumed.fetch_add(1);
      }
    }
    if (absl::Now() >= next_commit) {
      const absl::Time started = absl::Now();
      absl::Status s = consumer.CommitSync();
      if (s.ok()) {
        log.commits_ok.fetch_add(1);
        log.last_ok_commit_started_us.store(absl::ToUnixMicros(started));
      } else {
        // Expected while the coordinator moves; the test checks that
        // commits succeed again.
        log.commit_errors.fetch_add(1);
        log.Error("commit", s);
      }
      next_commit = absl::Now() + absl::Milliseconds(500);
    }
  }
  absl::Status s = consumer.Close();
  if (!s.ok()) log.Error("close", s);
}

TEST_F(FailoverTest, GroupSurvivesCoordinatorCrash) {
  const std::string topic = UniqueName("group");
  const std::string group = UniqueName("group");
  CreateReplicatedTopic(topic, 2);
  if (HasFatalFailure()) return;

  absl::StatusOr<std::unique_ptr<Producer>> producer =
      client_->CreateProducer(IdempotentAcksAll());
  ASSERT_OK(producer);
  constexpr int kMaxRecords = 60000;
  SendLog sent(kMaxRecords);
  GroupLog consumed(kMaxRecords);

  std::unique_ptr<Consumer> members[2];
  for (int i = 0; i < 2; ++i) {
    ConsumerOptions o;
    o.group_id = group;
    o.client_id = absl::StrCat("failover-member-", i);
    o.enable_auto_commit = false;
    o.auto_offset_reset = OffsetReset::kEarliest;
    // Long enough to ride out the coordinator's failover without the
    // group evicting anyone.
    o.session_timeout = absl::Seconds(15);
    o.heartbeat_interval = absl::Seconds(1);
    absl::StatusOr<std::unique_ptr<Consumer>> c = client_->CreateConsumer(o);
    ASSERT_OK(c);
    members[i] = *std::move(c);
    ASSERT_OK(members[i]->Subscribe({topic}));
  }
  // About 200 records a second until stopped. Declared after what they
  // use: destroyed (stopped) first.
  Worker sender([&](const std::atomic<bool>& stop) {
    SendPaced(**producer, topic, sent, 2, absl::Milliseconds(10), stop);
  });
  Worker member0([&](const std::atomic<bool>& stop) {
    Consume(*members[0], consumed, stop);
  });
  Worker member1([&](const std::atomic<bool>& stop) {
    Consume(*members[1], consumed, stop);
  });

  // The group is stable with a partition each, consuming and committing.
  absl::StatusOr<ConsumerGroupDescription> described;
  ASSERT_TRUE(Await(absl::Seconds(40), [&] {
    described = admin().DescribeGroup(group);
    return described.ok() &&
           described->state == ConsumerGroupState::kStable &&
           described->members.size() == 2 &&
           described->members[0].assignment.size() == 1 &&
           described->members[1].assignment.size() == 1 &&
           consumed.consumed.load() > 0 && consumed.commits_ok.load() > 0;
  })) << "the group did not settle: "
      << (described.ok() ? ConsumerGroupStateName(described->state)
                         : described.status().ToString())
      << ", consumed " << consumed.consumed.load() << ", commits "
      << consumed.commits_ok.load() << "\n"
      << consumed.Errors();
  ASSERT_OK(AwaitInSync(topic));
  ASSERT_OK(AwaitInSync("__consumer_offsets"));
  const std::string coordinator = described->coordinator;
  absl::StatusOr<int> node = NodeOfAddress(bootstrap_, coordinator);
  ASSERT_OK(node);

  const int sent_before_kill = sent.sent();
  const absl::Time killed_at = absl::Now();
  ASSERT_OK(Kill(*node));
  const int poll_errors_before = consumed.poll_errors.load();

  // Records sent after the crash are consumed, and a commit asked for
  // after it succeeds: the group works at its new coordinator.
  auto consumed_since_kill = [&] {
    for (int seq = sent.sent() - 1; seq >= sent_before_kill; --seq) {
      if (consumed.times_consumed[seq].load() > 0) return true;
    }
    return false;
  };
  EXPECT_TRUE(Await(absl::Seconds(45), consumed_since_kill))
      << "nothing sent after the crash of node " << *node
      << " was consumed\n" << consumed.Errors();
  const absl::Duration consuming_again = absl::Now() - killed_at;
  EXPECT_TRUE(Await(absl::Seconds(45), [&] {
    return consumed.last_ok_commit_started_us.load() >
           absl::ToUnixMicros(killed_at);
  })) << "no commit succeeded after the crash of node " << *node << "\n"
      << consumed.Errors();
  const absl::Duration committing_again = absl::Now() - killed_at;
  EXPECT_TRUE(Await(absl::Seconds(30), [&] {
    described = admin().DescribeGroup(group);
    return described.ok() && !described->coordinator.empty() &&
           described->coordinator != coordinator &&
           described->state == ConsumerGroupState::kStable &&
           described->members.size() == 2;
  })) << "the group did not settle at a new coordinator: "
      << (described.ok() ? absl::StrCat(
                               ConsumerGroupStateName(described->state), " at ",
                               described->coordinator, " with ",
                               described->members.size(), " members")
                         : described.status().ToString());

  // Every acknowledged record is consumed (at least once: a rebalance may
  // hand a partition over before its last records were committed), and
  // the committed offsets reach the end of both partitions.
  sender.Stop();
  EXPECT_TRUE(Await(absl::Seconds(45),
                    [&] { return sent.completed() == sent.sent(); }))
      << sent.sent() - sent.completed() << " sends never completed";
  int unconsumed = 0;
  EXPECT_TRUE(Await(absl::Seconds(30), [&] {
    unconsumed = 0;
    for (int seq = 0; seq < sent.sent(); ++seq) {
      if (sent.outcome(seq) == SendLog::kAcked &&
          consumed.times_consumed[seq].load() == 0) {
        ++unconsumed;
      }
    }
    return unconsumed == 0;
  })) << unconsumed << " acknowledged records were never consumed";
  absl::StatusOr<std::vector<GroupPartitionOffset>> offsets;
  EXPECT_TRUE(Await(absl::Seconds(20), [&] {
    offsets = admin().ListGroupOffsets(group);
    return offsets.ok() && offsets->size() == 2 &&
           std::all_of(offsets->begin(), offsets->end(), [](auto& o) {
             return o.lag.has_value() && *o.lag == 0;
           });
  })) << "committed offsets did not reach the end: "
      << (offsets.ok() ? absl::StrJoin(*offsets, ", ",
                                       [](std::string* out, auto& o) {
                                         absl::StrAppend(
                                             out, o.partition.partition, "@",
                                             o.committed_offset, "/",
                                             o.log_end_offset);
                                       })
                       : offsets.status().ToString());
  member0.Stop();
  member1.Stop();
  EXPECT_OK((*producer)->Close(absl::Seconds(10)));
  std::cerr << "coordinator node " << *node << " (" << coordinator
            << ") killed; consuming again after " << consuming_again
            << ", committing again after " << committing_again
            << "; new coordinator " << described->coordinator << "; sent "
            << sent.sent() << " (" << sent_before_kill
            << " before the crash), acknowledged " << sent.acked()
            << ", consumed " << consumed.consumed.load() << "; commits "
            << consumed.commits_ok.load() << " ok, "
            << consumed.commit_errors.load() << " failed; poll errors "
            << consumed.poll_errors.load() << "\n"
            << consumed.Errors() << "\n";
  EXPECT_EQ(sent.failed(), 0) << sent.Errors();
  // Poll reports no broker's crash: the client rides it out, as Kafka's.
  EXPECT_EQ(consumed.poll_errors.load(), 0) << consumed.Errors();
  EXPECT_EQ(poll_errors_before, 0);

  Restart(*node, topic);
  admin().DeleteTopic(topic).IgnoreError();
}

}  // namespace
}  // namespace brook
