#include "core/core.h"

#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"
#include "util/mutex_mode.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// How often a read-only engine looks for the holder's new writes.
constexpr absl::Duration kFollowInterval = absl::Milliseconds(100);

// Half of the process's descriptor limit, leaving the rest to the
// application and to the engine's other files (logs, MANIFEST).
int AutomaticMaxOpenFiles() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
      limit.rlim_cur == RLIM_INFINITY) {
    return 5000;
  }
  return static_cast<int>(
      std::clamp<rlim_t>(limit.rlim_cur / 2 - 12, 16, 1 << 20));
}

// Acknowledged records or topics missing from what was recovered are
// damage: Corruption, unless salvaging (then the lost topics get their
// records back and the damaged partitions continue after the lost offsets,
// which are returned). A writing open then makes what it recovered durable
// and checkpoints it. Runs before the open writes anything else: RocksDB
// keeps the recovered logs unflushed until then, so a refused open changes
// nothing they hold.
absl::StatusOr<std::vector<LostRecords>> CheckSyncedEnds(
    const EngineOptions& options, const std::string& dir, Store* store,
    TopicRegistry* topics, SyncedEnds* synced_ends) {
  BROOK_RETURN_IF_ERROR(synced_ends->Load());
  const std::vector<SyncedEnds::LostTopic> lost_topics =
      synced_ends->FindLostTopics();
  BROOK_ASSIGN_OR_RETURN(std::vector<LostRecords> lost,
                         synced_ends->FindLosses());
  const std::optional<WalDamage>& wal_damage = store->wal_damage();
  if ((!lost_topics.empty() || !lost.empty() || wal_damage) &&
      !options.salvage) {
    return SyncedEnds::LostError(dir, lost_topics, lost,
                                 wal_damage ? &*wal_damage : nullptr);
  }
  for (const SyncedEnds::LostTopic& t : lost_topics) {
    BROOK_RETURN_IF_ERROR(topics->Adopt(t.family, t.name, t.partitions));
  }
  if (!lost_topics.empty()) {
    BROOK_ASSIGN_OR_RETURN(lost, synced_ends->FindLosses());
  }
  if (!lost.empty()) BROOK_RETURN_IF_ERROR(topics->SetEndFloors(lost));
  if (options.read_only) return lost;
  // Families no topic names: interrupted creations and deletions.
  BROOK_RETURN_IF_ERROR(topics->DropOrphans());
  // What was recovered becomes durable (flushed out of the recovered logs,
  // which become obsolete) before the checkpoint says so.
  BROOK_RETURN_IF_ERROR(store->FlushAll());
  BROOK_RETURN_IF_ERROR(synced_ends->Save());
  return lost;
}

}  // namespace

absl::StatusOr<std::shared_ptr<EngineCore>> EngineCore::Open(
    const EngineOptions& options, const std::string& dir, rocksdb::Env* env) {
  SetMutexModeForBuild();
  // The struct obeys the rules (and gives the messages) of its properties.
  BROOK_RETURN_IF_ERROR(
      EngineOptions::FromProperties(options.ToProperties()).status());
  if (options.max_open_files != 0 && options.max_open_files < 16) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("EngineOptions::max_open_files must be 0 "
                              "(automatic) or at least 16, got ",
                              options.max_open_files));
  }
  if (options.salvage && (options.read_only || options.in_memory)) {
    return Error(ErrorCode::kInvalidConfig,
                 "EngineOptions::salvage needs a writing open of a data "
                 "directory (not read_only, not in_memory)");
  }
  StoreOptions store_options;
  store_options.max_open_files = options.max_open_files != 0
                                     ? options.max_open_files
                                     : AutomaticMaxOpenFiles();
  store_options.in_memory = options.in_memory;
  store_options.create_if_missing = options.create_if_missing;
  store_options.read_only = options.read_only;
  store_options.salvage = options.salvage;
  store_options.env = env;
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                         Store::Open(store_options, dir));
  BROOK_ASSIGN_OR_RETURN(std::unique_ptr<TopicRegistry> topics,
                         TopicRegistry::Recover(store.get()));
  std::unique_ptr<SyncedEnds> synced_ends;
  std::vector<LostRecords> lost;
  if (!options.in_memory) {
    synced_ends = std::make_unique<SyncedEnds>(store.get(), topics.get());
    BROOK_ASSIGN_OR_RETURN(lost, CheckSyncedEnds(options, dir, store.get(),
                                                 topics.get(),
                                                 synced_ends.get()));
  } else if (!options.read_only) {
    BROOK_RETURN_IF_ERROR(topics->DropOrphans());
  }
  if (!options.read_only) {
    // Membership snapshots describe the groups of the process that last
    // held the directory; none of its members is alive now.
    BROOK_RETURN_IF_ERROR(GroupSnapshots(store.get()).Clear());
  }
  return std::shared_ptr<EngineCore>(
      new EngineCore(options, std::move(store), std::move(topics),
                     std::move(synced_ends), std::move(lost)));
}

EngineCore::EngineCore(const EngineOptions& options,
                       std::unique_ptr<Store> store,
                       std::unique_ptr<TopicRegistry> topics,
                       std::unique_ptr<SyncedEnds> synced_ends,
                       std::vector<LostRecords> lost_records)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : SystemClock()),
      store_(std::move(store)),
      topics_(std::move(topics)),
      synced_ends_(std::move(synced_ends)),
      lost_records_(std::move(lost_records)),
      notifier_(clock_),
      offsets_(store_.get(), options.offset_metadata_max_bytes),
      snapshots_(store_.get()),
      coordinator_(clock_, topics_.get(), &offsets_, &snapshots_, &notifier_),
      appender_(std::make_unique<Appender>(
          store_.get(), clock_, &notifier_,
          options.read_only ? nullptr : synced_ends_.get())),
      catalog_(TopicCatalog::Policy{options.auto_create_topics,
                                    options.default_partitions},
               &closed_, store_.get(), topics_.get(), &offsets_,
               options.read_only ? nullptr : synced_ends_.get(),
               appender_.get(), &notifier_) {
  if (options_.read_only) {
    follower_ = std::thread([this] { Follow(); });
  } else {
    cleaner_ = std::make_unique<LogCleaner>(
        clock_, store_.get(), topics_.get(), appender_.get(), &notifier_,
        options_.log_retention_check_interval);
    cleaner_->Start();
  }
}

void EngineCore::Follow() {
  pthread_setname_np(pthread_self(), "brook-follower");
  auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(follow_mu_) {
    return stop_following_;
  };
  absl::MutexLock lock(&follow_mu_);
  // Real time: following another process is not engine logic a ManualClock
  // should drive.
  while (!follow_mu_.AwaitWithTimeout(absl::Condition(&stopped),
                                      kFollowInterval)) {
    follow_mu_.Unlock();
    // Following is best effort: a failure (the holder mid-way through a
    // change RocksDB cannot replay yet) is retried at the next interval, and
    // readers keep what they saw; there is no caller to report it to.
    bool advanced = false;
    if (store_->CatchUp().ok()) topics_->Refresh(&advanced).IgnoreError();
    if (advanced) notifier_.Notify();
    follow_mu_.Lock();
  }
}

EngineCore::~EngineCore() { Close().IgnoreError(); }  // Nobody to report to.

absl::Status EngineCore::Close() {
  if (OnAppenderThread()) {
    // Closing waits for the appender thread, which is running this callback.
    return Error(ErrorCode::kIllegalState,
                 "the engine cannot be closed from a send callback");
  }
  if (!closed_.Close()) return absl::OkStatus();
  if (cleaner_ != nullptr) cleaner_->Stop();
  appender_->Stop();
  if (follower_.joinable()) {
    {
      absl::MutexLock lock(&follow_mu_);
      stop_following_ = true;
    }
    follower_.join();
  }
  // Wake consumers blocked in Poll so they see the close.
  notifier_.Notify();
  absl::Status status;
  if (synced_ends_ != nullptr && !options_.read_only) {
    // A clean close makes everything written durable, so the checkpoint
    // covers every record: damage found at the next open names them all.
    status = store_->SyncWal();
    if (status.ok()) {
      for (const std::shared_ptr<Topic>& topic : topics_->Topics()) {
        for (int32_t p = 0; p < topic->num_partitions(); ++p) {
          PartitionState& state = topic->partition(p);
          state.synced_end.store(
              state.high_watermark.load(std::memory_order_acquire),
              std::memory_order_release);
        }
      }
      status = synced_ends_->Save();
    }
  }
  status.Update(store_->Close());
  return status;
}

}  // namespace brook
