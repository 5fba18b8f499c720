// The client side of the consumer group protocol, run inside Poll as in
// Kafka's ConsumerCoordinator.
#include "consumer/consumer_coordinator.h"

#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "brook/assignor.h"
#include "brook/error.h"
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

// As Kafka's ConsumerCoordinator: the consumer rebalances cooperatively only
// when every configured assignor supports it.
bool AllCooperative(const std::vector<std::string>& strategies) {
  for (const std::string& name : strategies) {
    std::shared_ptr<Assignor> a = AssignorByName(name);
    if (a == nullptr) return false;
    std::vector<RebalanceProtocol> p = a->supported_protocols();
    if (std::find(p.begin(), p.end(), RebalanceProtocol::kCooperative) ==
        p.end()) {
      return false;
    }
  }
  return !strategies.empty();
}

}  // namespace

ConsumerCoordinator::ConsumerCoordinator(
    GroupCoordinator* coordinator, TopicRegistry* topics, Clock* clock,
    const ConsumerOptions* options, bool auto_commit,
    SubscriptionState* subscriptions, RebalanceInvoker* listener,
    Committer* committer, const bool* closed, Hooks hooks)
    : coordinator_(coordinator),
      topics_(topics),
      clock_(clock),
      options_(options),
      auto_commit_(auto_commit),
      cooperative_(AllCooperative(options->assignment_strategies)),
      subscriptions_(subscriptions),
      listener_(listener),
      committer_(committer),
      closed_(closed),
      hooks_(std::move(hooks)) {}

ConsumerGroupMetadata ConsumerCoordinator::Metadata() const {
  ConsumerGroupMetadata m;
  m.group_id = options_->group_id;
  m.generation_id = generation_;
  m.member_id = member_id_;
  if (!options_->group_instance_id.empty()) {
    m.group_instance_id = options_->group_instance_id;
  }
  return m;
}

MemberGeneration ConsumerCoordinator::Generation() const {
  MemberGeneration g;
  g.member_id = member_id_;
  g.generation = generation_;
  g.rebalancing = join_state_ == JoinState::kJoining;
  g.fenced = fenced_;
  return g;
}

void ConsumerCoordinator::OnSubscribe(bool changed) {
  next_metadata_check_ = clock_->Now() + options_->metadata_max_age;
  // The group must learn the new subscription: rejoin on the next Poll.
  if (changed) RequestRejoin();
}

void ConsumerCoordinator::RequestRejoin() {
  if (join_state_ == JoinState::kStable) {
    join_state_ = JoinState::kNeedJoin;
  } else {
    rejoin_requested_ = true;
  }
}

void ConsumerCoordinator::EndPoll() {
  if (subscriptions_->subscribed() && !member_id_.empty()) {
    coordinator_->EndPoll(options_->group_id, member_id_);
  }
}

void ConsumerCoordinator::MarkUnresponsive() {
  if (subscriptions_->subscribed() && !member_id_.empty()) {
    coordinator_->MarkUnresponsive(options_->group_id, member_id_);
  }
}

void ConsumerCoordinator::MarkResponsive() {
  if (subscriptions_->subscribed() && !member_id_.empty()) {
    coordinator_->MarkResponsive(options_->group_id, member_id_);
  }
}

std::map<std::string, int32_t> ConsumerCoordinator::SubscribedMetadata() const {
  std::map<std::string, int32_t> out;
  for (const std::string& t : subscriptions_->subscription()) {
    std::shared_ptr<Topic> topic = topics_->Find(t);
    out[t] = topic == nullptr ? 0 : topic->num_partitions();
  }
  return out;
}

bool ConsumerCoordinator::MetadataChanged(absl::Time now) {
  if (now < next_metadata_check_) return false;
  next_metadata_check_ = now + options_->metadata_max_age;
  if (const std::optional<TopicPattern>& pattern = subscriptions_->pattern()) {
    subscriptions_->SetPatternTopics(pattern->Filter(topics_->List()));
  }
  return SubscribedMetadata() != joined_metadata_;
}

absl::Status ConsumerCoordinator::Poll() {
  // A few transitions per call at most: heartbeat → join → collect →
  // (cooperative) rejoin → collect. Anything longer waits for the next
  // round of the Poll loop.
  if (!fenced_.ok()) return fenced_;
  for (int round = 0; round < 6 && active(); ++round) {
    switch (join_state_) {
      case JoinState::kStable: {
        if (MetadataChanged(clock_->Now())) {
          // Kafka's leader rejoins when the metadata it assigned from
          // changed; any member noticing first does the same here.
          join_state_ = JoinState::kNeedJoin;
          break;
        }
        absl::Status hb =
            coordinator_->Heartbeat(options_->group_id, member_id_,
                                    generation_);
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
        if (!active()) return absl::OkStatus();
        BROOK_RETURN_IF_ERROR(SendJoin());
        break;
      case JoinState::kJoining: {
        absl::StatusOr<std::optional<JoinResult>> result =
            coordinator_->TakeJoinResult(options_->group_id, member_id_);
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

void ConsumerCoordinator::CommitBeforeRevoke(const OffsetMap& offsets) {
  const MemberGeneration g = Generation();
  // As Kafka's onJoinPrepare; a failure is logged there, ignored here (the
  // records are re-read).
  committer_->Commit(offsets, &g).IgnoreError();
}

void ConsumerCoordinator::PrepareJoin() {
  if (member_id_.empty() || generation_ < 0) {
    // Kafka's onJoinPrepare with no generation: anything still held was
    // already given away.
    if (!subscriptions_->empty()) LosePartitions();
    return;
  }
  if (auto_commit_) CommitBeforeRevoke(hooks_.consumed_offsets());
  const std::vector<TopicPartition> owned =
      subscriptions_->AssignedPartitions();
  if (!cooperative_) {
    // Eager: stop the world. Revoked is called even when nothing is owned.
    listener_->Revoked(owned);
    hooks_.install({});
    return;
  }
  // Cooperative: give up only partitions of topics no longer subscribed.
  std::vector<TopicPartition> revoked;
  for (const TopicPartition& tp : owned) {
    if (!subscriptions_->IsSubscribedTopic(tp.topic)) revoked.push_back(tp);
  }
  if (!revoked.empty()) {
    listener_->Revoked(revoked);
    hooks_.install(Minus(subscriptions_->AssignedPartitions(), revoked));
  }
}

absl::Status ConsumerCoordinator::SendJoin() {
  JoinRequest request;
  request.group_id = options_->group_id;
  request.member_id = member_id_;
  request.client_id = options_->client_id;
  request.group_instance_id = options_->group_instance_id;
  request.topics = subscriptions_->subscription();
  joined_metadata_ = SubscribedMetadata();
  request.strategies = options_->assignment_strategies;
  request.owned = subscriptions_->AssignedPartitions();
  request.owned_generation = generation_;
  request.previous_assignment = last_assignment_;
  request.previous_generation = last_assignment_generation_;
  request.max_poll_interval = options_->max_poll_interval;
  request.session_timeout = options_->session_timeout;
  absl::StatusOr<std::string> id = coordinator_->Join(request);
  if (!id.ok() && GetErrorCode(id.status()) == ErrorCode::kUnknownMemberId) {
    LosePartitions();  // Removed meanwhile: join again as a new member.
    request.member_id.clear();
    request.owned.clear();
    request.owned_generation = -1;
    id = coordinator_->Join(request);
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

void ConsumerCoordinator::ApplyJoinResult(const JoinResult& result) {
  generation_ = result.generation;
  last_assignment_ = result.assignment;
  last_assignment_generation_ = result.generation;
  join_state_ = JoinState::kStable;
  const std::vector<TopicPartition> owned =
      subscriptions_->AssignedPartitions();
  const std::vector<TopicPartition> added = Minus(result.assignment, owned);
  const std::vector<TopicPartition> revoked = Minus(owned, result.assignment);
  if (!revoked.empty()) {
    // Cooperative: what moves to another member is revoked now (while its
    // positions can still be committed) and handed over in a follow-up
    // rebalance that this rejoin starts. (Eager members own nothing here.)
    if (auto_commit_) {
      OffsetMap offsets;
      for (const auto& [tp, o] : hooks_.consumed_offsets()) {
        if (std::binary_search(revoked.begin(), revoked.end(), tp)) {
          offsets.emplace(tp, o);
        }
      }
      CommitBeforeRevoke(offsets);
    }
    listener_->Revoked(revoked);
    if (!active()) return;
    join_state_ = JoinState::kNeedJoin;
  }
  if (rejoin_requested_) join_state_ = JoinState::kNeedJoin;
  hooks_.install(result.assignment);
  // Kafka calls onPartitionsAssigned after every completed rebalance, even
  // with nothing added.
  listener_->Assigned(added);
}

void ConsumerCoordinator::LosePartitions() {
  std::vector<TopicPartition> lost = subscriptions_->AssignedPartitions();
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  if (!lost.empty()) listener_->Lost(lost);
  hooks_.install({});
}

void ConsumerCoordinator::Fence(absl::Status status) {
  std::vector<TopicPartition> lost = subscriptions_->AssignedPartitions();
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  fenced_ = std::move(status);
  if (!lost.empty()) listener_->Lost(lost);
  hooks_.install({});
}

void ConsumerCoordinator::Leave(bool lost) {
  std::vector<TopicPartition> owned = subscriptions_->AssignedPartitions();
  if (!owned.empty()) {
    if (lost || member_id_.empty()) {
      listener_->Lost(owned);
    } else {
      listener_->Revoked(owned);
    }
  }
  if (!member_id_.empty()) {
    if (!options_->group_instance_id.empty()) {
      // As Kafka (AbstractCoordinator.maybeLeaveGroup): a static member
      // sends no LeaveGroup, on Close or Unsubscribe; only the session
      // timeout removes it, so a restart (or a new subscription) with the
      // same group.instance.id within it keeps its partitions and the
      // others do not rebalance.
      coordinator_->MarkUnresponsive(options_->group_id, member_id_);
    } else {
      coordinator_->Leave(options_->group_id, member_id_);
    }
  }
  hooks_.install({});
  member_id_.clear();
  generation_ = -1;
  join_state_ = JoinState::kNeedJoin;
  rejoin_requested_ = false;
  subscriptions_->Unsubscribe();
  joined_metadata_.clear();
  listener_->clear_listener();
}

absl::Time ConsumerCoordinator::WaitDeadline(absl::Time deadline) {
  // Under ManualClock nobody else may run the group's timers, so a waiter
  // wakes at the group's next deadline and runs them on its next step.
  // The metadata check is one of the member's own timers; it runs only in
  // a stable group (a join under way reads fresh metadata anyway).
  const absl::Time metadata = join_state_ == JoinState::kStable
                                  ? next_metadata_check_
                                  : absl::InfiniteFuture();
  return std::min({deadline, metadata,
                   coordinator_->NextDeadline(options_->group_id)});
}

}  // namespace brook
