#include "producer/accumulator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "brook/partitioner.h"

namespace brook {

Accumulator::Accumulator(const Config& config, Clock* clock, Appender* appender)
    : config_(config),
      clock_(clock),
      manual_clock_(dynamic_cast<ManualClock*>(clock)),
      appender_(appender) {}

int32_t Accumulator::NextSticky(const Topic& topic, int32_t avoid) {
  const int32_t n = topic.num_partitions();
  int32_t p = absl::Uniform<int32_t>(rng_, 0, n);
  if (n > 1 && p == avoid) {
    p = (p + 1 + absl::Uniform<int32_t>(rng_, 0, n - 1)) % n;
  }
  sticky_[&topic] = Sticky{p, 0};
  return p;
}

Accumulator::OpenBatch Accumulator::NewBatch(
    const std::shared_ptr<Topic>& topic, int32_t partition, size_t capacity) {
  OpenBatch batch(capacity);
  batch.topic = topic;
  batch.partition = partition;
  batch.result =
      std::make_shared<internal::BatchResult>(topic->name(), partition);
  batch.result->set_manual_clock(manual_clock_);
  batch.created = clock_->Now();
  batch.seq = next_seq_++;
  return batch;
}

bool Accumulator::WritesInline(const SendCallback* callback) const {
  return config_.acks == Acks::kLeader &&
         config_.linger <= absl::ZeroDuration() && incomplete_.empty() &&
         (callback == nullptr || !*callback) && !OnAppenderThread();
}

ReadyBatch Accumulator::Seal(OpenBatch&& batch) const {
  ReadyBatch r;
  r.topic = std::move(batch.topic);
  r.partition = batch.partition;
  r.count = batch.builder.count();
  r.value = batch.builder.Finish();
  r.memory = batch.memory;
  r.sync = config_.acks == Acks::kAll;
  r.offsets_known = config_.acks != Acks::kNone;
  r.deadline = batch.created + config_.delivery_timeout;
  r.seq = batch.seq;
  r.result = std::move(batch.result);
  r.result->MarkSealed();
  return r;
}

std::shared_ptr<internal::BatchResult> Accumulator::WriteOrQueue(
    const std::shared_ptr<Topic>& topic, int32_t partition,
    int64_t timestamp_ms, const ProducerRecord& record, size_t size,
    InlineBatch* inline_batch, bool* wake) {
  OpenBatch batch = NewBatch(topic, partition, size + kBatchHeaderSize);
  batch.builder.Add(timestamp_ms, record.key, record.value, record.headers);
  ReadyBatch ready = Seal(std::move(batch));
  ready.memory = static_cast<int64_t>(size);
  std::shared_ptr<internal::BatchResult> result = ready.result;
  // In flight either way: a concurrent Send queues (WritesInline is false)
  // and Flush waits for it, until Completed().
  used_memory_ += ready.memory;
  incomplete_.insert(ready.seq);
  inline_batch->write = appender_->TryBeginInline();
  if (inline_batch->write) {
    // Nothing of this producer was in flight and the write lock is ours, so
    // whatever is sent from now on is written after this batch.
    inline_batch->batch = std::move(ready);
    return result;
  }
  // The appender is writing: queue the one-record batch for it.
  ready_.push_back(std::move(ready));
  *wake = true;
  return result;
}

std::shared_ptr<internal::BatchResult> Accumulator::AddToOpenBatch(
    const std::shared_ptr<Topic>& topic, int32_t partition,
    int64_t timestamp_ms, const ProducerRecord& record, size_t size,
    int32_t* index, bool* wake) {
  auto it = open_.find(Key(topic.get(), partition));
  if (it != open_.end() && it->second.builder.count() > 0 &&
      it->second.builder.size_bytes() + size >
          static_cast<size_t>(config_.batch_size)) {
    // Full: hand it over to the appender.
    ready_.push_back(Seal(std::move(it->second)));
    open_.erase(it);
    it = open_.end();
    *wake = true;
  }
  if (it == open_.end()) {
    // Reserve the whole batch up front (or the one record, when larger): a
    // growing buffer would copy each batch about twice.
    OpenBatch batch =
        NewBatch(topic, partition,
                 std::max(size + kBatchHeaderSize,
                          static_cast<size_t>(config_.batch_size)));
    incomplete_.insert(batch.seq);
    it = open_.emplace(Key(topic.get(), partition), std::move(batch)).first;
    *wake = true;
  }
  OpenBatch& batch = it->second;
  *index = batch.builder.count();
  batch.builder.Add(timestamp_ms, record.key, record.value, record.headers);
  batch.memory += static_cast<int64_t>(size);
  used_memory_ += static_cast<int64_t>(size);
  return batch.result;
}

absl::StatusOr<SendFuture> Accumulator::Append(
    const std::shared_ptr<Topic>& topic, int32_t partition,
    int64_t timestamp_ms, const ProducerRecord& record, size_t size,
    SendCallback* callback) {
  const int64_t charge = static_cast<int64_t>(size);
  bool wake = false;
  absl::StatusOr<SendFuture> future;
  InlineBatch inline_batch;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return Error(ErrorCode::kClosed, "the producer is closed");
    // Checked under mu_: the appender's final rounds drain under it too, so
    // every record accepted here is written before the engine closes.
    if (appender_->stopping()) {
      return Error(ErrorCode::kClosed, "the engine is closed");
    }
    if (used_memory_ + charge > config_.buffer_memory && OnAppenderThread()) {
      // Memory is freed by the appender, which is running this callback.
      return Error(ErrorCode::kTimeout,
                   "buffer.memory is full and a send callback cannot wait "
                   "for it (the appender frees it after the callback)");
    }
    if (used_memory_ + charge > config_.buffer_memory) {
      const absl::Time deadline = clock_->Now() + config_.max_block;
      auto has_room = [this, charge]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closed_ || used_memory_ + charge <= config_.buffer_memory;
      };
      if (!clock_->AwaitWithDeadline(&mu_, absl::Condition(&has_room),
                                     deadline)) {
        return Error(ErrorCode::kTimeout,
                     absl::StrCat("failed to allocate ", charge,
                                  " bytes within max.block.ms (",
                                  absl::FormatDuration(config_.max_block),
                                  "); buffer.memory is ", config_.buffer_memory,
                                  " bytes"));
      }
      if (closed_) return Error(ErrorCode::kClosed, "the producer is closed");
    }

    if (partition == Partitioner::kUseSticky) {
      auto s = sticky_.find(topic.get());
      if (s == sticky_.end() ||
          s->second.partition >= topic->num_partitions()) {
        partition = NextSticky(*topic, -1);
        s = sticky_.find(topic.get());
      } else {
        partition = s->second.partition;
      }
      s->second.bytes += charge;
      if (s->second.bytes >= config_.batch_size) NextSticky(*topic, partition);
    }
    std::shared_ptr<internal::BatchResult> result;
    int32_t index = 0;
    if (WritesInline(callback)) {
      result = WriteOrQueue(topic, partition, timestamp_ms, record, size,
                            &inline_batch, &wake);
    } else {
      result = AddToOpenBatch(topic, partition, timestamp_ms, record, size,
                              &index, &wake);
    }

    internal::RecordSlot info{
        index, timestamp_ms,
        record.key ? static_cast<int32_t>(record.key->size()) : -1,
        record.value ? static_cast<int32_t>(record.value->size()) : -1};
    if (config_.acks == Acks::kNone) {
      // acks=0: complete now, with no offset, as Kafka does.
      RecordMetadata m;
      m.topic = topic->name();
      m.partition = partition;
      m.offset = -1;
      m.timestamp = absl::FromUnixMillis(timestamp_ms);
      m.serialized_key_size = info.key_size;
      m.serialized_value_size = info.value_size;
      future = SendFuture(absl::StatusOr<RecordMetadata>(std::move(m)));
    } else {
      if (callback != nullptr && *callback) {
        result->AddCallback(info, std::move(*callback));
      }
      future = SendFuture(std::move(result), info);
    }
  }
  if (inline_batch.write) {
    // Outside mu_: a Send on another thread queues meanwhile instead of
    // waiting for the storage write (it may stall) without max.block.ms.
    inline_batch.write.Write(&inline_batch.batch);
    // As the appender does; an inline write has no callbacks to run
    // (WritesInline).
    inline_batch.batch.result->Finish();
    Completed(absl::MakeConstSpan(&inline_batch.batch, 1));
  }
  if (wake) appender_->Wake();
  if (config_.acks == Acks::kNone && callback != nullptr && *callback) {
    (*callback)(future->Get());
  }
  return future;
}

absl::Time Accumulator::Drain(absl::Time now, bool force, int64_t max_bytes,
                              std::vector<ReadyBatch>* out) {
  absl::MutexLock lock(&mu_);
  int64_t bytes = 0;
  bool left_behind = false;
  // Full batches first, in order, within the round's budget; past it only
  // expired ones go (they are failed, not written, so they cost nothing).
  for (auto it = ready_.begin(); it != ready_.end();) {
    if (bytes < max_bytes || now > it->deadline) {
      if (now <= it->deadline) bytes += static_cast<int64_t>(it->value.size());
      out->push_back(std::move(*it));
      it = ready_.erase(it);
    } else {
      left_behind = true;
      ++it;
    }
  }
  const bool all = force || closed_ || flushing_ > 0 ||
                   config_.linger <= absl::ZeroDuration();
  absl::Time next = left_behind ? absl::InfinitePast() : absl::InfiniteFuture();
  for (auto it = open_.begin(); it != open_.end();) {
    const absl::Time ready_at = it->second.created + config_.linger;
    const bool expired = now > it->second.created + config_.delivery_timeout;
    if (!(all || now >= ready_at)) {
      next = std::min(next, ready_at);
      ++it;
    } else if (bytes >= max_bytes && !expired) {
      next = absl::InfinitePast();  // Ready, but for the next round.
      ++it;
    } else {
      if (!expired)
        bytes += static_cast<int64_t>(it->second.builder.size_bytes());
      out->push_back(Seal(std::move(it->second)));
      open_.erase(it++);
    }
  }
  return next;
}

void Accumulator::Completed(absl::Span<const ReadyBatch> batches) {
  absl::MutexLock lock(&mu_);
  for (const ReadyBatch& b : batches) {
    used_memory_ -= b.memory;
    incomplete_.erase(b.seq);
  }
}

bool Accumulator::Flush(absl::Time deadline) {
  if (OnAppenderThread()) deadline = absl::InfinitePast();
  uint64_t target;
  {
    absl::MutexLock lock(&mu_);
    ++flushing_;
    target = next_seq_ - 1;
  }
  appender_->Wake();
  absl::MutexLock lock(&mu_);
  auto done = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return incomplete_.empty() || *incomplete_.begin() > target;
  };
  const bool ok =
      clock_->AwaitWithDeadline(&mu_, absl::Condition(&done), deadline);
  --flushing_;
  return ok;
}

void Accumulator::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  appender_->Wake();
}

void Accumulator::AbortHeld(const absl::Status& status) {
  std::vector<ReadyBatch> held;
  {
    absl::MutexLock lock(&mu_);
    for (ReadyBatch& b : ready_) held.push_back(std::move(b));
    ready_.clear();
    for (auto& [key, batch] : open_) held.push_back(Seal(std::move(batch)));
    open_.clear();
    for (const ReadyBatch& b : held) {
      used_memory_ -= b.memory;
      incomplete_.erase(b.seq);
    }
  }
  for (ReadyBatch& b : held) {
    b.result->SetError(status);
    b.result->Finish();
  }
}

}  // namespace brook
