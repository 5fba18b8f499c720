// The synced-ends checkpoint: for each partition, an offset below which
// every record was durable (written and fsynced) when the checkpoint was
// saved. It lives outside RocksDB's write-ahead log, so that an open can
// tell acknowledged records lost to damage (a damaged or deleted log, which
// RocksDB's point-in-time recovery truncates without a word) from the
// normal loss of unsynced writes after a crash: only the first can take a
// partition below its checkpointed end.
//
// Saved at every open (after recovery), every second after an fsynced
// appender round, and at a clean close; so after a crash it covers what was
// acknowledged more than about a second before it. The write-ahead logs
// themselves cover the rest where they can (storage/wal_evidence.h): past
// their damage, the writes they prove fsynced raise the checkpointed ends
// (DESIGN-NOTES.md).
//
// Files (persisted): BROOK-SYNCED-0 and BROOK-SYNCED-1, written in turn, each
// complete:
//   "brook synced ends 1\n"
//   "seq <n>\n"                            larger is newer
//   "topic <family> <partitions> <name>\n" per topic (a lost topic record
//                                          is damage too)
//   "<family> <partition> <end>\n"         per partition with end > 0
//   "fnv1a64 <16 hex digits>\n"            over every byte before this line
// The newest file whose checksum matches is the checkpoint, so a write torn
// by a crash leaves the previous one.
#ifndef BROOK_LIB_LOG_SYNCED_ENDS_H_
#define BROOK_LIB_LOG_SYNCED_ENDS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "brook/engine.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe.
class SyncedEnds {
 public:
  // Family name -> partition -> synced end.
  using Ends = std::map<std::string, std::map<int32_t, int64_t>>;

  // `store` and `topics` must outlive this.
  SyncedEnds(Store* store, TopicRegistry* topics)
      : store_(store), topics_(topics) {}

  // Reads the checkpoint saved last; none (nothing to check) when the
  // directory has no intact one. Ends the write-ahead logs proved fsynced
  // past their damage (Store::wal_damage) raise the checkpoint's.
  absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // A topic of the loaded checkpoint whose record is gone while its column
  // family is still there (an orphan): its record was lost to damage.
  struct LostTopic {
    std::string family;
    std::string name;
    int32_t partitions = 0;
  };
  std::vector<LostTopic> FindLostTopics() const ABSL_LOCKS_EXCLUDED(mu_);

  // Partitions whose log end is below the loaded checkpoint's, with the
  // missing offsets, sorted by topic and partition: of the recovered topics
  // and of the topics whose record was lost (FindLostTopics).
  absl::StatusOr<std::vector<LostRecords>> FindLosses() const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Saves every partition's synced end (PartitionState::synced_end).
  absl::Status Save() ABSL_LOCKS_EXCLUDED(mu_);

  // Save() when a second of real time passed since the last one; called by
  // the appender after each fsynced round. A failure is left for the next
  // save: the checkpoint only ever lags.
  void SaveIfDue() ABSL_LOCKS_EXCLUDED(mu_);

  // Topic deletion, before the topic's record is removed: saves a
  // checkpoint without `family`, and leaves it out of every later one. A
  // crash between the record's removal and the family's drop then leaves
  // an orphan the next open drops, not a topic the checkpoint says was
  // lost. Remember() undoes it when the deletion fails.
  absl::Status Forget(const std::string& family) ABSL_LOCKS_EXCLUDED(mu_);
  void Remember(const std::string& family) ABSL_LOCKS_EXCLUDED(mu_);

  // The error naming every lost topic record and range, and the damage the
  // logs proved (`wal_damage`, may be null) (Corruption).
  static absl::Status LostError(const std::string& dir,
                                const std::vector<LostTopic>& topics,
                                const std::vector<LostRecords>& losses,
                                const WalDamage* wal_damage);

 private:
  absl::Status SaveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  TopicRegistry* const topics_;
  mutable absl::Mutex mu_;
  Ends loaded_ ABSL_GUARDED_BY(mu_);
  std::vector<LostTopic> loaded_topics_ ABSL_GUARDED_BY(mu_);
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  // Families of topics being (or already) deleted.
  absl::flat_hash_set<std::string> forgotten_ ABSL_GUARDED_BY(mu_);
  // When the next SaveIfDue saves (ms since the epoch, real time): read
  // without the lock on every fsynced round.
  std::atomic<int64_t> next_save_ms_{0};
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_SYNCED_ENDS_H_
