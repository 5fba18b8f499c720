#include "log/log_cleaner.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "log/batch_walk.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// What retention needs of a stored batch.
struct BatchInfo {
  int64_t base = 0;
  int64_t end = 0;  // One past its last offset.
  int64_t bytes = 0;
  int64_t max_timestamp = 0;
};

// Walks partition `p`'s batches from its log start up to `end`, calling
// fn(info) for each until it returns false.
template <typename Fn>
absl::Status WalkBatches(Store* store, const Topic& topic, int32_t p,
                         int64_t start, int64_t end, Fn fn) {
  return WalkStoredBatches(
      store, topic, p, start, end,
      [&](const StoredBatch& b, int64_t batch_end) {
        BatchInfo info;
        info.base = b.base_offset;
        info.end = batch_end;
        info.bytes = static_cast<int64_t>(b.value->size());
        info.max_timestamp = BatchMaxTimestamp(*b.value);
        return fn(info);
      });
}

bool DeletesByRetention(const TopicConfig& config) {
  return absl::StrContains(config.cleanup_policy, "delete") &&
         (config.retention_ms >= 0 || config.retention_bytes >= 0);
}

bool Compacts(const TopicConfig& config) {
  return absl::StrContains(config.cleanup_policy, "compact");
}

// Adds what `more` removed from the same partition to `into`.
void Merge(std::optional<CleanedPartition>* into,
           std::optional<CleanedPartition> more) {
  if (!more) return;
  if (!*into) {
    *into = std::move(more);
    return;
  }
  (*into)->records_removed += more->records_removed;
  (*into)->bytes_removed += more->bytes_removed;
  (*into)->log_start_offset = more->log_start_offset;
}

}  // namespace

LogCleaner::LogCleaner(Clock* clock, Store* store, TopicRegistry* topics,
                       Appender* appender, DataNotifier* notifier,
                       absl::Duration interval)
    : clock_(clock),
      store_(store),
      topics_(topics),
      appender_(appender),
      notifier_(notifier),
      interval_(interval),
      compactor_(store),
      next_check_ns_(INT64_MAX) {}

LogCleaner::~LogCleaner() { Stop(); }

void LogCleaner::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  next_check_ns_.store(absl::ToUnixNanos(clock_->Now() + interval_),
                       std::memory_order_release);
  thread_ = std::thread([this] { Run(); });
}

void LogCleaner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LogCleaner::Run() {
  pthread_setname_np(pthread_self(), "brook-cleaner");
  auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_;
  };
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    const absl::Time due = absl::FromUnixNanos(
        next_check_ns_.load(std::memory_order_acquire));
    if (clock_->AwaitWithDeadline(&mu_, absl::Condition(&stopped), due)) {
      break;
    }
    mu_.Unlock();
    RunDue();
    mu_.Lock();
  }
}

void LogCleaner::RunIfDue() {
  if (clock_ != SystemClock()) RunDue();
}

void LogCleaner::RunDue() {
  if (absl::ToUnixNanos(clock_->Now()) <
      next_check_ns_.load(std::memory_order_acquire)) {
    return;
  }
  absl::MutexLock lock(&clean_mu_);
  const absl::Time now = clock_->Now();
  // Another caller may have run it while this one waited.
  if (absl::ToUnixNanos(now) < next_check_ns_.load(std::memory_order_acquire)) {
    return;
  }
  Check();
  next_check_ns_.store(absl::ToUnixNanos(now + interval_),
                       std::memory_order_release);
}

void LogCleaner::Check() {
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  bool moved = false;
  for (const std::shared_ptr<Topic>& topic : topics_->Topics()) {
    const TopicConfig config = topic->config();
    const bool retains = DeletesByRetention(config);
    const bool compacts = Compacts(config);
    for (int32_t p = 0; (retains || compacts) && p < topic->num_partitions();
         ++p) {
      // A partition that fails (storage, a damaged batch, a topic deleted
      // meanwhile) is tried again at the next check; the others go on.
      if (retains) {
        absl::StatusOr<std::optional<CleanedPartition>> cleaned =
            Retain(*topic, p, now_ms);
        if (cleaned.ok() && cleaned->has_value()) {
          moved = true;
          // Whole files only: rewriting the rest at every check would cost
          // more than it returns; RocksDB's compaction gets to it.
          store_->ReclaimBelow(topic->cf(), p, (*cleaned)->log_start_offset,
                               /*rewrite=*/false)
              .IgnoreError();
        }
      }
      if (compacts) {
        int64_t cleanable_end;
        Compact(*topic, p, now_ms, /*force=*/false, &cleanable_end)
            .IgnoreError();
      }
    }
  }
  if (moved) store_->FlushMeta().IgnoreError();  // Retried next time.
}

absl::StatusOr<std::vector<CleanedPartition>> LogCleaner::Clean(
    const std::vector<std::string>& names) {
  std::vector<std::shared_ptr<Topic>> topics;
  if (names.empty()) {
    topics = topics_->Topics();
  } else {
    for (const std::string& name : names) {
      BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                             topics_->FindReadable(name));
      topics.push_back(std::move(topic));
    }
  }
  std::sort(topics.begin(), topics.end(),
            [](const std::shared_ptr<Topic>& a,
               const std::shared_ptr<Topic>& b) {
              return a->name() < b->name();
            });
  std::vector<CleanedPartition> out;
  absl::MutexLock lock(&clean_mu_);
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  bool moved = false;
  for (const std::shared_ptr<Topic>& topic : topics) {
    const TopicConfig config = topic->config();
    for (int32_t p = 0; p < topic->num_partitions(); ++p) {
      std::optional<CleanedPartition> cleaned;
      if (DeletesByRetention(config)) {
        BROOK_ASSIGN_OR_RETURN(cleaned, Retain(*topic, p, now_ms));
        if (cleaned) {
          moved = true;
          BROOK_RETURN_IF_ERROR(
              store_->ReclaimBelow(topic->cf(), p, cleaned->log_start_offset,
                                   /*rewrite=*/true));
        }
      }
      if (Compacts(config)) {
        int64_t cleanable_end;
        BROOK_ASSIGN_OR_RETURN(
            std::optional<CleanedPartition> compacted,
            Compact(*topic, p, now_ms, /*force=*/true, &cleanable_end));
        // Also what periodic passes rewrote since the last cleaning.
        std::atomic<bool>& unreclaimed =
            topic->partition(p).compaction_unreclaimed;
        if (unreclaimed.exchange(false)) {
          absl::Status s = store_->RewriteBelow(topic->cf(), p, cleanable_end);
          if (!s.ok()) {
            unreclaimed.store(true);
            return s;
          }
        }
        Merge(&cleaned, std::move(compacted));
      }
      if (cleaned) out.push_back(*std::move(cleaned));
    }
  }
  if (moved) BROOK_RETURN_IF_ERROR(store_->FlushMeta());
  return out;
}

absl::StatusOr<bool> LogCleaner::CompactionDue(Topic& topic, int32_t p,
                                               int64_t now_ms) {
  const TopicConfig config = topic.config();
  PartitionState& state = topic.partition(p);
  const int64_t clean = state.clean_bytes.load(std::memory_order_relaxed);
  if (clean < 0) return true;
  if (state.delete_horizon_ms.load(std::memory_order_relaxed) <= now_ms) {
    return true;
  }
  BROOK_ASSIGN_OR_RETURN(const int64_t total, StoredBytes(topic, p));
  const int64_t dirty = total - clean;
  if (dirty <= 0) return false;
  const __int128 since = static_cast<__int128>(now_ms) -
                         state.compacted_at_ms.load(std::memory_order_relaxed);
  if (since >= config.max_compaction_lag_ms) return true;
  return since >= config.min_compaction_lag_ms &&
         static_cast<double>(dirty) / static_cast<double>(total) >
             config.min_cleanable_dirty_ratio;
}

absl::StatusOr<std::optional<CleanedPartition>> LogCleaner::Compact(
    Topic& topic, int32_t p, int64_t now_ms, bool force,
    int64_t* cleanable_end) {
  PartitionState& state = topic.partition(p);
  *cleanable_end = state.log_start.load(std::memory_order_acquire);
  if (!force) {
    BROOK_ASSIGN_OR_RETURN(const bool due, CompactionDue(topic, p, now_ms));
    if (!due) return std::nullopt;
  }
  // Known before the pass, so that what it removes is subtracted.
  BROOK_RETURN_IF_ERROR(StoredBytes(topic, p).status());
  BROOK_ASSIGN_OR_RETURN(const CompactionResult result,
                         compactor_.Compact(topic, p, now_ms));
  *cleanable_end = result.cleanable_end;
  state.stored_bytes.fetch_sub(result.bytes_removed,
                               std::memory_order_relaxed);
  state.clean_bytes.store(result.clean_bytes, std::memory_order_relaxed);
  state.compacted_at_ms.store(now_ms, std::memory_order_relaxed);
  state.delete_horizon_ms.store(result.next_delete_horizon_ms,
                                std::memory_order_relaxed);
  if (result.batches_rewritten > 0) state.compaction_unreclaimed.store(true);
  if (result.records_removed == 0) return std::nullopt;
  CleanedPartition cleaned;
  cleaned.topic = topic.name();
  cleaned.partition = p;
  cleaned.records_removed = result.records_removed;
  cleaned.bytes_removed = result.bytes_removed;
  cleaned.log_start_offset = state.log_start.load(std::memory_order_acquire);
  return cleaned;
}

void LogCleaner::Removed(PartitionState& state, int64_t bytes) {
  if (state.stored_bytes.load(std::memory_order_relaxed) >= 0) {
    state.stored_bytes.fetch_sub(bytes, std::memory_order_relaxed);
  }
  // Retention takes the oldest batches: compacted ones first.
  const int64_t clean = state.clean_bytes.load(std::memory_order_relaxed);
  if (clean >= 0) {
    state.clean_bytes.store(std::max<int64_t>(0, clean - bytes),
                            std::memory_order_relaxed);
  }
}

absl::StatusOr<std::optional<CleanedPartition>> LogCleaner::Retain(
    Topic& topic, int32_t p, int64_t now_ms) {
  const TopicConfig config = topic.config();
  PartitionState& state = topic.partition(p);
  const int64_t start = state.log_start.load(std::memory_order_acquire);
  const int64_t end = state.high_watermark.load(std::memory_order_acquire);
  if (topic.deleted() || start >= end) return std::nullopt;
  int64_t total = 0;
  if (config.retention_bytes >= 0) {
    BROOK_ASSIGN_OR_RETURN(total, StoredBytes(topic, p));
  }
  // The batches that go, from the front: expired ones, then while what
  // stays is still at least retention.bytes. Only they are read (and the
  // first one kept).
  int64_t bytes = 0;
  int64_t first_kept = start;
  bool any = false;
  BROOK_RETURN_IF_ERROR(
      WalkBatches(store_, topic, p, start, end, [&](const BatchInfo& b) {
        const bool expired = config.retention_ms >= 0 &&
                             now_ms - b.max_timestamp > config.retention_ms;
        const bool over = config.retention_bytes >= 0 &&
                          total - bytes - b.bytes >= config.retention_bytes;
        if (!expired && !over) return false;
        bytes += b.bytes;
        first_kept = b.end;
        any = true;
        return true;
      }));
  if (!any) return std::nullopt;
  BROOK_RETURN_IF_ERROR(MoveStart(topic, p, first_kept, first_kept));
  Removed(state, bytes);
  CleanedPartition cleaned;
  cleaned.topic = topic.name();
  cleaned.partition = p;
  cleaned.records_removed = first_kept - start;
  cleaned.bytes_removed = bytes;
  cleaned.log_start_offset = first_kept;
  return cleaned;
}

absl::StatusOr<int64_t> LogCleaner::StoredBytes(Topic& topic, int32_t p) {
  PartitionState& state = topic.partition(p);
  const int64_t known = state.stored_bytes.load(std::memory_order_relaxed);
  if (known >= 0) return known;
  // Sum what is stored now while writes go on, then the batches written
  // meanwhile with writes fenced, and hand the count to the appender.
  const int64_t start = state.log_start.load(std::memory_order_acquire);
  int64_t scanned_to = state.high_watermark.load(std::memory_order_acquire);
  int64_t total = 0;
  auto sum = [&](int64_t from, int64_t to) {
    return WalkBatches(store_, topic, p, from, to, [&](const BatchInfo& b) {
      // The batch holding the log start counts whole: it is stored.
      total += b.bytes;
      return true;
    });
  };
  BROOK_RETURN_IF_ERROR(sum(start, scanned_to));
  absl::Status tail;
  appender_->RunExclusive([&] {
    const int64_t end = state.high_watermark.load(std::memory_order_acquire);
    if (end > scanned_to) {
      // Batches written since begin at or after scanned_to.
      tail = WalkBatches(store_, topic, p, scanned_to, end,
                         [&](const BatchInfo& b) {
                           if (b.base >= scanned_to) total += b.bytes;
                           return true;
                         });
    }
    if (tail.ok()) state.stored_bytes.store(total, std::memory_order_relaxed);
  });
  BROOK_RETURN_IF_ERROR(tail);
  return total;
}

absl::Status LogCleaner::CheckDeleteOffset(const Topic& topic, int32_t p,
                                           int64_t offset) {
  const PartitionState& state = topic.partition(p);
  const int64_t end = state.high_watermark.load(std::memory_order_acquire);
  if (offset >= -1 && offset <= end) return absl::OkStatus();
  return Error(ErrorCode::kOffsetOutOfRange,
               absl::StrCat("cannot delete records of ", topic.name(), "-", p,
                            " before offset ", offset, ": out of range [",
                            state.log_start.load(std::memory_order_acquire),
                            ", ", end, "] (-1 means the log end)"));
}

absl::StatusOr<int64_t> LogCleaner::DeleteRecords(Topic& topic, int32_t p,
                                                  int64_t offset) {
  absl::MutexLock lock(&clean_mu_);
  BROOK_RETURN_IF_ERROR(CheckDeleteOffset(topic, p, offset));
  PartitionState& state = topic.partition(p);
  const int64_t start = state.log_start.load(std::memory_order_acquire);
  const int64_t end = state.high_watermark.load(std::memory_order_acquire);
  if (offset == -1) offset = end;
  if (offset <= start) return start;
  // Batches that end at or below `offset` go; the one holding it stays,
  // its records below the new log start no longer returned.
  int64_t first_kept = offset;
  int64_t bytes = 0;
  BROOK_RETURN_IF_ERROR(
      WalkBatches(store_, topic, p, start, end, [&](const BatchInfo& b) {
        if (b.end <= offset) {
          bytes += b.bytes;
          return true;
        }
        first_kept = b.base;
        return false;
      }));
  BROOK_RETURN_IF_ERROR(MoveStart(topic, p, offset, first_kept));
  Removed(state, bytes);
  BROOK_RETURN_IF_ERROR(
      store_->ReclaimBelow(topic.cf(), p, first_kept, /*rewrite=*/true));
  BROOK_RETURN_IF_ERROR(store_->FlushMeta());
  return offset;
}

absl::Status LogCleaner::MoveStart(Topic& topic, int32_t p, int64_t start,
                                   int64_t first_kept) {
  StoreWriteBatch batch;
  batch.DeleteBatchesBelow(topic.cf(), p, first_kept);
  batch.PutMeta(LogStartKey(topic.cf().name(), p), absl::StrCat(start));
  // Fsynced: a consumer reset to the new log start must not find the old
  // records back after a power cut.
  BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/true));
  topic.partition(p).log_start.store(start, std::memory_order_release);
  notifier_->Notify();
  return absl::OkStatus();
}

}  // namespace brook
