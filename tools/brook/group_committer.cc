#include "group_committer.h"

#include "brook/error.h"

namespace brook {
namespace cli {
namespace {

// Commit refusals that a subscribed member outlives (see CommitPrinted).
bool IsRebalanceRefusal(const absl::Status& s) {
  const ErrorCode code = GetErrorCode(s);
  return code == ErrorCode::kRebalanceInProgress ||
         code == ErrorCode::kCommitFailed;
}

}  // namespace

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
  absl::Status s = consumer_->CommitSync(printed);
  if (IsRebalanceRefusal(s)) return absl::OkStatus();
  return s;
}

absl::Status GroupCommitter::CommitAll() {
  absl::Status s =
      all_.empty() ? absl::OkStatus() : consumer_->CommitSync(all_);
  if (IsRebalanceRefusal(s)) s = absl::OkStatus();
  return callback_error_.ok() ? s : callback_error_;
}

void GroupCommitter::OnPartitionsAssigned(
    const std::vector<TopicPartition>& partitions) {
  assigned_ = true;
  absl::Status s = Start(partitions);
  if (!s.ok() && callback_error_.ok()) callback_error_ = s;
}

void GroupCommitter::OnPartitionsRevoked(
    const std::vector<TopicPartition>& partitions) {
  OffsetMap revoked;
  for (const TopicPartition& tp : partitions) {
    auto it = all_.find(tp);
    if (it == all_.end()) continue;
    revoked.insert(*it);
    all_.erase(it);
  }
  if (revoked.empty()) return;
  absl::Status s = consumer_->CommitSync(revoked);
  if (!s.ok() && !IsRebalanceRefusal(s) && callback_error_.ok()) {
    callback_error_ = s;
  }
}

void GroupCommitter::OnPartitionsLost(
    const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) all_.erase(tp);
}

}  // namespace cli
}  // namespace brook
