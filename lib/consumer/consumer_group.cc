// The client side of the consumer group protocol, run inside Poll as in
// Kafka's ConsumerCoordinator: heartbeat, (re)join, collect the assignment,
// and call the rebalance listener in Kafka's order. Listeners run on the
// consumer's thread with no brook lock held (the coordinator's calls return
// before any listener runs).
#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "brook/log.h"
#include "consumer/consumer_impl.h"
#include "util/logging.h"
#include "util/status_macros.h"

namespace brook {
namespace {

std::vector<TopicPartition> Minus(const std::vector<TopicPartition>& a,
                                  const std::vector<TopicPartition>& b) {
  std::set<TopicPartition> drop(b.begin(), b.end());
  std::vector<TopicPartition> out;
  for (const TopicPartition& tp : a) {
    if (!drop.count(tp)) out.push_back(tp);
  }
  return out;
}

}  // namespace

ConsumerImpl::ListenerRef::ListenerRef(ConsumerRebalanceListener* listener)
    : raw(listener),
      alive(listener != nullptr ? listener->liveness() : nullptr) {}

ConsumerImpl::ListenerRef::ListenerRef(
    std::shared_ptr<ConsumerRebalanceListener> listener)
    : ListenerRef(listener.get()) {
  owner = std::move(listener);
}

ConsumerRebalanceListener* ConsumerImpl::LiveListener() const {
  if (listener_.raw == nullptr) return nullptr;
  if (listener_.alive->load(std::memory_order_acquire)) return listener_.raw;
  const std::string message = absl::StrCat(
      "consumer ", options_.client_id,
      ": the rebalance listener given to Subscribe was destroyed while the "
      "consumer still needed it; it was not called. Keep it alive until the "
      "consumer is closed, or pass it as a std::shared_ptr");
#ifndef NDEBUG
  Log(LogLevel::kError, message);
  std::abort();
#else
  Log(LogLevel::kError, message);
  return nullptr;
#endif
}

absl::Status ConsumerImpl::Subscribe(absl::Span<const std::string> topics,
                                     ConsumerRebalanceListener* listener) {
  return SubscribeTopics(topics, ListenerRef(listener));
}

absl::Status ConsumerImpl::Subscribe(
    absl::Span<const std::string> topics,
    std::shared_ptr<ConsumerRebalanceListener> listener) {
  return SubscribeTopics(topics, ListenerRef(std::move(listener)));
}

absl::Status ConsumerImpl::SubscribePattern(
    absl::string_view regex, ConsumerRebalanceListener* listener) {
  return SubscribeRegex(regex, ListenerRef(listener));
}

absl::Status ConsumerImpl::SubscribePattern(
    absl::string_view regex,
    std::shared_ptr<ConsumerRebalanceListener> listener) {
  return SubscribeRegex(regex, ListenerRef(std::move(listener)));
}

absl::Status ConsumerImpl::SubscribeTopics(absl::Span<const std::string> topics,
                                           ListenerRef listener) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) {
    return Error(ErrorCode::kInvalidGroupId,
                 "Subscribe needs a group.id (ConsumerOptions::group_id)");
  }
  if (mode_ == Mode::kAssigned) {
    return Error(ErrorCode::kIllegalState,
                 "Assign and Subscribe are mutually exclusive: the consumer "
                 "has assigned partitions (call Assign with none first)");
  }
  for (const std::string& t : topics) {
    if (t.empty()) {
      return Error(ErrorCode::kInvalidTopic, "cannot subscribe to topic ''");
    }
  }
  if (topics.empty()) {  // Kafka: subscribing to nothing unsubscribes.
    if (subscribed()) LeaveGroup(/*lost=*/false);
    return absl::OkStatus();
  }
  std::vector<std::string> sorted(topics.begin(), topics.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  pattern_.reset();
  return SubscribeSorted(std::move(sorted), std::move(listener));
}

absl::Status ConsumerImpl::SubscribeRegex(absl::string_view regex,
                                          ListenerRef listener) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) {
    return Error(
        ErrorCode::kInvalidGroupId,
        "SubscribePattern needs a group.id (ConsumerOptions::group_id)");
  }
  if (mode_ == Mode::kAssigned) {
    return Error(ErrorCode::kIllegalState,
                 "Assign and SubscribePattern are mutually exclusive: the "
                 "consumer has assigned partitions (call Assign with none "
                 "first)");
  }
  std::regex re;
  try {
    re.assign(regex.begin(), regex.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Error(ErrorCode::kInvalidRequest,
                 absl::StrCat("SubscribePattern: invalid regex '", regex,
                              "': ", e.what()));
  }
  pattern_ = std::move(re);
  std::vector<std::string> matched;
  for (std::string& t : core_->topics().List()) {
    if (std::regex_match(t, *pattern_)) matched.push_back(std::move(t));
  }
  std::sort(matched.begin(), matched.end());
  return SubscribeSorted(std::move(matched), std::move(listener));
}

absl::Status ConsumerImpl::SubscribeSorted(std::vector<std::string> sorted,
                                           ListenerRef listener) {
  listener_ = std::move(listener);
  next_metadata_check_ = core_->clock()->Now() + options_.metadata_max_age;
  if (subscribed() && sorted != subscription_) {
    // The group must learn the new subscription: rejoin on the next Poll.
    if (join_state_ == JoinState::kStable) {
      join_state_ = JoinState::kNeedJoin;
    } else {
      rejoin_requested_ = true;
    }
  }
  subscription_ = std::move(sorted);
  mode_ = Mode::kSubscribed;
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Unsubscribe() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (subscribed()) LeaveGroup(/*lost=*/false);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ConsumerImpl::Subscription() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscription_;
}

absl::StatusOr<ConsumerGroupMetadata> ConsumerImpl::GroupMetadata() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  ConsumerGroupMetadata m;
  m.group_id = options_.group_id;
  m.generation_id = generation_;
  m.member_id = member_id_;
  if (!options_.group_instance_id.empty()) {
    m.group_instance_id = options_.group_instance_id;
  }
  return m;
}

absl::Status ConsumerImpl::EnforceRebalance() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "EnforceRebalance needs a subscription");
  }
  if (join_state_ == JoinState::kStable) {
    join_state_ = JoinState::kNeedJoin;
  } else {
    rejoin_requested_ = true;
  }
  return absl::OkStatus();
}

std::map<std::string, int32_t> ConsumerImpl::SubscribedMetadata() const {
  std::map<std::string, int32_t> out;
  for (const std::string& t : subscription_) {
    std::shared_ptr<Topic> topic = core_->topics().Find(t);
    out[t] = topic == nullptr ? 0 : topic->num_partitions();
  }
  return out;
}

bool ConsumerImpl::MetadataChanged(absl::Time now) {
  if (now < next_metadata_check_) return false;
  next_metadata_check_ = now + options_.metadata_max_age;
  if (pattern_) {
    std::vector<std::string> matched;
    for (std::string& t : core_->topics().List()) {
      if (std::regex_match(t, *pattern_)) matched.push_back(std::move(t));
    }
    std::sort(matched.begin(), matched.end());
    subscription_ = std::move(matched);
  }
  return SubscribedMetadata() != joined_metadata_;
}

absl::Status ConsumerImpl::GroupStep() {
  GroupCoordinator& gc = core_->coordinator();
  // A few transitions per call at most: heartbeat → join → collect →
  // (cooperative) rejoin → collect. Anything longer waits for the next
  // round of the Poll loop.
  if (!fenced_.ok()) return fenced_;
  for (int round = 0; round < 6 && subscribed() && !closed_; ++round) {
    switch (join_state_) {
      case JoinState::kStable: {
        if (MetadataChanged(core_->clock()->Now())) {
          // Kafka's leader rejoins when the metadata it assigned from
          // changed; any member noticing first does the same here.
          join_state_ = JoinState::kNeedJoin;
          break;
        }
        absl::Status hb =
            gc.Heartbeat(options_.group_id, member_id_, generation_);
        if (hb.ok()) return absl::OkStatus();
        const ErrorCode code = GetErrorCode(hb);
        if (code == ErrorCode::kUnknownMemberId) {
          LosePartitions();
        } else if (code == ErrorCode::kFencedInstanceId) {
          Fence(hb);
          return hb;
        } else if (code == ErrorCode::kRebalanceInProgress ||
                   code == ErrorCode::kIllegalGeneration) {
          join_state_ = JoinState::kNeedJoin;
        } else {
          return hb;
        }
        break;
      }
      case JoinState::kNeedJoin:
        PrepareJoin();
        if (!subscribed() || closed_) return absl::OkStatus();
        BROOK_RETURN_IF_ERROR(SendJoin());
        break;
      case JoinState::kJoining: {
        absl::StatusOr<std::optional<JoinResult>> result =
            gc.TakeJoinResult(options_.group_id, member_id_);
        if (!result.ok()) {
          if (GetErrorCode(result.status()) == ErrorCode::kUnknownMemberId) {
            LosePartitions();
            break;
          }
          if (GetErrorCode(result.status()) == ErrorCode::kFencedInstanceId) {
            Fence(result.status());
            return result.status();
          }
          join_state_ = JoinState::kNeedJoin;
          return result.status();
        }
        if (!result->has_value()) return absl::OkStatus();  // Still waiting.
        ApplyJoinResult(**result);
        break;
      }
    }
  }
  return absl::OkStatus();
}

void ConsumerImpl::PrepareJoin() {
  if (member_id_.empty() || generation_ < 0) {
    // Kafka's onJoinPrepare with no generation: anything still held was
    // already given away.
    if (!assigned_.empty()) LosePartitions();
    return;
  }
  if (auto_commit_) {
    // As Kafka's onJoinPrepare; a failure is logged there, ignored here
    // (the records are re-read).
    DoCommit(ConsumedOffsets()).IgnoreError();
  }
  if (!cooperative_) {
    // Eager: stop the world. Revoked is called even when nothing is owned.
    std::vector<TopicPartition> revoked = AssignedList();
    if (ConsumerRebalanceListener* l = LiveListener()) {
      l->OnPartitionsRevoked(revoked);
    }
    InstallAssignment({});
    return;
  }
  // Cooperative: give up only partitions of topics no longer subscribed.
  std::vector<TopicPartition> revoked;
  for (const TopicPartition& tp : AssignedList()) {
    if (!std::binary_search(subscription_.begin(), subscription_.end(),
                            tp.topic)) {
      revoked.push_back(tp);
    }
  }
  if (!revoked.empty()) {
    if (ConsumerRebalanceListener* l = LiveListener()) {
      l->OnPartitionsRevoked(revoked);
    }
    InstallAssignment(Minus(AssignedList(), revoked));
  }
}

absl::Status ConsumerImpl::SendJoin() {
  JoinRequest request;
  request.group_id = options_.group_id;
  request.member_id = member_id_;
  request.client_id = options_.client_id;
  request.group_instance_id = options_.group_instance_id;
  request.topics = subscription_;
  joined_metadata_ = SubscribedMetadata();
  request.strategies = options_.assignment_strategies;
  request.owned = AssignedList();
  request.owned_generation = generation_;
  request.previous_assignment = last_assignment_;
  request.previous_generation = last_assignment_generation_;
  request.max_poll_interval = options_.max_poll_interval;
  request.session_timeout = options_.session_timeout;
  absl::StatusOr<std::string> id = core_->coordinator().Join(request);
  if (!id.ok() && GetErrorCode(id.status()) == ErrorCode::kUnknownMemberId) {
    LosePartitions();  // Removed meanwhile: join again as a new member.
    request.member_id.clear();
    request.owned.clear();
    request.owned_generation = -1;
    id = core_->coordinator().Join(request);
  }
  if (!id.ok() && GetErrorCode(id.status()) == ErrorCode::kFencedInstanceId) {
    Fence(id.status());
  }
  if (!id.ok()) return id.status();
  member_id_ = *std::move(id);
  join_state_ = JoinState::kJoining;
  rejoin_requested_ = false;
  return absl::OkStatus();
}

void ConsumerImpl::ApplyJoinResult(const JoinResult& result) {
  generation_ = result.generation;
  last_assignment_ = result.assignment;
  last_assignment_generation_ = result.generation;
  join_state_ = JoinState::kStable;
  const std::vector<TopicPartition> owned = AssignedList();
  const std::vector<TopicPartition> added = Minus(result.assignment, owned);
  const std::vector<TopicPartition> revoked = Minus(owned, result.assignment);
  if (!revoked.empty()) {
    // Cooperative: what moves to another member is revoked now (while its
    // positions can still be committed) and handed over in a follow-up
    // rebalance that this rejoin starts. (Eager members own nothing here.)
    if (auto_commit_) {
      OffsetMap offsets;
      for (const auto& [tp, o] : ConsumedOffsets()) {
        if (std::binary_search(revoked.begin(), revoked.end(), tp)) {
          offsets.emplace(tp, o);
        }
      }
      DoCommit(offsets).IgnoreError();  // Best effort, as before a rejoin.
    }
    if (ConsumerRebalanceListener* l = LiveListener()) {
      l->OnPartitionsRevoked(revoked);
    }
    if (closed_ || !subscribed()) return;
    join_state_ = JoinState::kNeedJoin;
  }
  if (rejoin_requested_) join_state_ = JoinState::kNeedJoin;
  InstallAssignment(result.assignment);
  // Kafka calls onPartitionsAssigned after every completed rebalance, even
  // with nothing added.
  if (ConsumerRebalanceListener* l = LiveListener()) {
    l->OnPartitionsAssigned(added);
  }
}

void ConsumerImpl::LosePartitions() {
  std::vector<TopicPartition> lost = AssignedList();
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  ConsumerRebalanceListener* l = lost.empty() ? nullptr : LiveListener();
  if (l != nullptr) l->OnPartitionsLost(lost);
  InstallAssignment({});
}

void ConsumerImpl::Fence(absl::Status status) {
  std::vector<TopicPartition> lost = AssignedList();
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  fenced_ = std::move(status);
  ConsumerRebalanceListener* l = lost.empty() ? nullptr : LiveListener();
  if (l != nullptr) l->OnPartitionsLost(lost);
  InstallAssignment({});
}

void ConsumerImpl::LeaveGroup(bool lost) {
  std::vector<TopicPartition> owned = AssignedList();
  ConsumerRebalanceListener* l = owned.empty() ? nullptr : LiveListener();
  if (l != nullptr) {
    if (lost || member_id_.empty()) {
      l->OnPartitionsLost(owned);
    } else {
      l->OnPartitionsRevoked(owned);
    }
  }
  if (!member_id_.empty()) {
    if (!options_.group_instance_id.empty()) {
      // As Kafka (AbstractCoordinator.maybeLeaveGroup): a static member
      // sends no LeaveGroup, on Close or Unsubscribe; only the session
      // timeout removes it, so a restart (or a new subscription) with the
      // same group.instance.id within it keeps its partitions and the
      // others do not rebalance.
      core_->coordinator().MarkUnresponsive(options_.group_id, member_id_);
    } else {
      core_->coordinator().Leave(options_.group_id, member_id_);
    }
  }
  InstallAssignment({});
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  rejoin_requested_ = false;
  subscription_.clear();
  pattern_.reset();
  joined_metadata_.clear();
  listener_ = ListenerRef();
  mode_ = Mode::kNone;
}

absl::Time ConsumerImpl::GroupWaitDeadline(absl::Time deadline) {
  // Under ManualClock nobody else may run the group's timers, so a waiter
  // wakes at the group's next deadline and runs them on its next step.
  // The metadata check is one of the member's own timers; it runs only in
  // a stable group (a join under way reads fresh metadata anyway).
  const absl::Time metadata = join_state_ == JoinState::kStable
                                  ? next_metadata_check_
                                  : absl::InfiniteFuture();
  return std::min({deadline, metadata,
                   core_->coordinator().NextDeadline(options_.group_id)});
}

}  // namespace brook
