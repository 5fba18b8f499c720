#include "brook_workloads.h"

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

// Keeps the compiler from dropping the loops that touch consumed values.
std::atomic<uint64_t> g_sink{0};

}  // namespace

absl::StatusOr<std::vector<Metric>> RunProduce(const RunEnv& env, Acks acks,
                                               int threads) {
  const Dataset& data = *env.data;
  const int64_t n = data.records();
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();
  ProducerOptions options;  // The defaults (linger.ms=5, ...) except acks.
  options.acks = acks;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*engine)->CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  Producer* p = producer->get();

  FirstError errors;
  absl::Notification go;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      go.WaitForNotification();
      SendRange(p, data, n * t / threads, n * (t + 1) / threads, &errors);
    });
  }
  const Clock::time_point start = Clock::now();
  go.Notify();
  for (std::thread& w : workers) w.join();
  const absl::Status flushed = p->Flush();
  const double seconds = SecondsSince(start);

  if (!flushed.ok()) return Annotate(flushed, "Flush");
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = Annotate((*producer)->Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckStored(**engine, n); !s.ok()) return s;
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;

  const bool all = acks == Acks::kAll;
  Metric m;
  m.id = absl::StrFormat("produce_acks%s_%dt", all ? "all" : "1", threads);
  m.label = absl::StrFormat("produce acks=%s, %s", all ? "all" : "1",
                            ThreadCount(threads));
  m.unit = "records/s";
  m.value = n / seconds;
  m.record_bytes = data.record_bytes();
  return std::vector<Metric>{m};
}

absl::StatusOr<std::vector<Metric>> RunSyncSends(const RunEnv& env,
                                                 int threads) {
  const Dataset& data = *env.data;
  const int64_t per_thread = env.config->sync_sends;
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();
  ProducerOptions options;
  options.acks = Acks::kAll;
  options.linger = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*engine)->CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  Producer* p = producer->get();

  absl::StatusOr<double> seconds =
      TimeSynchronousCalls(threads, per_thread, [&](int t, int64_t j) {
        return Annotate(
            p->Send(MakeRecord(data, t * per_thread + j)).Get().status(),
            "Send(...).Get()");
      });
  if (!seconds.ok()) return seconds.status();
  if (absl::Status s = Annotate((*producer)->Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckStored(**engine, per_thread * threads); !s.ok()) {
    return s;
  }
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;

  return std::vector<Metric>{SyncSendRate("sync_acksall", "sync acks=all",
                                          threads, per_thread * threads,
                                          *seconds)};
}

namespace {

const std::optional<absl::string_view>& ValueOf(const RecordView& r) {
  return r.value;
}
std::optional<absl::string_view> ValueOf(const ConsumerRecord& r) {
  if (!r.value) return std::nullopt;
  return absl::string_view(*r.value);
}

// One consumer in group `group`, assigned every partition, reads all of
// `env`'s records with `poll` (PollRecords or Poll) and a CommitSync after
// each; checks the offsets, the end and the commits. Returns seconds.
template <typename PollFn>
absl::StatusOr<double> ConsumeAll(Engine& engine, const RunEnv& env,
                                  const std::string& group, PollFn poll) {
  const int64_t n = env.data->records();
  const int partitions = env.config->partitions;
  ConsumerOptions options;
  options.group_id = group;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.enable_auto_commit = false;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      engine.CreateConsumer(options);
  if (!consumer.ok()) return Annotate(consumer.status(), "CreateConsumer");
  Consumer* c = consumer->get();
  const std::vector<TopicPartition> all = AllPartitions(env);
  if (absl::Status s = c->Assign(all); !s.ok()) return Annotate(s, "Assign");

  // Offsets must come back in order and without gaps, partition by
  // partition; anything else is a library bug worth reporting.
  std::vector<int64_t> next(partitions, 0);
  int64_t count = 0;
  uint64_t touched = 0;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_data = start;
  while (count < n) {
    auto records = poll(*c, absl::Seconds(1));
    if (!records.ok()) return Annotate(records.status(), "Poll");
    if (records->empty()) {
      if (SecondsSince(last_data) > kStallSeconds) {
        return absl::DeadlineExceededError(absl::StrCat(
            "consumer stalled: Poll returned nothing for ", kStallSeconds,
            "s after ", count, " of ", n, " records"));
      }
      continue;
    }
    last_data = Clock::now();
    for (const auto& r : *records) {
      if (r.partition < 0 || r.partition >= partitions ||
          r.offset != next[r.partition]) {
        return absl::InternalError(absl::StrCat(
            "Poll returned ", r.topic, "-", r.partition, " offset ", r.offset,
            "; expected offset ",
            r.partition >= 0 && r.partition < partitions ? next[r.partition]
                                                         : -1));
      }
      next[r.partition] = r.offset + 1;
      const auto& value = ValueOf(r);
      if (value && !value->empty()) {
        touched += value->size() + static_cast<unsigned char>((*value)[0]);
      }
      ++count;
    }
    if (absl::Status s = c->CommitSync(); !s.ok()) {
      return Annotate(s, "CommitSync");
    }
  }
  const double seconds = SecondsSince(start);
  g_sink.fetch_add(touched, std::memory_order_relaxed);

  // Untimed checks: nothing more to read, and the commits landed.
  auto extra = poll(*c, absl::ZeroDuration());
  if (!extra.ok()) return Annotate(extra.status(), "final Poll");
  if (!extra->empty()) {
    return absl::InternalError(absl::StrCat(
        "Poll returned ", extra->size(), " records beyond the ", n, " sent"));
  }
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> committed =
      c->Committed(all);
  if (!committed.ok()) return Annotate(committed.status(), "Committed");
  for (const TopicPartition& tp : all) {
    auto it = committed->find(tp);
    const int64_t got = it == committed->end() ? -1 : it->second.offset;
    if (got != next[tp.partition]) {
      return absl::InternalError(
          absl::StrCat("committed offset of ", tp.ToString(), " is ", got,
                       ", expected ", next[tp.partition]));
    }
  }
  if (absl::Status s = Annotate(c->Close(), "Consumer::Close"); !s.ok()) {
    return s;
  }
  return seconds;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunConsume(const RunEnv& env) {
  const int64_t n = env.data->records();
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();

  // Fill the topic (untimed) with an acks=1 producer.
  if (absl::Status s = FillTopic(**engine, *env.data); !s.ok()) return s;

  // Two groups read the same records: one with borrowed records, one with
  // owning copies.
  absl::StatusOr<double> borrowed = ConsumeAll(
      **engine, env, kGroup,
      [](Consumer& c, absl::Duration t) { return c.PollRecords(t); });
  if (!borrowed.ok()) return borrowed.status();
  absl::StatusOr<double> owned =
      ConsumeAll(**engine, env, absl::StrCat(kGroup, "-owned"),
                 [](Consumer& c, absl::Duration t) { return c.Poll(t); });
  if (!owned.ok()) return owned.status();
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;

  std::vector<Metric> out(2);
  out[0].id = "consume";
  out[0].label = "consume, PollRecords + CommitSync";
  out[0].value = n / *borrowed;
  out[1].id = "consume_owned";
  out[1].label = "consume, Poll + CommitSync";
  out[1].value = n / *owned;
  for (Metric& m : out) {
    m.unit = "records/s";
    m.record_bytes = env.data->record_bytes();
  }
  return out;
}

absl::StatusOr<std::vector<Metric>> RunSustained(const RunEnv& env) {
  const Dataset& data = *env.data;
  const int64_t n = data.records();
  const int64_t written_before = ProcessWrittenBytes();
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();
  ProducerOptions options;
  options.acks = Acks::kLeader;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*engine)->CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  FirstError errors;
  const Clock::time_point start = Clock::now();
  SendRange(producer->get(), data, 0, n, &errors);
  const absl::Status flushed = (*producer)->Flush();
  const double produce_seconds = SecondsSince(start);
  if (!flushed.ok()) return Annotate(flushed, "Flush");
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = Annotate((*producer)->Close(), "Producer::Close");
      !s.ok()) {
    return s;
  }
  // Written while producing, background compactions included (they run
  // on while the records are read back, and are counted at the end).
  const int64_t disk = DirBytes(env.dir);
  absl::StatusOr<double> consume_seconds = ConsumeAll(
      **engine, env, kGroup,
      [](Consumer& c, absl::Duration t) { return c.PollRecords(t); });
  if (!consume_seconds.ok()) return consume_seconds.status();
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;
  const double record_bytes = static_cast<double>(n * data.record_bytes());
  const double written =
      static_cast<double>(ProcessWrittenBytes() - written_before);
  return std::vector<Metric>{
      {"sustained_produce", "sustained produce acks=1, --records records",
       "records/s", n / produce_seconds, data.record_bytes()},
      {"sustained_consume", "then consume them all (PollRecords)",
       "records/s", n / *consume_seconds, data.record_bytes()},
      {"sustained_wa", "write amplification (written / record bytes)", "x",
       written / record_bytes, 0},
      {"sustained_disk", "disk use after producing / record bytes", "x",
       disk / record_bytes, 0},
  };
}

absl::StatusOr<std::vector<Metric>> RunEndToEnd(const RunEnv& env) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = OpenWithTopic(env);
  if (!engine.ok()) return engine.status();
  ProducerOptions producer_options;
  producer_options.acks = Acks::kLeader;
  producer_options.linger = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*engine)->CreateProducer(producer_options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  ConsumerOptions consumer_options;
  consumer_options.auto_offset_reset = OffsetReset::kEarliest;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      (*engine)->CreateConsumer(consumer_options);
  if (!consumer.ok()) return Annotate(consumer.status(), "CreateConsumer");
  if (absl::Status s = (*consumer)->Assign(AllPartitions(env)); !s.ok()) {
    return Annotate(s, "Assign");
  }
  absl::StatusOr<std::vector<Metric>> metrics = MeasureEndToEnd(
      env, **producer, **consumer, kTopic, env.config->partitions,
      absl::ZeroDuration(), "e2e", "e2e");
  if (!metrics.ok()) return metrics;
  if (absl::Status s = CloseEngine(*std::move(engine)); !s.ok()) return s;
  return metrics;
}

}  // namespace bench
}  // namespace brook
