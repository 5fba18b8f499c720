// Snapshots of each group's membership, durable in the meta column family
// like Kafka's group metadata records in __consumer_offsets, so that an
// engine opened read-only in another process (`brook groups describe` next
// to a running application) can show the live members. The coordinator
// stays authoritative: a writing engine clears every snapshot when it opens
// (they belong to a process that is gone) and rewrites a group's snapshot
// each time a rebalance completes or the group empties.
//
// Record (persisted):
//   key   = "members/" + group id
//   value = u8 state + varint generation + string protocol + string leader
//           + varint member count + per member: string member id, string
//           client id, string group.instance.id, varint partition count,
//           per partition: string topic + varint partition
//   (string = varint length + bytes; varints are zig-zag, util/coding.h)
#ifndef BROOK_LIB_GROUP_GROUP_SNAPSHOTS_H_
#define BROOK_LIB_GROUP_GROUP_SNAPSHOTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "storage/store.h"

namespace brook {

// Thread-safe (the store is).
class GroupSnapshots {
 public:
  // `store` must outlive this.
  explicit GroupSnapshots(Store* store) : store_(store) {}

  // Replaces `group_id`'s snapshot with `group`'s state, generation,
  // protocol, leader and members (ids, client ids, group.instance.ids and
  // assignments) (not fsynced).
  absl::Status Save(absl::string_view group_id,
                    const ConsumerGroupDescription& group);

  // The snapshot of `group_id` (with protocol type "consumer" when it has
  // members, hosts "/localhost"); nullopt when there is none.
  absl::StatusOr<std::optional<ConsumerGroupDescription>> Load(
      absl::string_view group_id);

  // Ids of the groups with a snapshot, sorted.
  absl::StatusOr<std::vector<std::string>> List();

  // Deletes every snapshot.
  absl::Status Clear();

 private:
  Store* const store_;
};

}  // namespace brook

#endif  // BROOK_LIB_GROUP_GROUP_SNAPSHOTS_H_
