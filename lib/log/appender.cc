#include "log/appender.h"

#include <pthread.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "log/topic_registry.h"

namespace brook {
namespace {

// Most bytes of batches one round writes: bounds the WriteBatch copy and how
// long one round delays the next.
constexpr int64_t kMaxRoundBytes = 4 << 20;

// Longest a round waits to gather the next group of synchronous senders.
constexpr absl::Duration kMaxGroupCommitWait = absl::Microseconds(200);

// Records in `batches` that asked for an fsync (acks=all).
int64_t SyncRecords(const std::vector<ReadyBatch>& batches) {
  int64_t n = 0;
  for (const ReadyBatch& b : batches) {
    if (b.sync) n += b.count;
  }
  return n;
}

thread_local bool on_appender_thread = false;

}  // namespace

bool OnAppenderThread() { return on_appender_thread; }

Appender::Appender(Store* store, Clock* clock, DataNotifier* notifier,
                   SyncedEnds* synced_ends)
    : store_(store),
      clock_(clock),
      notifier_(notifier),
      synced_ends_(synced_ends) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "brook-appender");
    on_appender_thread = true;
    Run();
  });
}

Appender::~Appender() { Stop(); }

void Appender::Register(std::shared_ptr<BatchSource> source) {
  absl::MutexLock lock(&mu_);
  sources_.push_back(std::move(source));
}

void Appender::Unregister(const BatchSource* source) {
  absl::MutexLock lock(&mu_);
  sources_.erase(std::remove_if(sources_.begin(), sources_.end(),
                                [&](const std::shared_ptr<BatchSource>& s) {
                                  return s.get() == source;
                                }),
                 sources_.end());
  // From a callback the current round holds the source (its snapshot keeps
  // it alive) and would never end if we waited for it.
  if (OnAppenderThread()) return;
  auto not_busy = [this, source]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::find(busy_.begin(), busy_.end(), source) == busy_.end();
  };
  mu_.Await(absl::Condition(&not_busy));
}

void Appender::Wake() {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void Appender::Stop() {
  stopping_.store(true, std::memory_order_release);
  std::vector<std::shared_ptr<BatchSource>> sources;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // An inline write that began before stopping_ was set may still be
  // writing: the store must outlive it.
  { absl::MutexLock lock(&write_mu_); }
  {
    absl::MutexLock lock(&mu_);
    sources = sources_;
  }
  // Sources check stopping() under their lock, so this finds nothing unless
  // a source misbehaves; never leave a future unanswered regardless.
  for (const auto& source : sources) {
    source->AbortHeld(Error(ErrorCode::kClosed, "the engine is closed"));
  }
}

void Appender::SetBeforeWriteForTesting(std::function<void()> hook) {
  absl::MutexLock lock(&write_mu_);
  before_write_ = std::move(hook);
}

void Appender::RunExclusive(absl::FunctionRef<void()> fn) {
  absl::MutexLock lock(&write_mu_);
  fn();
}

void Appender::AwaitWake(absl::Time deadline, bool real_time) {
  auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return wake_ || stop_;
  };
  if (real_time) {
    mu_.AwaitWithDeadline(absl::Condition(&woken), deadline);
  } else {
    clock_->AwaitWithDeadline(&mu_, absl::Condition(&woken), deadline);
  }
  wake_ = false;
  // Reset before the caller drains: a Wake after this point sets wake_
  // again, so no queued batch is missed.
  wake_pending_.store(false, std::memory_order_release);
}

void Appender::Run() {
  absl::Time next_ready = absl::InfiniteFuture();
  std::vector<ReadyBatch> batches;
  std::vector<Drained> drained;
  std::vector<std::shared_ptr<BatchSource>> sources;
  // Group commit state (real time: a performance heuristic, never logic).
  int64_t released_sync_records = 0;  // Acknowledged by the last fsync.
  absl::Time released_at;
  absl::Duration last_fsync;
  for (;;) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      AwaitWake(next_ready, /*real_time=*/false);
      stopping = stop_;
      // Start each round at the next source, so the shared byte budget
      // cannot go to the first one every time.
      const size_t n = sources_.size();
      for (size_t i = 0; i < n; ++i) {
        sources.push_back(sources_[(next_source_ + i) % n]);
      }
      if (n > 0) next_source_ = (next_source_ + 1) % n;
      for (const auto& s : sources) busy_.push_back(s.get());
    }

    next_ready = absl::InfiniteFuture();
    batches.clear();
    drained.clear();
    int64_t round_bytes = 0;
    auto drain_all = [&] {
      const absl::Time now = clock_->Now();
      for (const auto& source : sources) {
        const size_t begin = batches.size();
        next_ready = std::min(
            next_ready, source->Drain(now, stopping,
                                      kMaxRoundBytes - round_bytes, &batches));
        for (size_t i = begin; i < batches.size(); ++i) {
          round_bytes += static_cast<int64_t>(batches[i].value.size());
        }
        if (batches.size() > begin) {
          drained.push_back(Drained{source, begin, batches.size()});
        }
      }
    };
    drain_all();
    // Group commit: the senders the last fsync released (synchronous acks=all
    // senders) usually send again at once. Wait a little for them, at most half
    // an fsync, so one fsync carries the whole group instead of
    // whoever was scheduled first.
    if (released_sync_records > 0 && !stopping) {
      const absl::Time give_up =
          released_at + std::min(last_fsync / 2, kMaxGroupCommitWait);
      while (SyncRecords(batches) < released_sync_records &&
             round_bytes < kMaxRoundBytes && absl::Now() < give_up) {
        // Sleep until a sender queues something (Wake), not in a spin that
        // would take the CPU those senders need.
        {
          absl::MutexLock lock(&mu_);
          AwaitWake(give_up, /*real_time=*/true);
          // The wake-up may come from a source registered after this round
          // began: take it in, or its batch would wait for the next Wake.
          for (const auto& s : sources_) {
            if (std::find(sources.begin(), sources.end(), s) == sources.end()) {
              sources.push_back(s);
              busy_.push_back(s.get());
            }
          }
        }
        drain_all();
      }
    }
    bool synced = false;
    absl::Duration write_time;
    if (!batches.empty()) {
      const absl::Time start = absl::Now();
      absl::MutexLock lock(&write_mu_);
      synced = WriteRound(absl::MakeSpan(batches));
      write_time = absl::Now() - start;
    }
    // Callbacks run before futures complete and before Flush sees the
    // batches done, as in Kafka.
    for (ReadyBatch& b : batches) b.result->Finish();
    for (const Drained& d : drained) {
      d.source->Completed(
          absl::MakeConstSpan(batches).subspan(d.begin, d.end - d.begin));
    }
    {
      absl::MutexLock lock(&mu_);
      busy_.clear();
    }
    sources.clear();
    // After the acknowledgements: the checkpoint's file write and fsync
    // (once a second at most) delays only the next round.
    if (synced && synced_ends_ != nullptr) synced_ends_->SaveIfDue();
    released_sync_records = synced ? SyncRecords(batches) : 0;
    released_at = absl::Now();
    last_fsync = write_time;
    if (stopping && batches.empty()) return;
    if (stopping) next_ready = absl::InfinitePast();  // Drain again at once.
  }
}

Appender::InlineWrite Appender::TryBeginInline()
    ABSL_NO_THREAD_SAFETY_ANALYSIS {  // The lock passes to the InlineWrite.
  if (stopping() || !write_mu_.TryLock()) return InlineWrite();
  // Checked again under the lock: Stop() sets stopping_ before it waits for
  // write_mu_, so an inline write it does not see cannot begin after it.
  if (stopping()) {
    write_mu_.Unlock();
    return InlineWrite();
  }
  return InlineWrite(this);
}

Appender::InlineWrite& Appender::InlineWrite::operator=(
    InlineWrite&& other) noexcept {
  if (this != &other) {
    Release();
    appender_ = std::exchange(other.appender_, nullptr);
  }
  return *this;
}

Appender::InlineWrite::~InlineWrite() { Release(); }

void Appender::InlineWrite::Release() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (appender_ != nullptr) appender_->write_mu_.Unlock();
  appender_ = nullptr;
}

void Appender::InlineWrite::Write(ReadyBatch* batch) {
  appender_->write_mu_.AssertHeld();
  appender_->WriteRound(absl::MakeSpan(batch, 1));
  Release();
}

bool Appender::WriteRound(absl::Span<ReadyBatch> batches) {
  const absl::Time now = clock_->Now();
  const int64_t now_ms = absl::ToUnixMillis(now);
  // Reused across rounds: a fresh WriteBatch would regrow (copying) and
  // fault in new pages every round.
  StoreWriteBatch& write = write_batch_;
  write.Clear();
  bool sync = false;
  // Batches that made it into `write`, with their base offsets; reused
  // like the WriteBatch.
  std::vector<std::pair<ReadyBatch*, int64_t>>& written = written_;
  written.clear();
  for (ReadyBatch& b : batches) {
    if (b.topic->deleted()) {
      b.result->SetError(UnknownTopic(b.topic->name()));
      continue;
    }
    if (now > b.deadline) {
      b.result->SetError(
          Error(ErrorCode::kTimeout,
                absl::StrCat("expiring ", b.count, " record(s) for ",
                             b.topic->name(), "-", b.partition,
                             ": delivery.timeout.ms passed before the write")));
      continue;
    }
    PartitionState& state = b.topic->partition(b.partition);
    const int64_t base = state.next_offset;
    state.next_offset += b.count;
    if (b.topic->log_append_time()) SetLogAppendTime(&b.value, now_ms);
    write.PutRecordBatch(b.topic->cf(), b.partition, base, b.value);
    sync |= b.sync;
    written.emplace_back(&b, base);
  }
  if (written.empty()) return false;

  if (before_write_) before_write_();
  absl::Status status = store_->Write(&write, sync);
  if (!status.ok()) {
    // Nothing was written: give the offsets back, newest first.
    for (auto it = written.rbegin(); it != written.rend(); ++it) {
      it->first->topic->partition(it->first->partition).next_offset =
          it->second;
      it->first->result->SetError(status);
    }
    return false;
  }
  for (auto& [b, base] : written) {
    PartitionState& state = b->topic->partition(b->partition);
    if (state.stored_bytes.load(std::memory_order_relaxed) >= 0) {
      state.stored_bytes.fetch_add(static_cast<int64_t>(b->value.size()),
                                   std::memory_order_relaxed);
    }
    state.high_watermark.store(base + b->count, std::memory_order_release);
    if (sync) state.synced_end.store(base + b->count, std::memory_order_release);
  }
  notifier_->Notify();
  for (auto& [b, base] : written) {
    b->result->SetOffsets(base, b->topic->log_append_time() ? now_ms : -1,
                          b->offsets_known);
  }
  return sync;
}

}  // namespace brook
