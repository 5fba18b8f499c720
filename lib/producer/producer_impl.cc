#include "producer/producer_impl.h"

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "log/topic_registry.h"
#include "util/producer_checks.h"
#include "util/record_size.h"

namespace brook {
namespace {

uint64_t NextProducerId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Producer>> ProducerImpl::Create(
    EngineParts engine, const ProducerOptions& options) {
  if (engine.closed->closed()) return ClosedFlag::Error();
  ProducerOptions completed = options;
  absl::Status s = CompleteProducerOptions(completed);
  if (!s.ok()) return s;
  auto producer = std::unique_ptr<ProducerImpl>(
      new ProducerImpl(std::move(engine), completed));
  producer->engine_.appender->Register(producer->accumulator_);
  return std::unique_ptr<Producer>(std::move(producer));
}

ProducerImpl::ProducerImpl(EngineParts engine, const ProducerOptions& options)
    : engine_(std::move(engine)),
      options_(options),
      partitioner_(options.partitioner),
      accumulator_(std::make_shared<Accumulator>(
          Accumulator::Config{options.batch_size, options.linger,
                              options.buffer_memory, options.max_block,
                              options.delivery_timeout, options.acks},
          engine_.clock, engine_.appender)),
      id_(NextProducerId()) {}

ProducerImpl::~ProducerImpl() {
  Close(absl::InfiniteDuration()).IgnoreError();  // Nobody to report to.
}

SendFuture ProducerImpl::Fail(absl::Status status, SendCallback& callback) {
  if (callback) callback(status);
  return SendFuture(absl::StatusOr<RecordMetadata>(std::move(status)));
}

absl::StatusOr<const std::shared_ptr<Topic>*> ProducerImpl::ResolveTopic(
    absl::string_view name) {
  // A thread's last topic. It may keep a deleted topic's memory until the
  // thread sends again or exits; the topic's storage is released by the
  // engine regardless (ColumnFamily handles die with the store).
  struct Cached {
    uint64_t producer_id = 0;
    std::shared_ptr<Topic> topic;
  };
  thread_local Cached cached;
  if (cached.producer_id == id_ && cached.topic != nullptr &&
      cached.topic->name() == name && !cached.topic->deleted()) {
    return &cached.topic;
  }
  std::shared_ptr<Topic> found;
  {
    absl::ReaderMutexLock lock(&topics_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end() && !it->second->deleted()) found = it->second;
  }
  if (found == nullptr) {
    absl::StatusOr<std::shared_ptr<Topic>> topic = engine_.catalog->Get(name);
    if (!topic.ok()) return topic.status();
    found = *std::move(topic);
    absl::MutexLock lock(&topics_mu_);
    topics_[name] = found;
  }
  cached.producer_id = id_;
  cached.topic = std::move(found);
  return &cached.topic;
}

SendFuture ProducerImpl::Send(ProducerRecord record, SendCallback callback) {
  if (closed_.load(std::memory_order_acquire)) {
    return Fail(Error(ErrorCode::kClosed, "the producer is closed"), callback);
  }
  if (engine_.closed->closed()) return Fail(ClosedFlag::Error(), callback);
  absl::StatusOr<const std::shared_ptr<Topic>*> topic =
      ResolveTopic(record.topic);
  if (!topic.ok()) return Fail(topic.status(), callback);
  const Topic& t = ***topic;
  std::shared_ptr<Topic> held;  // Set when user code runs before Append.

  int32_t partition;
  if (record.partition.has_value()) {
    partition = *record.partition;
    if (partition < 0 || partition >= t.num_partitions()) {
      return Fail(UnknownPartition(t, partition), callback);
    }
  } else if (partitioner_ != nullptr) {
    // User code may send or look up other topics on this thread, which
    // reuses the thread-local slot `topic` points to: hold our own reference.
    held = **topic;
    partition = partitioner_->Partition(t.name(), record.key, record.value,
                                        t.num_partitions());
    if (partition != Partitioner::kUseSticky &&
        (partition < 0 || partition >= t.num_partitions())) {
      return Fail(Error(ErrorCode::kIllegalState,
                        absl::StrCat("the partitioner chose partition ",
                                     partition, " of topic ", t.name(),
                                     ", which has ", t.num_partitions())),
                  callback);
    }
  } else if (record.key && !options_.partitioner_ignore_keys) {
    partition = PartitionForKey(*record.key, t.num_partitions());
  } else {
    partition = Partitioner::kUseSticky;
  }

  const int64_t now_ms = absl::ToUnixMillis(engine_.clock->Now());
  const int64_t timestamp_ms =
      record.timestamp ? absl::ToUnixMillis(*record.timestamp) : now_ms;
  if (timestamp_ms < 0) {
    // Kafka's ProducerRecord: IllegalArgumentException.
    return Fail(Error(ErrorCode::kInvalidRequest,
                      absl::StrCat("Invalid timestamp: ", timestamp_ms,
                                   ". Timestamp should always be "
                                   "non-negative or null.")),
                callback);
  }
  // What Kafka's broker checks at append, checked here where the future
  // can still fail before anything is queued.
  if (t.compacted() && !record.key) {
    return Fail(Error(ErrorCode::kInvalidRecord,
                      absl::StrCat("compacted topic ", t.name(),
                                   " cannot accept a record without a key")),
                callback);
  }
  // In 128 bits: a timestamp may be anywhere in int64's range.
  const __int128 skew = static_cast<__int128>(timestamp_ms) - now_ms;
  if (!t.log_append_time() && (-skew > t.timestamp_before_max_ms() ||
                               skew > t.timestamp_after_max_ms())) {
    return Fail(
        Error(ErrorCode::kInvalidTimestamp,
              absl::StrCat("timestamp ", timestamp_ms, " of the record is out "
                           "of range for topic ", t.name(), ": it must lie "
                           "within message.timestamp.before.max.ms (",
                           t.timestamp_before_max_ms(), ") before and "
                           "message.timestamp.after.max.ms (",
                           t.timestamp_after_max_ms(), ") after now (",
                           now_ms, ")")),
        callback);
  }
  const size_t size = EncodedRecordSize(
      timestamp_ms, timestamp_ms, 0, record.key, record.value, record.headers);
  // Kafka's producer checks an upper bound of the record in a batch of its
  // own against max.request.size and buffer.memory; its broker checks the
  // batch against max.message.bytes.
  if (absl::Status s = CheckRecordSize(record, options_); !s.ok()) {
    return Fail(std::move(s), callback);
  }
  if (kKafkaBatchHeaderSize + size >
      static_cast<size_t>(t.max_message_bytes())) {
    return Fail(RecordTooLarge(
                    kKafkaBatchHeaderSize + size,
                    absl::StrCat("topic ", t.name(), "'s max.message.bytes"),
                    t.max_message_bytes()),
                callback);
  }
  absl::StatusOr<SendFuture> future =
      accumulator_->Append(held != nullptr ? held : **topic, partition,
                           timestamp_ms, record, size, &callback);
  if (!future.ok()) return Fail(future.status(), callback);
  return *std::move(future);
}

absl::Status ProducerImpl::Flush() {
  if (closed_.load(std::memory_order_acquire)) {
    return Error(ErrorCode::kClosed, "the producer is closed");
  }
  if (engine_.closed->closed()) {
    accumulator_->AbortHeld(ClosedFlag::Error());
    return ClosedFlag::Error();
  }
  if (OnAppenderThread()) {
    // The records to wait for are completed by this very thread.
    return Error(ErrorCode::kIllegalState,
                 "Flush cannot be called from a send callback");
  }
  accumulator_->Flush(absl::InfiniteFuture());
  return absl::OkStatus();
}

absl::StatusOr<int32_t> ProducerImpl::PartitionsFor(absl::string_view topic) {
  absl::StatusOr<const std::shared_ptr<Topic>*> t = ResolveTopic(topic);
  if (!t.ok()) return t.status();
  return (**t)->num_partitions();
}

absl::Status ProducerImpl::Close(absl::Duration timeout) {
  // From a send callback, waiting would wait for this very thread: close
  // at once, failing what is still held, as Kafka's close() does there.
  if (OnAppenderThread()) timeout = absl::ZeroDuration();
  absl::MutexLock lock(&close_mu_);
  if (close_done_) return absl::OkStatus();
  close_done_ = true;
  closed_.store(true, std::memory_order_release);
  accumulator_->Close();
  absl::Status status;
  if (engine_.closed->closed()) {
    // The appender is gone: nothing held can still be written.
    accumulator_->AbortHeld(ClosedFlag::Error());
  } else if (!accumulator_->Flush(engine_.clock->Now() + timeout)) {
    accumulator_->AbortHeld(
        Error(ErrorCode::kInterrupted,
              "the producer was closed before the record could be written"));
    status = Error(ErrorCode::kTimeout,
                   absl::StrCat("Close: pending records were not written "
                                "within ",
                                absl::FormatDuration(timeout)));
  }
  engine_.appender->Unregister(accumulator_.get());
  return status;
}

}  // namespace brook
