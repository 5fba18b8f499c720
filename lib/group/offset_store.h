// Committed offsets, durable in the meta column family like Kafka's
// __consumer_offsets.
//
// Record (persisted):
//   key   = "offset/" + u16 BE group length + group + u16 BE topic length +
//           topic + u32 BE partition
//   value = i64 BE offset + i64 BE commit time (ms since the epoch) + the
//           metadata string (rest of the value)
#ifndef BROOK_LIB_GROUP_OFFSET_STORE_H_
#define BROOK_LIB_GROUP_OFFSET_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "brook/record.h"
#include "storage/store.h"

namespace brook {

// Thread-safe (the store is).
class OffsetStore {
 public:
  // `store` must outlive this. Metadata strings longer than
  // `max_metadata_bytes` are refused (Kafka's offset.metadata.max.bytes).
  OffsetStore(Store* store, int32_t max_metadata_bytes)
      : store_(store), max_metadata_bytes_(max_metadata_bytes) {}

  // Writes the offsets of `offsets` atomically, stamped `now`. As Kafka's
  // coordinator, an offset whose metadata is too long is left out and the
  // others are written: OffsetMetadataTooLarge naming the ones left out.
  absl::Status Commit(
      absl::string_view group,
      const std::map<TopicPartition, OffsetAndMetadata>& offsets,
      absl::Time now);

  // Committed offsets of `partitions` in `group` (missing ones are absent).
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> Fetch(
      absl::string_view group, absl::Span<const TopicPartition> partitions);

  // Every committed offset of `group`.
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> FetchAll(
      absl::string_view group);

  // Adds to `batch` the deletion of `topic`'s offsets in every group, so
  // topic deletion removes them in the same write as the topic's record.
  absl::Status AddTopicDeletes(absl::string_view topic, StoreWriteBatch* batch);

  // Ids of the groups with at least one committed offset, sorted (a scan of
  // every committed offset).
  absl::StatusOr<std::vector<std::string>> ListGroups();

  // Deletes every committed offset of `group` in one write (not fsynced, as
  // commits are not). GroupIdNotFound when it has none.
  absl::Status DeleteGroup(absl::string_view group);

 private:
  Store* const store_;
  const int32_t max_metadata_bytes_;
};

}  // namespace brook

#endif  // BROOK_LIB_GROUP_OFFSET_STORE_H_
