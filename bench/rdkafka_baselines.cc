#include "rdkafka_baselines.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kafka/kafka_config.h"
#include "kafka_common.h"
#include "util/producer_checks.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

// Keeps the compiler from dropping the loops that touch consumed values.
std::atomic<uint64_t> g_sink{0};

absl::Status RdError(rd_kafka_resp_err_t err, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

using Handle = std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)>;
using PartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t,
                    void (*)(rd_kafka_topic_partition_list_t*)>;

absl::StatusOr<Handle> NewHandle(rd_kafka_type_t type, KafkaConf conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("rd_kafka_new: ", errstr));
  }
  conf.release();  // Now owned by rk.
  return Handle(rk, rd_kafka_destroy);
}

// The librdkafka configuration brook's Kafka backend builds for
// `options` (lib/kafka/kafka_config.cc, after CompleteProducerOptions), so
// that both sides batch, retry and time out alike.
absl::StatusOr<KafkaConf> RawProducerConf(const Config& config,
                                          ProducerOptions options) {
  if (absl::Status s = CompleteProducerOptions(options); !s.ok()) return s;
  options.client_id = "raw-rdkafka-producer";
  return NewProducerConf({{"bootstrap.servers", config.bootstrap_server}},
                         options);
}

// A librdkafka producer whose delivery reports arrive as events on the
// main queue, served by one poller thread that counts them: the structure
// of lib/kafka/kafka_producer.cc without its per-record bookkeeping.
class RawProducer {
 public:
  static absl::StatusOr<std::unique_ptr<RawProducer>> Create(
      const Config& config, const ProducerOptions& options) {
    absl::StatusOr<KafkaConf> conf = RawProducerConf(config, options);
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_events(conf->get(), RD_KAFKA_EVENT_DR);
    absl::StatusOr<Handle> rk =
        NewHandle(RD_KAFKA_PRODUCER, *std::move(conf));
    if (!rk.ok()) return rk.status();
    return std::unique_ptr<RawProducer>(new RawProducer(*std::move(rk)));
  }
  ~RawProducer() {
    stop_.store(true, std::memory_order_release);
    poller_.join();
  }

  rd_kafka_t* rk() { return rk_.get(); }

  // Connects and learns the topic's partitions (untimed set-up).
  absl::Status WarmUp(const std::string& topic) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk(), 0, rkt, &md, 30000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return RdError(err, "metadata");
    rd_kafka_metadata_destroy(md);
    return absl::OkStatus();
  }

  // rd_kafka_producev with a copy of key and value; while librdkafka's
  // queue is full, waits for a delivery report (as brook's max.block.ms
  // wait does), up to 60 s.
  absl::Status Send(const std::string& topic, absl::string_view key,
                    absl::string_view value) {
    for (;;) {
      const uint64_t seen = completions_.load(std::memory_order_acquire);
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk(), RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return RdError(err, "rd_kafka_producev");
      }
      absl::MutexLock lock(&mu_);
      auto room = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return completions_.load(std::memory_order_acquire) != seen;
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&room), absl::Seconds(60))) {
        return RdError(err, "rd_kafka_producev (60 s)");
      }
    }
  }

  // rd_kafka_flush, then waits until `sent` delivery reports were counted.
  // The first failed delivery, if any.
  absl::Status Flush(uint64_t sent) {
    rd_kafka_flush(rk(), -1);
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return completions_.load(std::memory_order_acquire) >= sent;
    };
    mu_.Await(absl::Condition(&done));
    if (first_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return RdError(first_error_, "delivery");
    }
    return absl::OkStatus();
  }

 private:
  explicit RawProducer(Handle rk) : rk_(std::move(rk)) {
    poller_ = std::thread([this] { Run(); });
  }

  void Run() {
    rd_kafka_queue_t* queue = rd_kafka_queue_get_main(rk());
    while (!stop_.load(std::memory_order_acquire)) {
      rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 100);
      if (ev == nullptr) continue;
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
        uint64_t count = 0;
        rd_kafka_resp_err_t failed = RD_KAFKA_RESP_ERR_NO_ERROR;
        while (const rd_kafka_message_t* m = rd_kafka_event_message_next(ev)) {
          if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) failed = m->err;
          ++count;
        }
        absl::MutexLock lock(&mu_);
        if (failed != RD_KAFKA_RESP_ERR_NO_ERROR &&
            first_error_ == RD_KAFKA_RESP_ERR_NO_ERROR) {
          first_error_ = failed;
        }
        completions_.fetch_add(count, std::memory_order_release);
      }
      rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(queue);
  }

  Handle rk_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
  // Written under mu_ (so that waiters wake), read without it.
  std::atomic<uint64_t> completions_{0};
  absl::Mutex mu_;
  rd_kafka_resp_err_t first_error_ ABSL_GUARDED_BY(mu_) =
      RD_KAFKA_RESP_ERR_NO_ERROR;
};

// A librdkafka consumer with the settings brook's Kafka backend derives
// from ConsumerOptions{group_id, auto_offset_reset=earliest,
// enable_auto_commit=false} (lib/kafka/kafka_config.cc, NewConsumerConf),
// assigned every partition of `topic` from the beginning.
absl::StatusOr<Handle> NewAssignedConsumer(const KafkaTopic& topic,
                                           const std::string& group) {
  ConsumerOptions o;
  o.group_id = group;
  o.client_id = "raw-rdkafka-consumer";
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.enable_auto_commit = false;
  absl::StatusOr<KafkaConf> conf =
      NewConsumerConf({{"bootstrap.servers", topic.bootstrap()}}, o);
  if (!conf.ok()) return conf.status();
  absl::StatusOr<Handle> rk = NewHandle(RD_KAFKA_CONSUMER, *std::move(conf));
  if (!rk.ok()) return rk.status();
  rd_kafka_poll_set_consumer(rk->get());
  PartitionList list(rd_kafka_topic_partition_list_new(topic.partitions()),
                     rd_kafka_topic_partition_list_destroy);
  for (int p = 0; p < topic.partitions(); ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.name().c_str(), p)
        ->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk->get(), list.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return RdError(err, "rd_kafka_assign");
  }
  return rk;
}

PartitionList OffsetList(const std::string& topic,
                         const std::vector<int64_t>& offsets) {
  PartitionList list(rd_kafka_topic_partition_list_new(offsets.size()),
                     rd_kafka_topic_partition_list_destroy);
  for (size_t p = 0; p < offsets.size(); ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(),
                                      static_cast<int32_t>(p))
        ->offset = offsets[p];
  }
  return list;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunRawProduce(const RunEnv& env,
                                                  Acks acks) {
  const Dataset& data = *env.data;
  const int64_t n = data.records();
  const bool all = acks == Acks::kAll;
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic = KafkaTopic::Create(
      env, absl::StrCat("raw-produce-acks", all ? "all" : "1"));
  if (!topic.ok()) return topic.status();
  const std::string& name = (*topic)->name();
  ProducerOptions options;  // brook's defaults except acks, as brook's run.
  options.acks = acks;
  absl::StatusOr<std::unique_ptr<RawProducer>> producer =
      RawProducer::Create(*env.config, options);
  if (!producer.ok()) return producer.status();
  if (absl::Status s = (*producer)->WarmUp(name); !s.ok()) return s;

  absl::Status sent = absl::OkStatus();
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  for (int64_t i = 0; i < n && sent.ok(); ++i) {
    sent = (*producer)->Send(name, data.key(i), data.value(i));
  }
  const absl::Status flushed = (*producer)->Flush(n);
  const double seconds = SecondsSince(start);
  const double cpu = CpuSeconds() - cpu_start;
  if (!sent.ok()) return sent;
  if (!flushed.ok()) return flushed;
  producer->reset();
  if (absl::Status s = (*topic)->CheckStored(n); !s.ok()) return s;

  return RateAndCpuPerRecord(
      absl::StrFormat("raw_rdkafka_produce_acks%s", all ? "all" : "1"),
      absl::StrFormat("raw librdkafka: produce acks=%s, 1 thread", all ? "all" : "1"),
      n, seconds, cpu, data.record_bytes());
}

absl::StatusOr<std::vector<Metric>> RunRawConsume(const RunEnv& env) {
  const int64_t n = env.data->records();
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic =
      KafkaTopic::Create(env, "raw-consume");
  if (!topic.ok()) return topic.status();
  if (absl::Status s = (*topic)->Fill(*env.data); !s.ok()) return s;
  const int partitions = (*topic)->partitions();
  const std::string& name = (*topic)->name();
  // brook's default max.poll.records: one batch per commit, as brook's run.
  const size_t max_poll_records =
      static_cast<size_t>(ConsumerOptions().max_poll_records);

  absl::StatusOr<Handle> rk = NewAssignedConsumer(**topic, (*topic)->group());
  if (!rk.ok()) return rk.status();
  std::vector<int64_t> next(partitions, 0);
  std::vector<rd_kafka_message_t*> batch;
  batch.reserve(max_poll_records);
  int64_t count = 0;
  uint64_t touched = 0;
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  Clock::time_point last_data = start;
  while (count < n) {
    // Wait up to 1 s for the first message, then take what is there.
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 1000);
    while (m != nullptr) {
      batch.push_back(m);
      if (batch.size() >= max_poll_records) break;
      m = rd_kafka_consumer_poll(rk->get(), 0);
    }
    if (batch.empty()) {
      if (SecondsSince(last_data) > kStallSeconds) {
        return absl::DeadlineExceededError(absl::StrCat(
            "consumer stalled: nothing for ", kStallSeconds, "s after ", count,
            " of ", n, " records"));
      }
      continue;
    }
    last_data = Clock::now();
    absl::Status bad;
    for (rd_kafka_message_t* msg : batch) {
      if (bad.ok() && msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        bad = RdError(msg->err, "rd_kafka_consumer_poll");
      } else if (bad.ok() &&
                 (msg->partition < 0 || msg->partition >= partitions ||
                  msg->offset != next[msg->partition])) {
        bad = absl::InternalError(absl::StrCat(
            "rd_kafka_consumer_poll returned partition ", msg->partition,
            " offset ", msg->offset));
      } else if (bad.ok()) {
        next[msg->partition] = msg->offset + 1;
        if (msg->len > 0) {
          touched += msg->len + static_cast<const unsigned char*>(
                                    msg->payload)[0];
        }
        ++count;
      }
      rd_kafka_message_destroy(msg);
    }
    batch.clear();
    if (!bad.ok()) return bad;
    PartitionList offsets = OffsetList(name, next);
    if (rd_kafka_resp_err_t err = rd_kafka_commit(rk->get(), offsets.get(), 0);
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return RdError(err, "rd_kafka_commit");
    }
  }
  const double seconds = SecondsSince(start);
  const double cpu = CpuSeconds() - cpu_start;
  g_sink.fetch_add(touched, std::memory_order_relaxed);

  // Untimed: the commits landed.
  PartitionList committed = OffsetList(name, std::vector<int64_t>(partitions));
  if (rd_kafka_resp_err_t err =
          rd_kafka_committed(rk->get(), committed.get(), 30000);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return RdError(err, "rd_kafka_committed");
  }
  for (int i = 0; i < committed->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = committed->elems[i];
    if (tp.offset != next[tp.partition]) {
      return absl::InternalError(absl::StrCat("committed offset of partition ",
                                              tp.partition, " is ", tp.offset,
                                              ", expected ",
                                              next[tp.partition]));
    }
  }
  rd_kafka_consumer_close(rk->get());

  return RateAndCpuPerRecord("raw_rdkafka_consume",
                             "raw librdkafka: consume, poll + sync commit", n,
                             seconds, cpu, env.data->record_bytes());
}

absl::StatusOr<std::vector<Metric>> RunRawEndToEnd(const RunEnv& env) {
  const Dataset& data = *env.data;
  const int64_t total = EndToEndTotal(*env.config);
  const int64_t warmup = EndToEndWarmup(total);
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic =
      KafkaTopic::Create(env, "raw-e2e");
  if (!topic.ok()) return topic.status();
  const std::string& name = (*topic)->name();
  const int partitions = (*topic)->partitions();

  ProducerOptions options;  // As brook's latency run: acks=1, linger.ms=0.
  options.acks = Acks::kLeader;
  options.linger = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<RawProducer>> producer =
      RawProducer::Create(*env.config, options);
  if (!producer.ok()) return producer.status();
  if (absl::Status s = (*producer)->WarmUp(name); !s.ok()) return s;
  // brook's consumer without a group uses a private group.id; so does this.
  absl::StatusOr<Handle> rk =
      NewAssignedConsumer(**topic, absl::StrCat(name, "-nogroup"));
  if (!rk.ok()) return rk.status();

  FirstError errors;
  std::atomic<bool> producer_failed{false};
  std::vector<double> latencies_us;
  latencies_us.reserve(total);
  int64_t received = 0;
  std::vector<bool> seen(total, false);
  std::vector<int64_t> next(partitions, 0);

  std::thread consumer_thread([&] {
    Clock::time_point last_data = Clock::now();
    while (received < total) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 100);
      const int64_t now_ns = SteadyNowNs();
      if (m == nullptr) {
        if (producer_failed.load()) return;
        if (SecondsSince(last_data) > kStallSeconds) {
          errors.Set(absl::DeadlineExceededError(absl::StrCat(
              "consumer stalled: nothing for ", kStallSeconds, "s after ",
              received, " of ", total, " records")));
          return;
        }
        continue;
      }
      last_data = Clock::now();
      absl::Status bad;
      int64_t sent_ns = 0;
      int64_t seq = -1;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        bad = RdError(m->err, "rd_kafka_consumer_poll");
      } else if (m->len < 16) {
        bad = absl::InternalError("a truncated value");
      } else {
        std::memcpy(&sent_ns, m->payload, 8);
        std::memcpy(&seq, static_cast<const char*>(m->payload) + 8, 8);
        if (seq < 0 || seq >= total || seen[seq] || m->partition < 0 ||
            m->partition >= partitions || m->offset != next[m->partition]) {
          bad = absl::InternalError(
              absl::StrCat("send #", seq, " came back as partition ",
                           m->partition, " offset ", m->offset));
        }
      }
      if (bad.ok()) {
        seen[seq] = true;
        next[m->partition] = m->offset + 1;
        if (seq >= warmup) latencies_us.push_back((now_ns - sent_ns) / 1e3);
        ++received;
      }
      rd_kafka_message_destroy(m);
      if (!bad.ok()) {
        errors.Set(bad);
        return;
      }
    }
  });

  absl::SleepFor(kConsumerStart);
  std::string value;
  const PacedSends sends =
      SendPaced(env.config->e2e_rate, total, [&](int64_t i, int64_t sent_ns) {
        const absl::string_view v = data.value(i);
        value.assign(v.data(), v.size());
        std::memcpy(value.data(), &sent_ns, 8);
        std::memcpy(value.data() + 8, &i, 8);
        absl::Status s = (*producer)->Send(
            name, data.key(i % data.records()), value);
        if (s.ok()) return true;
        errors.Set(s);
        producer_failed.store(true);
        return false;
      });
  consumer_thread.join();

  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = (*producer)->Flush(sends.sent); !s.ok()) return s;
  rd_kafka_consumer_close(rk->get());
  return LatencyMetrics("raw_rdkafka_e2e", "raw librdkafka: e2e",
                        std::move(latencies_us), sends);
}

}  // namespace bench
}  // namespace brook
