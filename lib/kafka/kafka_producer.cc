#include "kafka/kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_errors.h"
#include "util/producer_checks.h"
#include "util/record_size.h"

namespace brook {
namespace {

// Set on a producer's poller thread, where send callbacks run.
thread_local bool on_poller_thread = false;

// One record's completion. Completed once, by the poller thread (or by
// Send when librdkafka refuses the record).
class KafkaSendState final : public internal::SendState {
 public:
  // `topic`: shared by every record of the topic (no copy per send).
  KafkaSendState(std::shared_ptr<const std::string> topic,
                 int64_t timestamp_ms, int32_t key_size, int32_t value_size,
                 SendCallback callback)
      : topic_(std::move(topic)),
        key_size_(key_size),
        value_size_(value_size),
        callback_(std::move(callback)),
        timestamp_ms_(timestamp_ms) {}

  bool done() const override { return done_.load(std::memory_order_acquire); }

  absl::Status Wait(absl::Duration timeout) const override {
    if (done()) return absl::OkStatus();
    if (on_poller_thread) {
      // Callbacks run on the poller thread, which completes this send.
      return Error(ErrorCode::kIllegalState,
                   "Get() on an unfinished send from a send callback would "
                   "deadlock");
    }
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&completed_), timeout)) {
      return Error(ErrorCode::kTimeout,
                   absl::StrCat("the send did not complete within ",
                                absl::FormatDuration(timeout)));
    }
    return absl::OkStatus();
  }

  // REQUIRES: done() (release/acquire through done_ publishes the fields).
  absl::StatusOr<RecordMetadata> Result(
      const internal::RecordSlot&) const override {
    if (!status_.ok()) return status_;
    return Metadata();
  }

  // Handed to librdkafka as the record's opaque: the state keeps itself
  // alive until Deliver (or a refused send) takes the reference back.
  KafkaSendState* Lend(std::shared_ptr<KafkaSendState> self) {
    self_ = std::move(self);
    return this;
  }
  std::shared_ptr<KafkaSendState> TakeBack() { return std::move(self_); }

  // Records a delivered record's place, wakes waiters, then runs the
  // callback (no lock held).
  void Delivered(int32_t partition, int64_t offset, int64_t timestamp_ms) {
    partition_ = partition;
    // acks=0 and some idempotent re-deliveries have no offset
    // (RD_KAFKA_OFFSET_INVALID): -1, as Kafka's Java client reports.
    offset_ = offset < 0 ? -1 : offset;
    if (timestamp_ms >= 0) timestamp_ms_ = timestamp_ms;
    Finish();
  }
  void Failed(absl::Status status) {
    status_ = std::move(status);
    Finish();
  }

 private:
  RecordMetadata Metadata() const {
    RecordMetadata md;
    md.topic = *topic_;
    md.partition = partition_;
    md.offset = offset_;
    md.timestamp = absl::FromUnixMillis(timestamp_ms_);
    md.serialized_key_size = key_size_;
    md.serialized_value_size = value_size_;
    return md;
  }

  void Finish() {
    done_.store(true, std::memory_order_release);
    {
      absl::MutexLock lock(&mu_);
      completed_ = true;
    }
    if (callback_) {
      if (status_.ok()) {
        callback_(Metadata());
      } else {
        callback_(status_);
      }
      callback_ = nullptr;  // Release what it captured.
    }
  }

  const std::shared_ptr<const std::string> topic_;
  const int32_t key_size_;
  const int32_t value_size_;
  SendCallback callback_;  // Run once, by whoever completes the state.
  std::shared_ptr<KafkaSendState> self_;  // While librdkafka holds it.

  // Written once by the completing thread before done_ is set (release),
  // read after it is seen set (acquire).
  int64_t timestamp_ms_;
  int32_t partition_ = -1;
  int64_t offset_ = -1;
  absl::Status status_;

  std::atomic<bool> done_{false};
  mutable absl::Mutex mu_;
  bool completed_ ABSL_GUARDED_BY(mu_) = false;
};

int32_t SizeOf(const Bytes& b) {
  return b ? static_cast<int32_t>(b->size()) : -1;
}

SendFuture Fail(absl::Status status, SendCallback& callback) {
  if (callback) callback(status);
  return SendFuture(absl::StatusOr<RecordMetadata>(std::move(status)));
}

}  // namespace

// What the poller thread shares with the producer; the poller holds it, so
// it outlives a producer destroyed from its own callback.
struct KafkaProducer::Shared {
  struct CachedTopic {
    int32_t partitions = 0;
    absl::Time fetched;
    std::shared_ptr<const std::string> name;  // Shared by its records.
  };

  KafkaHandle rk;
  std::atomic<bool> stop{false};

  absl::Mutex mu;
  // Records handed to librdkafka whose callbacks have not returned.
  int64_t pending ABSL_GUARDED_BY(mu) = 0;
  // Completed records, counted: a change wakes senders waiting for room.
  uint64_t completions ABSL_GUARDED_BY(mu) = 0;
  absl::flat_hash_map<std::string, CachedTopic> topics ABSL_GUARDED_BY(mu);

  void Run() ABSL_LOCKS_EXCLUDED(mu) {
    on_poller_thread = true;
    rd_kafka_queue_t* queue = rd_kafka_queue_get_main(rk.get());
    while (!stop.load(std::memory_order_acquire)) {
      rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 100);
      if (ev == nullptr) continue;
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) {
        while (const rd_kafka_message_t* m = rd_kafka_event_message_next(ev)) {
          Deliver(m);
        }
      }
      rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(queue);
  }

  void Deliver(const rd_kafka_message_t* m) ABSL_LOCKS_EXCLUDED(mu) {
    auto* lent = static_cast<KafkaSendState*>(m->_private);
    if (lent == nullptr) return;
    std::shared_ptr<KafkaSendState> state = lent->TakeBack();
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      state->Delivered(m->partition, m->offset,
                       rd_kafka_message_timestamp(m, nullptr));
    } else {
      const std::string topic = rd_kafka_topic_name(m->rkt);
      const std::string where =
          m->partition >= 0 ? absl::StrCat(topic, "-", m->partition) : topic;
      absl::Status status;
      switch (m->err) {
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
        case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
          status = Error(ErrorCode::kInterrupted,
                         absl::StrCat("the producer was closed before the "
                                      "record to ", where,
                                      " was acknowledged (one already sent "
                                      "may still be written)"));
          break;
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
          status = Error(ErrorCode::kTimeout,
                         absl::StrCat("the record to ", where,
                                      " was not acknowledged within "
                                      "delivery.timeout.ms"));
          break;
        default:
          status = KafkaStatus(m->err, absl::StrCat("send to ", where));
      }
      if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
        absl::MutexLock lock(&mu);
        topics.erase(topic);
      }
      state->Failed(std::move(status));
    }
    absl::MutexLock lock(&mu);
    --pending;
    ++completions;
  }
};

absl::StatusOr<std::unique_ptr<Producer>> KafkaProducer::Create(
    const Properties& client, const ProducerOptions& options) {
  absl::StatusOr<KafkaConf> conf = NewProducerConf(client, options);
  if (!conf.ok()) return conf.status();
  // Delivery reports as events on the main queue, which the poller serves:
  // rd_kafka_flush then runs no callback on the flushing thread.
  rd_kafka_conf_set_events(conf->get(), RD_KAFKA_EVENT_DR);
  absl::StatusOr<KafkaHandle> rk =
      NewKafkaHandle(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!rk.ok()) return rk.status();
  // Kafka's metadata.max.age.ms (default 5 minutes) bounds how long the
  // producer trusts a topic's partition count.
  absl::Duration max_age = absl::Minutes(5);
  Properties all = client;
  for (const auto& [k, v] : options.cluster) all[k] = v;
  if (auto it = all.find("metadata.max.age.ms"); it != all.end()) {
    int64_t ms;
    if (absl::SimpleAtoi(it->second, &ms) && ms >= 0) {
      max_age = absl::Milliseconds(ms);
    }
  }
  auto shared = std::make_shared<Shared>();
  shared->rk = *std::move(rk);
  return std::unique_ptr<Producer>(
      new KafkaProducer(std::move(shared), options, max_age));
}

KafkaProducer::KafkaProducer(std::shared_ptr<Shared> shared,
                             ProducerOptions options,
                             absl::Duration metadata_max_age)
    : shared_(std::move(shared)),
      options_(std::move(options)),
      metadata_max_age_(metadata_max_age) {
  poller_ = std::thread([shared = shared_] { shared->Run(); });
}

KafkaProducer::~KafkaProducer() {
  Close(absl::InfiniteDuration()).IgnoreError();  // Nobody to report to.
  shared_->stop.store(true, std::memory_order_release);
  if (on_poller_thread && poller_.get_id() == std::this_thread::get_id()) {
    // Destroyed from its own callback: the poller ends by itself and
    // releases the handle with its reference to `shared_`.
    poller_.detach();
  } else {
    poller_.join();
  }
}

absl::StatusOr<KafkaProducer::TopicInfo> KafkaProducer::PartitionCount(
    const std::string& topic, absl::Time now, absl::Time deadline) {
  {
    absl::MutexLock lock(&shared_->mu);
    auto it = shared_->topics.find(topic);
    if (it != shared_->topics.end() &&
        now - it->second.fetched < metadata_max_age_) {
      return TopicInfo{it->second.partitions, it->second.name};
    }
  }
  absl::StatusOr<std::vector<KafkaPartitionMetadata>> md;
  for (;;) {
    md = TopicMetadata(shared_->rk.get(), topic, deadline - absl::Now());
    // As Kafka's producer, keep asking while the cluster cannot answer
    // (no broker reachable yet, no leader yet), up to max.block.ms.
    if (md.ok() || !IsRetriable(md.status()) ||
        GetErrorCode(md.status()) == ErrorCode::kUnknownTopicOrPartition ||
        absl::Now() >= deadline) {
      break;
    }
    // A refused connection answers at once: back off as librdkafka's
    // reconnect.backoff.ms would, without passing the deadline.
    absl::SleepFor(std::min(absl::Milliseconds(100), deadline - absl::Now()));
  }
  if (!md.ok()) {
    if (IsRetriable(md.status()) &&
        GetErrorCode(md.status()) != ErrorCode::kUnknownTopicOrPartition) {
      // Kafka's KafkaProducer.waitOnMetadata.
      return Error(ErrorCode::kTimeout,
                   absl::StrCat("Topic ", topic,
                                " not present in metadata after ",
                                absl::ToInt64Milliseconds(options_.max_block),
                                " ms."));
    }
    return md.status();
  }
  const int32_t count = static_cast<int32_t>(md->size());
  auto name = std::make_shared<const std::string>(topic);
  absl::MutexLock lock(&shared_->mu);
  shared_->topics[topic] = {count, now, name};
  return TopicInfo{count, std::move(name)};
}

absl::StatusOr<int32_t> KafkaProducer::ChoosePartition(
    const ProducerRecord& record, int32_t num_partitions, size_t record_size) {
  int32_t partition = Partitioner::kUseSticky;
  if (options_.partitioner != nullptr) {
    // User code: no lock held.
    partition = options_.partitioner->Partition(
        record.topic, record.key, record.value, num_partitions);
    if (partition != Partitioner::kUseSticky &&
        (partition < 0 || partition >= num_partitions)) {
      return Error(ErrorCode::kIllegalState,
                   absl::StrCat("the partitioner chose partition ", partition,
                                " of topic ", record.topic, ", which has ",
                                num_partitions));
    }
  } else if (!options_.partitioner_ignore_keys) {
    return RD_KAFKA_PARTITION_UA;  // librdkafka's murmur2_random.
  }
  if (partition != Partitioner::kUseSticky) return partition;
  absl::MutexLock lock(&sticky_mu_);
  Sticky& s = sticky_[record.topic];
  if (s.partition < 0 || s.partition >= num_partitions ||
      s.bytes >= options_.batch_size) {
    int32_t next = absl::Uniform<int32_t>(bitgen_, 0, num_partitions);
    if (num_partitions > 1 && next == s.partition) {
      next = (next + 1) % num_partitions;
    }
    s.partition = next;
    s.bytes = 0;
  }
  s.bytes += static_cast<int64_t>(record_size);
  return s.partition;
}

SendFuture KafkaProducer::Send(ProducerRecord record, SendCallback callback) {
  if (closed_.load(std::memory_order_acquire)) {
    return Fail(Error(ErrorCode::kClosed, "the producer is closed"), callback);
  }
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + options_.max_block;
  const int64_t timestamp_ms =
      record.timestamp ? absl::ToUnixMillis(*record.timestamp)
                       : absl::ToUnixMillis(start);
  if (timestamp_ms < 0) {
    // Kafka's ProducerRecord: IllegalArgumentException.
    return Fail(Error(ErrorCode::kInvalidRequest,
                      absl::StrCat("Invalid timestamp: ", timestamp_ms,
                                   ". Timestamp should always be "
                                   "non-negative or null.")),
                callback);
  }
  // Kafka's producer checks an upper bound of the record in a batch of its
  // own against max.request.size and buffer.memory (as the embedded
  // producer); the broker checks the topic's max.message.bytes.
  if (absl::Status s = CheckRecordSize(record, options_); !s.ok()) {
    return Fail(std::move(s), callback);
  }
  absl::StatusOr<TopicInfo> info =
      PartitionCount(record.topic, start, deadline);
  if (!info.ok()) return Fail(info.status(), callback);
  const int32_t* count = &info->partitions;
  int32_t partition;
  if (record.partition.has_value()) {
    partition = *record.partition;
    if (partition < 0 || partition >= *count) {
      return Fail(Error(ErrorCode::kUnknownTopicOrPartition,
                        absl::StrCat("topic ", record.topic, " has ", *count,
                                     *count == 1 ? " partition" : " partitions",
                                     "; partition ", partition,
                                     " does not exist")),
                  callback);
    }
  } else {
    absl::StatusOr<int32_t> chosen = ChoosePartition(
        record, *count,
        EncodedRecordSize(timestamp_ms, timestamp_ms, 0, record.key,
                          record.value, record.headers));
    if (!chosen.ok()) return Fail(chosen.status(), callback);
    partition = *chosen;
  }

  auto state = std::make_shared<KafkaSendState>(
      info->name, timestamp_ms, SizeOf(record.key), SizeOf(record.value),
      std::move(callback));
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const Header& h : record.headers) {
      // A null value stays null (librdkafka writes length -1).
      rd_kafka_header_add(headers, h.key.data(),
                          static_cast<ssize_t>(h.key.size()),
                          h.value ? h.value->data() : nullptr,
                          h.value ? static_cast<ssize_t>(h.value->size()) : 0);
    }
  }
  KafkaSendState* lent = state->Lend(state);
  std::array<rd_kafka_vu_t, 8> vu;
  size_t n = 0;
  vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[n++].u.cstr = record.topic.c_str();
  vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[n++].u.i32 = partition;
  // A null key or value is a null pointer; an empty one a pointer with
  // size 0: librdkafka keeps the difference.
  vu[n].vtype = RD_KAFKA_VTYPE_KEY;
  vu[n].u.mem.ptr = record.key ? const_cast<char*>(record.key->data()) : nullptr;
  vu[n++].u.mem.size = record.key ? record.key->size() : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr =
      record.value ? const_cast<char*>(record.value->data()) : nullptr;
  vu[n++].u.mem.size = record.value ? record.value->size() : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vu[n++].u.i64 = timestamp_ms;
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = lent;
  if (headers != nullptr) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = headers;
  }
  rd_kafka_resp_err_t err;
  std::string detail;
  bool counted = false;
  for (;;) {
    uint64_t seen;
    {
      absl::MutexLock lock(&shared_->mu);
      if (!counted) ++shared_->pending;
      counted = true;
      seen = shared_->completions;
    }
    rd_kafka_error_t* error = rd_kafka_produceva(shared_->rk.get(), vu.data(), n);
    err = error == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR
                           : rd_kafka_error_code(error);
    if (error != nullptr) {
      detail = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    // Kafka's max.block.ms: wait for room (a delivered record) until the
    // deadline. librdkafka's own blocking flag has no time bound.
    absl::MutexLock lock(&shared_->mu);
    auto room = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
      return shared_->completions != seen;
    };
    if (!shared_->mu.AwaitWithDeadline(absl::Condition(&room), deadline) &&
        absl::Now() >= deadline) {
      break;
    }
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    return SendFuture(std::move(state),
                      internal::RecordSlot{0, timestamp_ms, SizeOf(record.key),
                                           SizeOf(record.value)});
  }
  state->TakeBack();  // librdkafka did not take the record.
  if (headers != nullptr) rd_kafka_headers_destroy(headers);
  {
    absl::MutexLock lock(&shared_->mu);
    --shared_->pending;
  }
  absl::Status status;
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
    status = Error(ErrorCode::kTimeout,
                   absl::StrCat("Failed to allocate memory within the "
                                "configured max blocking time ",
                                absl::ToInt64Milliseconds(options_.max_block),
                                " ms."));
  } else {
    status = KafkaStatus(err, absl::StrCat("send to ", record.topic),
                         detail.c_str());
  }
  state->Failed(status);  // Runs the callback on this thread.
  return SendFuture(absl::StatusOr<RecordMetadata>(std::move(status)));
}

bool KafkaProducer::AwaitNothingPending(absl::Time deadline) {
  absl::MutexLock lock(&shared_->mu);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared_->mu) {
    return shared_->pending == 0;
  };
  return shared_->mu.AwaitWithDeadline(absl::Condition(&idle), deadline);
}

absl::Status KafkaProducer::Flush() {
  if (closed_.load(std::memory_order_acquire)) {
    return Error(ErrorCode::kClosed, "the producer is closed");
  }
  if (on_poller_thread) {
    // The records to wait for are completed by this very thread.
    return Error(ErrorCode::kIllegalState,
                 "Flush cannot be called from a send callback");
  }
  // Sends what lingers at once; returns when librdkafka has delivered
  // everything (delivery.timeout.ms bounds it). Then the callbacks still
  // running on the poller thread.
  rd_kafka_flush(shared_->rk.get(), -1);
  AwaitNothingPending(absl::InfiniteFuture());
  return absl::OkStatus();
}

absl::StatusOr<int32_t> KafkaProducer::PartitionsFor(absl::string_view topic) {
  if (closed_.load(std::memory_order_acquire)) {
    return Error(ErrorCode::kClosed, "the producer is closed");
  }
  const absl::Time now = absl::Now();
  absl::StatusOr<std::vector<KafkaPartitionMetadata>> md =
      TopicMetadata(shared_->rk.get(), topic, options_.max_block);
  if (!md.ok()) return md.status();
  const int32_t count = static_cast<int32_t>(md->size());
  auto name = std::make_shared<const std::string>(topic);
  absl::MutexLock lock(&shared_->mu);
  shared_->topics[std::string(topic)] = {count, now, std::move(name)};
  return count;
}

absl::Status KafkaProducer::Close(absl::Duration timeout) {
  const bool from_callback = on_poller_thread;
  if (from_callback) timeout = absl::ZeroDuration();
  absl::MutexLock lock(&close_mu_);
  if (close_done_) return absl::OkStatus();
  close_done_ = true;
  closed_.store(true, std::memory_order_release);
  const absl::Time deadline = absl::Now() + timeout;
  if (!from_callback) {
    rd_kafka_flush(shared_->rk.get(),
                   timeout == absl::InfiniteDuration() ? -1
                                                       : TimeoutMs(timeout));
    if (AwaitNothingPending(deadline)) return absl::OkStatus();
  }
  // What is left fails with Interrupted. librdkafka cannot recall a request
  // already on the wire: such a record may still be written.
  rd_kafka_purge(shared_->rk.get(),
                 RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  if (from_callback) {
    // The poller reports the purged records after this callback returns.
    absl::MutexLock plock(&shared_->mu);
    if (shared_->pending <= 1) return absl::OkStatus();  // Just this one.
  } else {
    // librdkafka reports every purged record; wait for their callbacks.
    AwaitNothingPending(absl::InfiniteFuture());
  }
  return Error(ErrorCode::kTimeout,
               absl::StrCat("Close: pending records were not written within ",
                            absl::FormatDuration(timeout)));
}

}  // namespace brook
