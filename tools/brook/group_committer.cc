#include "group_committer.h"

namespace brook {
namespace cli {

absl::Status GroupCommitter::Start(
    const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) {
    absl::StatusOr<int64_t> position = consumer_->Position(tp);
    if (!position.ok()) return position.status();
    all_[tp] = OffsetAndMetadata(*position);
  }
  return absl::OkStatus();
}

absl::Status GroupCommitter::CommitPrinted(const OffsetMap& printed) {
  for (const auto& [tp, next] : printed) all_[tp] = next;
  return consumer_->CommitSync(printed);
}

absl::Status GroupCommitter::CommitAll() { return consumer_->CommitSync(all_); }

}  // namespace cli
}  // namespace brook
