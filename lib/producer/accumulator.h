// A producer's record accumulator: one open batch per partition, filled by
// Send (batch.size, linger.ms), bounded by buffer.memory, and drained by the
// engine's appender (it implements BatchSource). Also home of the built-in
// sticky partitioning for records without a key.
#ifndef BROOK_LIB_PRODUCER_ACCUMULATOR_H_
#define BROOK_LIB_PRODUCER_ACCUMULATOR_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/options.h"
#include "brook/producer.h"
#include "log/appender.h"
#include "log/batch_format.h"
#include "log/batch_result.h"
#include "log/topic.h"

namespace brook {

// Thread-safe.
class Accumulator : public BatchSource {
 public:
  struct Config {
    int32_t batch_size = 16384;
    absl::Duration linger = absl::ZeroDuration();
    int64_t buffer_memory = 32 << 20;
    absl::Duration max_block = absl::Seconds(60);
    absl::Duration delivery_timeout = absl::Seconds(120);
    Acks acks = Acks::kAll;
  };

  // `clock` and `appender` must outlive the accumulator.
  Accumulator(const Config& config, Clock* clock, Appender* appender);

  // Appends a record of `size` encoded bytes to the open batch of
  // (`topic`, `partition`); `partition` may be Partitioner::kUseSticky.
  // Blocks up to max.block.ms for buffer memory (then Timeout). Closed after
  // Close().
  absl::StatusOr<SendFuture> Append(const std::shared_ptr<Topic>& topic,
                                    int32_t partition, int64_t timestamp_ms,
                                    const ProducerRecord& record, size_t size,
                                    SendCallback* callback)
      ABSL_LOCKS_EXCLUDED(mu_);

  absl::Time Drain(absl::Time now, bool force, int64_t max_bytes,
                   std::vector<ReadyBatch>* out) override
      ABSL_LOCKS_EXCLUDED(mu_);
  void Completed(absl::Span<const ReadyBatch> batches) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // Makes every batch ready and waits until those created before the call
  // complete, or `deadline` (then false). On the appender thread (a send
  // callback) it cannot wait: it returns whether they are complete already.
  bool Flush(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu_);

  // Refuses further appends; held batches become ready at once.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);
  // Fails every batch not yet handed to the appender with `status`.
  void AbortHeld(const absl::Status& status) override ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct OpenBatch {
    explicit OpenBatch(size_t capacity) : builder(capacity) {}
    std::shared_ptr<Topic> topic;
    int32_t partition = 0;
    BatchBuilder builder;
    std::shared_ptr<internal::BatchResult> result;
    absl::Time created;
    int64_t memory = 0;
    uint64_t seq = 0;
  };
  using Key = std::pair<const Topic*, int32_t>;

  OpenBatch NewBatch(const std::shared_ptr<Topic>& topic, int32_t partition,
                     size_t capacity) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether Append writes the record itself instead of queueing it for the
  // appender: acks=1, linger.ms=0, no callback (callbacks run on the
  // appender thread), and no batch of this producer in flight (which keeps
  // per-partition order).
  bool WritesInline(const SendCallback* callback) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A one-record batch the sending thread writes itself, once mu_ is
  // released, with the appender's write lock it took under mu_.
  struct InlineBatch {
    Appender::InlineWrite write;
    ReadyBatch batch;
  };
  // The inline path: when the appender is idle, takes its write lock and
  // leaves the record as a batch of its own in *inline_batch for the caller
  // to write; else queues that batch. Either way the batch counts as in
  // flight until Completed().
  std::shared_ptr<internal::BatchResult> WriteOrQueue(
      const std::shared_ptr<Topic>& topic, int32_t partition,
      int64_t timestamp_ms, const ProducerRecord& record, size_t size,
      InlineBatch* inline_batch, bool* wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The usual path: adds the record to the partition's open batch (sealing
  // a full one first) and sets *index to its place in the batch.
  std::shared_ptr<internal::BatchResult> AddToOpenBatch(
      const std::shared_ptr<Topic>& topic, int32_t partition,
      int64_t timestamp_ms, const ProducerRecord& record, size_t size,
      int32_t* index, bool* wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ReadyBatch Seal(OpenBatch&& batch) const;
  // Kafka's built-in partitioner: records without a key stick to one
  // partition until batch.size bytes went to it, then move to another.
  struct Sticky {
    int32_t partition = -1;
    int64_t bytes = 0;
  };
  int32_t NextSticky(const Topic& topic, int32_t avoid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Config config_;
  Clock* const clock_;
  ManualClock* const manual_clock_;  // clock_, when it is a ManualClock.
  Appender* const appender_;

  absl::Mutex mu_;
  absl::flat_hash_map<Key, OpenBatch> open_ ABSL_GUARDED_BY(mu_);
  std::deque<ReadyBatch> ready_ ABSL_GUARDED_BY(mu_);  // Full batches.
  absl::flat_hash_map<const Topic*, Sticky> sticky_ ABSL_GUARDED_BY(mu_);
  absl::btree_set<uint64_t> incomplete_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t used_memory_ ABSL_GUARDED_BY(mu_) = 0;
  int flushing_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook

#endif  // BROOK_LIB_PRODUCER_ACCUMULATOR_H_
