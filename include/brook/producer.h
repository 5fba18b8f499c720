// The producer: sends records to topics. Records are batched per partition
// (batch.size, linger.ms) and written by the engine's appender in one
// RocksDB write per round, so many small sends cost about as much as a few
// large writes.
#ifndef BROOK_PRODUCER_H_
#define BROOK_PRODUCER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "brook/record.h"

namespace brook {


// Called once per record when its send completes, with the metadata or the
// error. Runs on the engine's appender thread (or on the sending thread for
// errors found at Send): keep it quick, and do not block on other sends.
using SendCallback =
    absl::AnyInvocable<void(const absl::StatusOr<RecordMetadata>&)>;

namespace internal {

// Which record of a shared send state a future stands for, with what its
// RecordMetadata reports that the state need not keep per record.
struct RecordSlot {
  int32_t index = 0;
  int64_t timestamp_ms = 0;
  int32_t key_size = -1;
  int32_t value_size = -1;
};

// The completion state behind SendFuture, implemented by each backend: the
// embedded engine shares one per record batch, the Kafka backend keeps one
// per record. Thread-safe.
class SendState {
 public:
  virtual ~SendState() = default;
  // True once the send completed, successfully or not.
  virtual bool done() const = 0;
  // Waits (real time) up to `timeout`. OK once done(); Timeout when the
  // time passed; another error when waiting could never end (e.g.
  // IllegalState from a send callback, or on a stalled ManualClock).
  virtual absl::Status Wait(absl::Duration timeout) const = 0;
  // REQUIRES: done().
  virtual absl::StatusOr<RecordMetadata> Result(
      const RecordSlot& slot) const = 0;
};

}  // namespace internal

// The result of one Send, like the Java client's Future<RecordMetadata>.
// Copyable and cheap: records of one batch may share a single state.
// Thread-safe.
class SendFuture {
 public:
  // An invalid future (valid() is false).
  SendFuture() = default;

  bool valid() const { return state_ != nullptr || immediate_.has_value(); }
  // True once the send has completed, successfully or not.
  bool ready() const;
  // Blocks until the send completes; returns its metadata or error. On an
  // engine driven by a ManualClock, a record that waits for linger.ms while
  // the clock stays still for a second of real time would wait forever:
  // Get() then fails with IllegalState saying so (advance the clock, Flush,
  // or use linger.ms=0, e.g. brook::testing::ProducerOptionsForTests()).
  // REQUIRES: valid().
  absl::StatusOr<RecordMetadata> Get() const;
  // As Get(), but waits at most `timeout` (real time) and then returns a
  // Timeout error; the send itself goes on.
  absl::StatusOr<RecordMetadata> Get(absl::Duration timeout) const;

  // Internal: made by a backend's producer.
  SendFuture(std::shared_ptr<const internal::SendState> state,
             const internal::RecordSlot& slot)
      : state_(std::move(state)), slot_(slot) {}
  explicit SendFuture(absl::StatusOr<RecordMetadata> immediate)
      : immediate_(std::move(immediate)) {}

 private:
  std::shared_ptr<const internal::SendState> state_;
  std::optional<absl::StatusOr<RecordMetadata>> immediate_;
  internal::RecordSlot slot_;
};

// Sends records. Thread-safe: any number of threads may call Send on one
// producer. Created by Client::CreateProducer (either backend); keeps what
// it needs alive.
// Destruction closes it (delivering what is pending).
class Producer {
 public:
  virtual ~Producer() = default;

  // Queues `record` and returns at once (unless buffer.memory is full, then
  // it blocks up to max.block.ms). The future and `callback` report the
  // outcome: RecordMetadata on success; errors UnknownTopicOrPartition (missing
  // topic or partition out of range), MessageTooLarge (over max.request.size
  // or the topic's max.message.bytes), Timeout (buffer full for max.block.ms,
  // or not written within delivery.timeout.ms), Closed.
  //
  // With acks=1 and linger.ms=0, a send without a callback from a producer
  // with nothing else in flight is written on the calling thread when the
  // engine's writer is idle: Send then returns after the write-ahead log
  // write (microseconds; longer only while RocksDB stalls writes) with the
  // future already complete. Sends from other threads meanwhile queue behind
  // that write instead of waiting for it. Records still keep their
  // per-partition order, and callbacks always run on the engine's writer
  // thread.
  virtual SendFuture Send(ProducerRecord record,
                          SendCallback callback = nullptr) = 0;

  // Makes every buffered record ready to write and waits until all records
  // sent before the call have completed. Returns Closed after Close.
  virtual absl::Status Flush() = 0;

  // Number of partitions of `topic` (UnknownTopicOrPartition if missing).
  virtual absl::StatusOr<int32_t> PartitionsFor(absl::string_view topic) = 0;

  // Delivers pending records and refuses new ones. Records not completed
  // within `timeout` fail with Interrupted and Close returns Timeout. Later
  // calls return OK at once.
  virtual absl::Status Close(
      absl::Duration timeout = absl::InfiniteDuration()) = 0;
};

}  // namespace brook

#endif  // BROOK_PRODUCER_H_
