// The embedded backend's commits, as the commit half of Kafka's
// ConsumerCoordinator: checks the offsets against the log's topics, then
// commits them to the group coordinator, as a member of a generation
// (subscribe mode) or from outside the group (assign mode), and reads
// committed offsets back from the offset store.
#ifndef BROOK_LIB_CONSUMER_COMMITTER_H_
#define BROOK_LIB_CONSUMER_COMMITTER_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "brook/consumer.h"
#include "group/coordinator.h"
#include "group/offset_store.h"
#include "log/topic_registry.h"

namespace brook {

// Who commits in a group: the member and generation a commit is checked
// against (Kafka's Generation), and why it may not commit at all.
struct MemberGeneration {
  std::string member_id;
  int32_t generation = -1;
  // Joined and waiting for the rebalance to complete: no stable generation.
  bool rebalancing = false;
  // FencedInstanceId once another member took the group.instance.id.
  absl::Status fenced;
};

// Thread-compatible (owned by one consumer).
class Committer {
 public:
  // The collaborators must outlive the committer. `group_id` may be empty
  // (then every commit fails with InvalidGroupId).
  Committer(GroupCoordinator* coordinator, OffsetStore* offsets,
            TopicRegistry* topics, std::string group_id);
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  bool has_group() const { return !group_id_.empty(); }
  // InvalidGroupId: committing needs a group.id.
  static absl::Status NoGroup();

  // Commits `offsets` as `member` of its generation, or from outside the
  // group when `member` is nullptr. Errors: InvalidGroupId,
  // RebalanceInProgress (a member mid-rejoin), InvalidRequest (a negative
  // offset), UnknownTopicOrPartition (a commit never creates a topic),
  // FencedInstanceId, CommitFailed.
  absl::Status Commit(const OffsetMap& offsets,
                      const MemberGeneration* member) const;
  // The last committed offsets of `partitions` (absent when none).
  // InvalidGroupId without a group.
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      absl::Span<const TopicPartition> partitions) const;

 private:
  GroupCoordinator* const coordinator_;
  OffsetStore* const offsets_;
  TopicRegistry* const topics_;
  const std::string group_id_;
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_COMMITTER_H_
