#include "client/subscription_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {
namespace {

bool PartitionLess(const SubscriptionState::Assigned& a,
                   const TopicPartition& tp) {
  return a.partition < tp;
}

}  // namespace

bool SubscriptionState::Subscribe(std::vector<std::string> topics) {
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  pattern_.reset();
  const bool changed = subscribed() && topics != subscription_;
  subscription_ = std::move(topics);
  mode_ = Mode::kSubscribed;
  return changed;
}

bool SubscriptionState::SubscribePattern(TopicPattern pattern,
                                         std::vector<std::string> matched) {
  std::sort(matched.begin(), matched.end());
  pattern_ = std::move(pattern);
  const bool changed = subscribed() && matched != subscription_;
  subscription_ = std::move(matched);
  mode_ = Mode::kSubscribed;
  return changed;
}

void SubscriptionState::SetPatternTopics(std::vector<std::string> matched) {
  std::sort(matched.begin(), matched.end());
  subscription_ = std::move(matched);
}

void SubscriptionState::Unsubscribe() {
  SetAssignment({});
  subscription_.clear();
  pattern_.reset();
  mode_ = Mode::kNone;
}

bool SubscriptionState::IsSubscribedTopic(absl::string_view topic) const {
  return std::binary_search(subscription_.begin(), subscription_.end(),
                            topic);
}

void SubscriptionState::AssignFromUser(
    const std::vector<TopicPartition>& partitions) {
  SetAssignment(partitions);
  mode_ = assigned_.empty() ? Mode::kNone : Mode::kAssigned;
}

void SubscriptionState::AssignFromSubscribed(
    const std::vector<TopicPartition>& partitions) {
  SetAssignment(partitions);
}

void SubscriptionState::SetAssignment(
    const std::vector<TopicPartition>& partitions) {
  std::vector<TopicPartition> sorted = partitions;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<Assigned> next;
  next.reserve(sorted.size());
  for (TopicPartition& tp : sorted) {
    // As Kafka's assignFromUser / assignFromSubscribed: a partition that
    // stays keeps its position and pause flag.
    PartitionState* old = Find(tp);
    next.push_back(Assigned{std::move(tp),
                            old != nullptr ? *old : PartitionState()});
  }
  assigned_ = std::move(next);
  fetch_start_ = 0;
}

void SubscriptionState::ResetPartitionState(const TopicPartition& tp) {
  if (PartitionState* s = Find(tp)) *s = PartitionState();
}

std::vector<TopicPartition> SubscriptionState::AssignedPartitions() const {
  std::vector<TopicPartition> out;
  out.reserve(assigned_.size());
  for (const Assigned& a : assigned_) out.push_back(a.partition);
  return out;
}

SubscriptionState::PartitionState* SubscriptionState::Find(
    const TopicPartition& tp) {
  auto it = std::lower_bound(assigned_.begin(), assigned_.end(), tp,
                             PartitionLess);
  if (it == assigned_.end() || it->partition != tp) return nullptr;
  return &it->state;
}

const SubscriptionState::PartitionState* SubscriptionState::Find(
    const TopicPartition& tp) const {
  return const_cast<SubscriptionState*>(this)->Find(tp);
}

absl::StatusOr<SubscriptionState::PartitionState*>
SubscriptionState::FindAssigned(const TopicPartition& tp,
                                absl::string_view op) {
  PartitionState* s = Find(tp);
  if (s == nullptr) {
    return Error(ErrorCode::kIllegalState,
                 absl::StrCat(op, ": no current assignment for partition ",
                              tp.ToString()));
  }
  return s;
}

OffsetMap SubscriptionState::ConsumedOffsets() const {
  OffsetMap offsets;
  for (const Assigned& a : assigned_) {
    if (a.state.position) {
      offsets.emplace(a.partition, OffsetAndMetadata(*a.state.position));
    }
  }
  return offsets;
}

std::vector<TopicPartition> SubscriptionState::Paused() const {
  std::vector<TopicPartition> out;
  for (const Assigned& a : assigned_) {
    if (a.state.paused) out.push_back(a.partition);
  }
  return out;
}

void SubscriptionState::AdvanceFetchStart() {
  if (!assigned_.empty()) fetch_start_ = (fetch_start_ + 1) % assigned_.size();
}

}  // namespace brook
