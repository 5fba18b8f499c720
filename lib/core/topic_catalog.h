// TopicCatalog: the engine's topics as its clients create, find and delete
// them. It owns the auto-create policy (auto.create.topics.enable,
// num.partitions) and what deleting a topic takes beyond the registry: its
// committed offsets, its entry in the synced-ends checkpoint, fencing the
// appender and waking consumers.
#ifndef BROOK_LIB_CORE_TOPIC_CATALOG_H_
#define BROOK_LIB_CORE_TOPIC_CATALOG_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "core/closed_flag.h"
#include "group/offset_store.h"
#include "log/appender.h"
#include "log/data_notifier.h"
#include "log/synced_ends.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe. Borrows everything it is given; all of it must outlive it.
class TopicCatalog {
 public:
  struct Policy {
    bool auto_create = false;        // Get creates a missing topic.
    int32_t default_partitions = 1;  // For -1 and for auto-created topics.
  };

  // `synced_ends`: nullptr when the engine keeps no checkpoint (in memory)
  // or must not write it (read-only).
  TopicCatalog(Policy policy, const ClosedFlag* closed, Store* store,
               TopicRegistry* topics, OffsetStore* offsets,
               SyncedEnds* synced_ends, Appender* appender,
               DataNotifier* notifier)
      : policy_(policy),
        closed_(closed),
        store_(store),
        topics_(topics),
        offsets_(offsets),
        synced_ends_(synced_ends),
        appender_(appender),
        notifier_(notifier) {}
  TopicCatalog(const TopicCatalog&) = delete;
  TopicCatalog& operator=(const TopicCatalog&) = delete;

  // The topic `name`; created with the default partition count when missing
  // and the policy auto-creates topics. UnknownTopicOrPartition otherwise.
  absl::StatusOr<std::shared_ptr<Topic>> Get(absl::string_view name);

  // A partition count of -1 means the default (Kafka's num.partitions,
  // KIP-464).
  absl::Status Create(absl::string_view name, int32_t partitions,
                      const TopicConfig& config);
  std::vector<absl::Status> CreateMany(const std::vector<NewTopic>& topics);
  // Removes the topic with its committed offsets; its records go with its
  // column family.
  absl::Status Delete(absl::string_view name);

 private:
  int32_t PartitionsOrDefault(int32_t partitions) const {
    return partitions == -1 ? policy_.default_partitions : partitions;
  }

  const Policy policy_;
  const ClosedFlag* const closed_;
  Store* const store_;
  TopicRegistry* const topics_;
  OffsetStore* const offsets_;
  SyncedEnds* const synced_ends_;
  Appender* const appender_;
  DataNotifier* const notifier_;
};

}  // namespace brook

#endif  // BROOK_LIB_CORE_TOPIC_CATALOG_H_
