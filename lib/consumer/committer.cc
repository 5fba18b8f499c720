#include "consumer/committer.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {

Committer::Committer(GroupCoordinator* coordinator, OffsetStore* offsets,
                     TopicRegistry* topics, std::string group_id)
    : coordinator_(coordinator),
      offsets_(offsets),
      topics_(topics),
      group_id_(std::move(group_id)) {}

absl::Status Committer::NoGroup() {
  return Error(
      ErrorCode::kInvalidGroupId,
      "committing offsets needs a group.id (ConsumerOptions::group_id)");
}

absl::Status Committer::Commit(const OffsetMap& offsets,
                               const MemberGeneration* member) const {
  if (group_id_.empty()) return NoGroup();
  if (member != nullptr && member->rebalancing) {
    // Kafka's client-side check: no stable generation while rejoining.
    return Error(ErrorCode::kRebalanceInProgress,
                 absl::StrCat("group ", group_id_,
                              " is rebalancing; commit after the next Poll "
                              "completes it"));
  }
  for (const auto& [tp, o] : offsets) {
    if (o.offset < 0) {
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("cannot commit negative offset ", o.offset,
                                " for ", tp.ToString()));
    }
    // Find, not TopicCatalog::Get: a commit never creates a topic.
    std::shared_ptr<Topic> topic = topics_->Find(tp.topic);
    if (topic == nullptr) return UnknownTopic(tp.topic);
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
  }
  if (member != nullptr) {
    if (!member->fenced.ok()) return member->fenced;
    if (offsets.empty()) return absl::OkStatus();
    // Group members commit through the coordinator's generation check.
    return coordinator_->CommitOffsets(group_id_, member->member_id,
                                       member->generation, offsets);
  }
  if (offsets.empty()) return absl::OkStatus();
  return coordinator_->CommitOutsideGroup(group_id_, offsets);
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
Committer::Committed(absl::Span<const TopicPartition> partitions) const {
  if (group_id_.empty()) return NoGroup();
  return offsets_->Fetch(group_id_, partitions);
}

}  // namespace brook
