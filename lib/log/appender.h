// The appender: the engine's single writer. It drains ready batches from
// every producer (BatchSource), assigns offsets, writes them all in one
// RocksDB write (fsynced when any batch asked for acks=all: group commit),
// advances high watermarks, wakes consumers, then completes the batches.
// One writer keeps offset assignment trivially ordered.
#ifndef BROOK_LIB_LOG_APPENDER_H_
#define BROOK_LIB_LOG_APPENDER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "brook/clock.h"
#include "log/batch_result.h"
#include "log/data_notifier.h"
#include "log/synced_ends.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

// A closed batch on its way to the log.
struct ReadyBatch {
  std::shared_ptr<Topic> topic;
  int32_t partition = 0;
  std::string value;          // Encoded (log/batch_format.h).
  int32_t count = 0;          // Records in `value`.
  int64_t memory = 0;         // Bytes charged to the source's buffer.
  bool sync = false;          // acks=all: fsync before completing.
  bool offsets_known = true;  // false for acks=0.
  absl::Time deadline = absl::InfiniteFuture();  // delivery.timeout.ms
  uint64_t seq = 0;  // The source's own sequence number.
  std::shared_ptr<internal::BatchResult> result;
};

// Something that holds batches for the appender: a producer's accumulator.
// Implementations are thread-safe.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Fails every batch not yet handed to the appender with `status`.
  virtual void AbortHeld(const absl::Status& status) = 0;
  // Moves the batches ready at `now` (every non-empty one when `force`) into
  // `out`, stopping once about `max_bytes` were moved, and returns when the
  // next batch it holds becomes ready (absl::InfinitePast() when ready ones
  // are left behind, absl::InfiniteFuture() when it holds none).
  virtual absl::Time Drain(absl::Time now, bool force, int64_t max_bytes,
                           std::vector<ReadyBatch>* out) = 0;
  // Batches handed out by Drain, now completed (or failed).
  virtual void Completed(absl::Span<const ReadyBatch> batches) = 0;
};

// True on the appender thread, where send callbacks run: calls that would
// wait for the appender (Flush, SendFuture::Get on an unfinished send,
// Close with a timeout, Engine::Close, a Send waiting for buffer memory)
// must not block there.
bool OnAppenderThread();

// Thread-safe. Owns one thread, started by the constructor and joined by
// Stop() or the destructor. Lock order: write_mu_, then a source's own lock
// is never taken under it (Drain runs before write_mu_ is taken).
class Appender {
 public:
  // `store`, `clock`, `notifier` and `synced_ends` (nullptr: no
  // checkpoint, an in-memory engine) must outlive the appender.
  Appender(Store* store, Clock* clock, DataNotifier* notifier,
           SyncedEnds* synced_ends = nullptr);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  void Register(std::shared_ptr<BatchSource> source) ABSL_LOCKS_EXCLUDED(mu_);
  // After it returns, the appender no longer calls `source`.
  void Unregister(const BatchSource* source) ABSL_LOCKS_EXCLUDED(mu_);

  // Tells the appender a source has a new or ready batch. Cheap when the
  // appender was already told.
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

  // Writes what every source holds, then stops the thread; batches a source
  // still holds after that (none, unless one was added racing with Stop)
  // fail with Closed. Idempotent. REQUIRES: not on the appender thread.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // True once Stop() began: sources refuse new records from then on (under
  // their own lock, so the final rounds see every record accepted before).
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // A write taken over by a sending thread (the inline write, see
  // DESIGN-NOTES.md): holds the appender's write lock from TryBeginInline()
  // until Write() (or destruction) releases it. Move-only.
  class InlineWrite {
   public:
    InlineWrite() = default;  // Holds nothing.
    InlineWrite(InlineWrite&& other) noexcept
        : appender_(std::exchange(other.appender_, nullptr)) {}
    InlineWrite& operator=(InlineWrite&& other) noexcept;
    ~InlineWrite();

    explicit operator bool() const { return appender_ != nullptr; }
    // Assigns the batch's offsets and writes it as its own round, then
    // releases the lock. Afterwards the batch's result holds its offsets or
    // its error; the caller Finish()es it. REQUIRES: *this holds the lock.
    void Write(ReadyBatch* batch);

   private:
    friend class Appender;
    explicit InlineWrite(Appender* appender) : appender_(appender) {}
    void Release();
    Appender* appender_ = nullptr;
  };

  // Takes the write lock for an inline write when no write is in progress
  // and the appender is running; otherwise returns an empty InlineWrite
  // (the caller queues the batch instead). Never waits. Batches queued while
  // the returned InlineWrite is held are written after it, so the caller may
  // release its own lock before Write(): anything sent meanwhile queues
  // behind the inline batch instead of waiting for the storage write.
  InlineWrite TryBeginInline();

  // Tests only: runs `hook` in every later write, with the write lock held,
  // just before the storage write (to stall one); empty clears it.
  void SetBeforeWriteForTesting(std::function<void()> hook)
      ABSL_LOCKS_EXCLUDED(write_mu_);

  // Runs `fn` while no write is in progress (topic deletion uses it to fence
  // writers before dropping the topic's column family).
  void RunExclusive(absl::FunctionRef<void()> fn)
      ABSL_LOCKS_EXCLUDED(write_mu_);

 private:
  struct Drained {
    std::shared_ptr<BatchSource> source;
    size_t begin, end;
  };

  void Run();
  // Sleeps until Wake(), Stop() or `deadline` (on the engine clock, or in
  // real time for the group-commit wait, which must not depend on a manual
  // clock), then consumes the wake-up.
  void AwaitWake(absl::Time deadline, bool real_time)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Assigns offsets and writes `batches`; fails the ones it cannot write.
  // Returns whether the write was fsynced.
  bool WriteRound(absl::Span<ReadyBatch> batches)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  Store* const store_;
  Clock* const clock_;
  DataNotifier* const notifier_;
  SyncedEnds* const synced_ends_;

  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stopping_{false};

  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  StoreWriteBatch write_batch_ ABSL_GUARDED_BY(write_mu_);
  std::function<void()> before_write_ ABSL_GUARDED_BY(write_mu_);
  std::vector<std::pair<ReadyBatch*, int64_t>> written_
      ABSL_GUARDED_BY(write_mu_);

  absl::Mutex mu_;
  std::vector<std::shared_ptr<BatchSource>> sources_ ABSL_GUARDED_BY(mu_);
  // Sources being drained by the current round (Unregister waits on it).
  std::vector<const BatchSource*> busy_ ABSL_GUARDED_BY(mu_);
  // Where the next round starts among sources_, so that one busy producer
  // cannot take every round's byte budget (Kafka's drain index).
  size_t next_source_ ABSL_GUARDED_BY(mu_) = 0;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_APPENDER_H_
