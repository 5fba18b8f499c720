#include "core/topic_catalog.h"

#include <string>
#include <utility>

#include "brook/error.h"
#include "util/status_macros.h"

namespace brook {

absl::StatusOr<std::shared_ptr<Topic>> TopicCatalog::Get(
    absl::string_view name) {
  if (closed_->closed()) return ClosedFlag::Error();
  std::shared_ptr<Topic> topic = topics_->Find(name);
  if (topic != nullptr) return topic;
  BROOK_RETURN_IF_ERROR(topics_->Unreadable(name));
  if (!policy_.auto_create) return UnknownTopic(name);
  absl::StatusOr<std::shared_ptr<Topic>> created =
      topics_->Create(name, policy_.default_partitions, TopicConfig());
  if (GetErrorCode(created.status()) == ErrorCode::kTopicAlreadyExists) {
    topic = topics_->Find(name);  // Another thread created it first.
    if (topic != nullptr) return topic;
  }
  return created;
}

absl::Status TopicCatalog::Create(absl::string_view name, int32_t partitions,
                                  const TopicConfig& config) {
  if (closed_->closed()) return ClosedFlag::Error();
  return topics_->Create(name, PartitionsOrDefault(partitions), config)
      .status();
}

std::vector<absl::Status> TopicCatalog::CreateMany(
    const std::vector<NewTopic>& topics) {
  if (closed_->closed()) {
    return std::vector<absl::Status>(topics.size(), ClosedFlag::Error());
  }
  std::vector<NewTopic> resolved = topics;
  for (NewTopic& t : resolved) t.partitions = PartitionsOrDefault(t.partitions);
  std::vector<absl::Status> out;
  for (const auto& created : topics_->CreateMany(resolved)) {
    out.push_back(created.status());
  }
  return out;
}

absl::Status TopicCatalog::Delete(absl::string_view name) {
  if (closed_->closed()) return ClosedFlag::Error();
  // The topic's committed offsets go in the same write as its record, so a
  // topic re-created under the name never inherits them.
  StoreWriteBatch removal;
  BROOK_RETURN_IF_ERROR(offsets_->AddTopicDeletes(name, &removal));
  // The checkpoint forgets the topic first (see SyncedEnds::Forget).
  std::string forgotten;
  if (std::shared_ptr<Topic> topic = topics_->Find(name);
      topic != nullptr && synced_ends_ != nullptr) {
    forgotten = topic->cf().name();
    BROOK_RETURN_IF_ERROR(synced_ends_->Forget(forgotten));
  }
  absl::StatusOr<TopicRegistry::Removed> removed_or =
      topics_->Remove(name, &removal);
  if (!removed_or.ok()) {
    if (!forgotten.empty()) synced_ends_->Remember(forgotten);
    return removed_or.status();
  }
  TopicRegistry::Removed& removed = *removed_or;
  if (removed.topic != nullptr) {
    // Fence the appender: after this no write names the topic's family.
    appender_->RunExclusive([&] { removed.topic->MarkDeleted(); });
    notifier_->Notify();  // Consumers stop waiting on the deleted partitions.
  }
  // The topic is deleted once its record is: a failure to drop the family
  // leaves an orphan that the next open drops, not a topic.
  if (removed.family != nullptr) {
    store_->DropFamily(*removed.family).IgnoreError();
  }
  return absl::OkStatus();
}

}  // namespace brook
