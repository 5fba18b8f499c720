// The set of topics: creation, deletion and lookup, persisted in the meta
// column family, and recovered on open in O(partitions).
//
// Meta record of a topic (persisted; see Encode/Decode in the .cc):
//   key   = "topic/" + name
//   value = lines "key=value": "partitions", "family" (its column family's
//           name), then every TopicConfig setting by its Kafka name.
// The column family is named "topic." + sequence + "." + name, where the
// sequence (meta key "topic-seq") makes a re-created topic a new family.
//
// End floor of a partition (persisted), written by a salvage open for a
// partition that lost acknowledged records:
//   key   = "end-floor/" + family + "/" + partition (decimal)
//   value = the offset (decimal) the partition continues from, whatever its
//           last stored batch says, so a lost offset is never reused.
//
// Log start of a partition (persisted), written with the deletion of the
// batches below it (retention, DeleteRecords; log/log_cleaner.h):
//   key   = "log-start/" + family + "/" + partition (decimal)
//   value = the log start offset (decimal). It may fall inside the first
//           batch left, and a partition with no batch left continues from
//           it.
#ifndef BROOK_LIB_LOG_TOPIC_REGISTRY_H_
#define BROOK_LIB_LOG_TOPIC_REGISTRY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "brook/admin.h"
#include "brook/engine.h"
#include "brook/options.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

// The meta key of a partition's log start (above).
std::string LogStartKey(absl::string_view family, int32_t partition);

// Thread-safe.
class TopicRegistry {
 public:
  // Loads every topic and its partitions' offsets. Column families without a
  // topic record are kept as orphans until DropOrphans. A topic that
  // cannot be read (damaged metadata, a missing column family, a damaged
  // last batch, more partitions than kMaxPartitionsPerTopic) does not fail
  // the open: it is kept aside as unreadable, with the reason, so that the
  // others open and it can be deleted.
  static absl::StatusOr<std::unique_ptr<TopicRegistry>> Recover(Store* store);

  // Errors: InvalidTopic, InvalidPartitions, TopicAlreadyExists, storage.
  absl::StatusOr<std::shared_ptr<Topic>> Create(absl::string_view name,
                                                int32_t partitions,
                                                const TopicConfig& config)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Creates several topics with one storage change (one family creation,
  // one fsynced record write), each all or nothing with Create's errors,
  // in the order of `topics`.
  std::vector<absl::StatusOr<std::shared_ptr<Topic>>> CreateMany(
      const std::vector<NewTopic>& topics) ABSL_LOCKS_EXCLUDED(mu_);

  // What Remove took out: the topic (nullptr for an unreadable one) and its
  // column family (nullptr when it was missing).
  struct Removed {
    std::shared_ptr<Topic> topic;
    ColumnFamilyRef family;
  };
  // Removes `name`, readable or not, from the registry and its meta record,
  // in one fsynced write with whatever `also` holds (the topic's committed
  // offsets); the caller then fences writers and drops the column family.
  // UnknownTopicOrPartition.
  absl::StatusOr<Removed> Remove(absl::string_view name, StoreWriteBatch* also)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Column families that no topic record names: a creation interrupted
  // before its record was written, a deletion interrupted after it was
  // removed, or (damage) a topic whose record was lost.
  std::vector<std::string> Orphans() const ABSL_LOCKS_EXCLUDED(mu_);
  // What orphan `family` holds, as a topic of `partitions` partitions that
  // is not registered; nullptr when `family` is not an orphan.
  absl::StatusOr<std::shared_ptr<Topic>> ProbeOrphan(
      const std::string& family, const std::string& name,
      int32_t partitions) const ABSL_LOCKS_EXCLUDED(mu_);
  // Drops the orphans (a writing open, once none is a lost topic's).
  absl::Status DropOrphans() ABSL_LOCKS_EXCLUDED(mu_);
  // Salvage: makes orphan `family` topic `name` again, with `partitions`
  // partitions and the default configuration (its record was lost), and
  // stores its record. Nothing when `family` is not an orphan or `name` is
  // taken.
  absl::Status Adopt(const std::string& family, const std::string& name,
                     int32_t partitions) ABSL_LOCKS_EXCLUDED(mu_);

  // Makes each partition of `losses` continue from its `to_offset`: writes
  // the end floors (fsynced) and moves the log end there.
  absl::Status SetEndFloors(const std::vector<LostRecords>& losses)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Read-only engines, after Store::CatchUp: moves each known partition's
  // log start and high watermark to what storage holds now (never moving a
  // high watermark back); sets *advanced when any high watermark moved. A
  // partition that cannot be read keeps what was known; the first such
  // error is returned once the others were refreshed.
  absl::Status Refresh(bool* advanced) ABSL_LOCKS_EXCLUDED(mu_);

  // Grows `name` to `count` partitions (Kafka's createPartitions): stored
  // (fsynced), then in effect. Errors: UnknownTopicOrPartition,
  // InvalidPartitions (not more than now, or over kMaxPartitionsPerTopic),
  // storage.
  absl::Status AddPartitions(absl::string_view name, int32_t count)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Changes `name`'s configuration: each setting in `set` takes its value,
  // each in `reset` goes back to its default; the whole result is checked
  // as TopicConfig::FromProperties checks it, stored (fsynced) and then in
  // effect. Errors: UnknownTopicOrPartition, InvalidConfig, storage.
  absl::Status AlterConfig(absl::string_view name, const Properties& set,
                           const std::vector<std::string>& reset)
      ABSL_LOCKS_EXCLUDED(mu_);

  // nullptr when missing or unreadable.
  std::shared_ptr<Topic> Find(absl::string_view name) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // The topic, or why not: Unreadable's Corruption, UnknownTopicOrPartition.
  absl::StatusOr<std::shared_ptr<Topic>> FindReadable(
      absl::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // Names of the readable topics, sorted.
  std::vector<std::string> List() const ABSL_LOCKS_EXCLUDED(mu_);
  // The readable topics, in no order.
  std::vector<std::shared_ptr<Topic>> Topics() const ABSL_LOCKS_EXCLUDED(mu_);

  // Why `name` could not be read at open (Corruption naming the problem);
  // OK when it is readable or does not exist.
  absl::Status Unreadable(absl::string_view name) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Unreadable topics by name, with the reason.
  std::map<std::string, absl::Status> ListUnreadable() const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit TopicRegistry(Store* store) : store_(store) {}

  // The readable topic `name`; errors as FindReadable's.
  absl::StatusOr<Topic*> FindLocked(absl::string_view name) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The topic (of those stored, or of `also`) whose name differs from
  // `name` only where one has '.' and the other '_' (Kafka refuses such a
  // pair: the two share metric names); empty when none.
  std::string CollidingLocked(
      absl::string_view name,
      const absl::flat_hash_set<absl::string_view>& also) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  struct UnreadableTopic {
    absl::Status reason;
    ColumnFamilyRef family;  // nullptr when it is missing.
  };

  Store* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Topic>> topics_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, UnreadableTopic> unreadable_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, ColumnFamilyRef> orphans_ ABSL_GUARDED_BY(mu_);
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
};

// The error for a topic that does not exist.
absl::Status UnknownTopic(absl::string_view name);
// The error for a partition outside [0, partitions).
absl::Status UnknownPartition(const Topic& topic, int32_t partition);

}  // namespace brook

#endif  // BROOK_LIB_LOG_TOPIC_REGISTRY_H_
