// ProducerImpl: the Producer behind Engine::CreateProducer. Validates and
// partitions each record, then hands it to the accumulator.
#ifndef BROOK_LIB_PRODUCER_PRODUCER_IMPL_H_
#define BROOK_LIB_PRODUCER_PRODUCER_IMPL_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "brook/clock.h"
#include "brook/options.h"
#include "brook/partitioner.h"
#include "brook/producer.h"
#include "core/closed_flag.h"
#include "core/topic_catalog.h"
#include "log/appender.h"
#include "producer/accumulator.h"

namespace brook {

// Thread-safe.
class ProducerImpl : public Producer {
 public:
  // What a producer uses of the engine. The pointers borrow parts of
  // `owner`, which the producer keeps alive.
  struct EngineParts {
    std::shared_ptr<const void> owner;
    const ClosedFlag* closed;
    Clock* clock;
    Appender* appender;
    TopicCatalog* catalog;  // Finds (or auto-creates) the topics sent to.
  };

  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      EngineParts engine, const ProducerOptions& options);
  ~ProducerImpl() override;

  SendFuture Send(ProducerRecord record, SendCallback callback) override;
  absl::Status Flush() override;
  absl::StatusOr<int32_t> PartitionsFor(absl::string_view topic) override;
  absl::Status Close(absl::Duration timeout) override;

 private:
  ProducerImpl(EngineParts engine, const ProducerOptions& options);

  // The topic `name`. The result stays valid until this thread's next call:
  // a one-entry thread-local cache answers repeated sends to one topic with
  // no lock and no reference-count traffic (the hot path of Send).
  absl::StatusOr<const std::shared_ptr<Topic>*> ResolveTopic(
      absl::string_view name) ABSL_LOCKS_EXCLUDED(topics_mu_);
  SendFuture Fail(absl::Status status, SendCallback& callback);

  const EngineParts engine_;
  const ProducerOptions options_;
  const std::shared_ptr<Partitioner> partitioner_;  // Null: built-in default.
  const std::shared_ptr<Accumulator> accumulator_;
  // Never reused, unlike addresses: keys the thread-local topic cache.
  const uint64_t id_;

  std::atomic<bool> closed_{false};
  absl::Mutex close_mu_ ABSL_ACQUIRED_BEFORE(topics_mu_);
  bool close_done_ ABSL_GUARDED_BY(close_mu_) = false;

  absl::Mutex topics_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Topic>> topics_
      ABSL_GUARDED_BY(topics_mu_);
};

}  // namespace brook

#endif  // BROOK_LIB_PRODUCER_PRODUCER_IMPL_H_
