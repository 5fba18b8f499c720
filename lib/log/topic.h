// A topic in memory: its configuration, column family and per-partition log
// state (log start offset, high watermark, next offset to assign).
#ifndef BROOK_LIB_LOG_TOPIC_H_
#define BROOK_LIB_LOG_TOPIC_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "brook/options.h"
#include "storage/store.h"

namespace brook {

struct PartitionState {
  // First offset still stored. Written at recovery (later by retention).
  std::atomic<int64_t> log_start{0};
  // One past the last offset written and visible to consumers (with no
  // replication, also the log end offset). Advanced by the appender after
  // the write that holds the offsets.
  std::atomic<int64_t> high_watermark{0};
  // Offsets below it are known durable: written and fsynced (an acks=all
  // round, recovery, a clean close). What the synced-ends checkpoint
  // records (log/synced_ends.h). Advanced by the appender.
  std::atomic<int64_t> synced_end{0};
  // Next offset to assign. Only read or written by the appender while it
  // holds Appender::write_mu_ (and at recovery, before the appender runs).
  int64_t next_offset = 0;
  // Stored bytes of the batches from the log start on, what retention.bytes
  // counts; -1 until the log cleaner first sums them (with no write in
  // progress), then kept by the appender (adding) and the cleaner
  // (subtracting).
  std::atomic<int64_t> stored_bytes{-1};
  // Compaction's bookkeeping (log/log_compactor.h), kept by the log
  // cleaner: the stored bytes of the range the last compaction covered
  // (-1: not compacted since the engine opened), when it ran (engine
  // clock), and the earliest delete horizon of a tombstone it kept
  // (INT64_MAX: none). And whether a compaction rewrote batches whose old
  // versions storage still holds (CleanTopics then rewrites the files).
  std::atomic<int64_t> clean_bytes{-1};
  std::atomic<int64_t> compacted_at_ms{0};
  std::atomic<int64_t> delete_horizon_ms{INT64_MAX};
  std::atomic<bool> compaction_unreclaimed{false};
};

// Thread-safe: the configuration is guarded; partition state is atomic or
// owned by the appender.
class Topic {
 public:
  Topic(std::string name, int32_t num_partitions, TopicConfig config,
        ColumnFamilyRef cf);
  Topic(const Topic&) = delete;
  Topic& operator=(const Topic&) = delete;

  const std::string& name() const { return name_; }
  // Grows (AddPartitions), never shrinks.
  int32_t num_partitions() const {
    return num_partitions_.load(std::memory_order_acquire);
  }
  // Grows the topic to `count` partitions; the new ones start empty at
  // offset 0. REQUIRES: count > num_partitions(), and growths serialised
  // (TopicRegistry holds its lock).
  void AddPartitions(int32_t count);
  // A copy: the configuration may change (SetConfig) while it is used.
  TopicConfig config() const ABSL_LOCKS_EXCLUDED(config_mu_);
  // Replaces the configuration (Admin::IncrementalAlterConfigs); new
  // records follow it from the next write.
  void SetConfig(TopicConfig config) ABSL_LOCKS_EXCLUDED(config_mu_);
  const ColumnFamily& cf() const { return *cf_; }
  const ColumnFamilyRef& cf_ref() const { return cf_; }
  // The settings the send path reads for every record, without a copy.
  bool log_append_time() const {
    return log_append_time_.load(std::memory_order_relaxed);
  }
  int32_t max_message_bytes() const {
    return max_message_bytes_.load(std::memory_order_relaxed);
  }
  // cleanup.policy includes compact: every record needs a key.
  bool compacted() const { return compacted_.load(std::memory_order_relaxed); }
  // message.timestamp.before.max.ms / after.max.ms.
  int64_t timestamp_before_max_ms() const {
    return timestamp_before_max_ms_.load(std::memory_order_relaxed);
  }
  int64_t timestamp_after_max_ms() const {
    return timestamp_after_max_ms_.load(std::memory_order_relaxed);
  }

  // REQUIRES: 0 <= p < num_partitions(). The state stays where it is as
  // the topic grows.
  PartitionState& partition(int32_t p) { return *Locate(p); }
  const PartitionState& partition(int32_t p) const { return *Locate(p); }

  // Set by deletion (under the appender's write lock); a deleted topic takes
  // no more writes and returns no more records.
  bool deleted() const { return deleted_.load(std::memory_order_acquire); }
  void MarkDeleted() { deleted_.store(true, std::memory_order_release); }

 private:
  // Partitions live in segments that never move: segment 0 holds the
  // first_count_ partitions the topic had when loaded, segment s >= 1 the
  // first_count_ << (s - 1) after those of segment s - 1 (each growth
  // doubles the capacity at most once per segment).
  static constexpr int kMaxSegments = 32;
  PartitionState* Locate(int32_t p) const {
    if (p < first_count_) return &segments_[0][p];
    const uint32_t q = static_cast<uint32_t>(p / first_count_);  // >= 1
    const int s = 32 - __builtin_clz(q);
    return &segments_[s][p - (int64_t{first_count_} << (s - 1))];
  }

  const std::string name_;
  const int32_t first_count_;
  std::atomic<int32_t> num_partitions_;
  mutable absl::Mutex config_mu_;
  TopicConfig config_ ABSL_GUARDED_BY(config_mu_);
  const ColumnFamilyRef cf_;
  std::atomic<bool> log_append_time_;
  std::atomic<int32_t> max_message_bytes_;
  std::atomic<bool> compacted_;
  std::atomic<int64_t> timestamp_before_max_ms_;
  std::atomic<int64_t> timestamp_after_max_ms_;
  // Written before num_partitions_ publishes them.
  std::unique_ptr<PartitionState[]> segments_[kMaxSegments];
  std::atomic<bool> deleted_{false};
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_TOPIC_H_
