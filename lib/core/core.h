// The engine's shared core: the store, topics, appender, log cleaner,
// consumer wake-ups, committed offsets and the group coordinator of one open
// data directory. It builds and owns them; the clients are built with the
// parts they use (see lib/engine/engine_impl.cc).
// Producers, consumers and the Engine handle each hold a shared_ptr to it, so
// it lives as long as any of them.
#ifndef BROOK_LIB_CORE_CORE_H_
#define BROOK_LIB_CORE_CORE_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "brook/engine.h"
#include "brook/options.h"
#include "core/closed_flag.h"
#include "core/topic_catalog.h"
#include "group/coordinator.h"
#include "group/offset_store.h"
#include "log/appender.h"
#include "log/data_notifier.h"
#include "log/log_cleaner.h"
#include "log/synced_ends.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe.
class EngineCore {
 public:
  // `env`: tests only, the storage environment (see StoreOptions::env).
  static absl::StatusOr<std::shared_ptr<EngineCore>> Open(
      const EngineOptions& options, const std::string& dir,
      rocksdb::Env* env = nullptr);
  ~EngineCore();
  EngineCore(const EngineCore&) = delete;
  EngineCore& operator=(const EngineCore&) = delete;

  // Writes pending batches, stops the appender and closes the store.
  // Idempotent.
  absl::Status Close();
  const ClosedFlag& closed_flag() const { return closed_; }

  Clock* clock() const { return clock_; }
  const EngineOptions& options() const { return options_; }
  Store& store() { return *store_; }
  TopicRegistry& topics() { return *topics_; }
  Appender& appender() { return *appender_; }
  DataNotifier& notifier() { return notifier_; }
  OffsetStore& offsets() { return offsets_; }
  GroupSnapshots& snapshots() { return snapshots_; }
  GroupCoordinator& coordinator() { return coordinator_; }
  TopicCatalog& catalog() { return catalog_; }
  // Retention and record deletion; nullptr for a read-only engine.
  LogCleaner* cleaner() { return cleaner_.get(); }

  // Numbers for default client ids, one sequence per kind as Kafka's
  // PRODUCER_CLIENT_ID_SEQUENCE / CONSUMER_CLIENT_ID_SEQUENCE (per engine
  // here, so that each engine's ids are the same from run to run).
  int64_t NextProducerNumber() { return ++producer_numbers_; }
  int64_t NextConsumerNumber() { return ++consumer_numbers_; }

  // What a salvage open found lost (EngineOptions::salvage).
  const std::vector<LostRecords>& lost_records() const { return lost_records_; }


 private:
  EngineCore(const EngineOptions& options, std::unique_ptr<Store> store,
             std::unique_ptr<TopicRegistry> topics,
             std::unique_ptr<SyncedEnds> synced_ends,
             std::vector<LostRecords> lost_records);

  const EngineOptions options_;
  Clock* const clock_;
  ClosedFlag closed_;  // Before the parts that are given its address.
  std::unique_ptr<Store> store_;
  std::unique_ptr<TopicRegistry> topics_;
  // nullptr for an in-memory engine.
  const std::unique_ptr<SyncedEnds> synced_ends_;
  const std::vector<LostRecords> lost_records_;
  DataNotifier notifier_;
  OffsetStore offsets_;
  GroupSnapshots snapshots_;
  GroupCoordinator coordinator_;
  std::unique_ptr<Appender> appender_;
  TopicCatalog catalog_;
  // nullptr for a read-only engine.
  std::unique_ptr<LogCleaner> cleaner_;
  std::atomic<int64_t> producer_numbers_{0};
  std::atomic<int64_t> consumer_numbers_{0};

  // Read-only engines: a thread that follows the holding process's writes
  // (Store::CatchUp, TopicRegistry::Refresh) every kFollowInterval.
  void Follow() ABSL_LOCKS_EXCLUDED(follow_mu_);
  absl::Mutex follow_mu_;
  bool stop_following_ ABSL_GUARDED_BY(follow_mu_) = false;
  std::thread follower_;
};

}  // namespace brook

#endif  // BROOK_LIB_CORE_CORE_H_
