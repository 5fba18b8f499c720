#include "consumer/consumer_impl.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/assignor.h"
#include "brook/error.h"
#include "util/status_macros.h"

namespace brook {

absl::StatusOr<std::unique_ptr<Consumer>> ConsumerImpl::Create(
    EngineParts engine, const ConsumerOptions& options) {
  if (engine.closed->closed()) return ClosedFlag::Error();
  // The struct obeys the rules (and gives the messages) of its properties;
  // parsing also turns Kafka's assignor class names into brook's.
  absl::StatusOr<ConsumerOptions> parsed =
      ConsumerOptions::FromProperties(options.ToProperties());
  if (!parsed.ok()) return parsed.status();
  ConsumerOptions checked = options;
  checked.assignment_strategies = std::move(parsed->assignment_strategies);
  for (const std::string& name : checked.assignment_strategies) {
    if (AssignorByName(name) == nullptr) {
      return Error(ErrorCode::kInvalidConfig,
                   absl::StrCat("partition.assignment.strategy: unknown "
                                "assignor '",
                                name, "'"));
    }
  }
  return std::unique_ptr<Consumer>(
      new ConsumerImpl(std::move(engine), checked));
}

ConsumerImpl::ConsumerImpl(EngineParts engine, const ConsumerOptions& options)
    : engine_(std::move(engine)),
      options_(options),
      clock_(engine_.clock),
      topics_(engine_.topics),
      notifier_(engine_.notifier),
      listener_(options_.client_id),
      auto_commit_(options_.enable_auto_commit && !options_.group_id.empty(),
                   options_.auto_commit_interval, clock_->Now()),
      fetcher_(engine_.store, engine_.cleaner,
               [catalog = engine_.catalog](absl::string_view topic) {
                 return catalog->Get(topic);
               },
               options_.auto_offset_reset, options_.max_poll_records),
      committer_(engine_.group_coordinator, engine_.offsets, topics_,
                 options_.group_id),
      coordinator_(engine_.group_coordinator, topics_, clock_, &options_,
                   auto_commit_.enabled(), &subscriptions_, &listener_,
                   &committer_, &closed_,
                   ConsumerCoordinator::Hooks{
                       [this] { return ConsumedOffsets(); },
                       [this](const std::vector<TopicPartition>& partitions) {
                         InstallAssignment(partitions);
                       }}) {}

ConsumerImpl::~ConsumerImpl() { Close().IgnoreError(); }  // Best effort.

absl::Status ConsumerImpl::Enter(const ThreadGuardScope& scope) const {
  if (!scope.status().ok()) return scope.status();
  if (crashed_) {
    return Error(ErrorCode::kClosed,
                 "the consumer crashed (brook::testing::CrashConsumer)");
  }
  if (closed_) return Error(ErrorCode::kClosed, "the consumer is closed");
  if (frozen_) {
    return Error(ErrorCode::kIllegalState,
                 "the consumer is frozen (brook::testing::FreezeConsumer); "
                 "thaw it first");
  }
  if (engine_.closed->closed()) return ClosedFlag::Error();
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Assign(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "Assign and Subscribe are mutually exclusive: the consumer "
                 "is subscribed (call Unsubscribe first)");
  }
  BROOK_ASSIGN_OR_RETURN(auto topics, fetcher_.ResolveTopics(partitions));
  // As Kafka does, commit what was consumed before the assignment changes.
  if (auto_commit_.enabled()) {
    BROOK_RETURN_IF_ERROR(DoCommit(ConsumedOffsets()));
  }
  std::vector<TopicPartition> next;
  next.reserve(topics.size());
  for (const auto& [tp, topic] : topics) next.push_back(tp);
  const std::vector<TopicPartition> replaced = fetcher_.Bind(std::move(topics));
  subscriptions_.AssignFromUser(next);
  // A re-created topic's partition starts over (no position, not paused).
  for (const TopicPartition& tp : replaced) {
    subscriptions_.ResetPartitionState(tp);
  }
  return absl::OkStatus();
}

void ConsumerImpl::InstallAssignment(
    const std::vector<TopicPartition>& partitions) {
  subscriptions_.AssignFromSubscribed(fetcher_.BindAssignment(partitions));
}

absl::StatusOr<std::vector<TopicPartition>> ConsumerImpl::Assignment() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscriptions_.AssignedPartitions();
}

absl::Status ConsumerImpl::ResolvePositions() {
  const std::vector<TopicPartition> missing =
      fetcher_.ApplyPendingResets(&subscriptions_);
  if (missing.empty()) return absl::OkStatus();
  std::map<TopicPartition, OffsetAndMetadata> committed;
  if (committer_.has_group()) {
    BROOK_ASSIGN_OR_RETURN(committed, committer_.Committed(missing));
  }
  for (const TopicPartition& tp : missing) {
    SubscriptionState::PartitionState* state = subscriptions_.Find(tp);
    auto it = committed.find(tp);
    if (it != committed.end()) {
      state->Seek(it->second.offset);  // Range-checked by the fetch.
    } else {
      BROOK_RETURN_IF_ERROR(
          fetcher_.ResetPosition(tp, state, /*out_of_range=*/false));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ConsumerRecord>> ConsumerImpl::Poll(
    absl::Duration timeout) {
  BROOK_ASSIGN_OR_RETURN(ConsumerRecords records, PollRecords(timeout));
  return records.ToRecords();
}

absl::StatusOr<ConsumerRecords> ConsumerImpl::PollRecords(
    absl::Duration timeout) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (timeout < absl::ZeroDuration()) {
    // Kafka's Timer: IllegalArgumentException, before anything else.
    return Error(ErrorCode::kInvalidRequest,
                 absl::StrCat("Invalid negative timeout ",
                              absl::ToInt64Milliseconds(timeout)));
  }
  commit_callbacks_.RunAll();
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  BROOK_RETURN_IF_ERROR(fetcher_.TakeHeldError());
  if (subscriptions_.empty() && !subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "the consumer is not subscribed to any topics or assigned "
                 "any partitions");
  }
  BROOK_RETURN_IF_ERROR(MaybeAutoCommit());
  const absl::Time deadline = clock_->Now() + timeout;
  RecordsBuilder records;
  // A member is alive while inside Poll; its max.poll.interval.ms starts
  // when Poll returns.
  struct EndPoll {
    ConsumerCoordinator* coordinator;
    ~EndPoll() { coordinator->EndPoll(); }
  } end_poll{&coordinator_};
  for (;;) {
    const uint64_t seen = notifier_->version();
    if (subscribed()) {
      BROOK_RETURN_IF_ERROR(coordinator_.Poll());
      // A listener may have closed the consumer or unsubscribed.
      if (closed_) return Error(ErrorCode::kClosed, "the consumer is closed");
    }
    fetcher_.RunDueRetention();  // Positions are checked against its result.
    BROOK_RETURN_IF_ERROR(ResolvePositions());
    BROOK_RETURN_IF_ERROR(fetcher_.ResetOutOfRangePositions(&subscriptions_));
    BROOK_RETURN_IF_ERROR(fetcher_.Fetch(&subscriptions_, &records));
    if (!records.empty()) return records.Finish();
    if (engine_.closed->closed()) return ClosedFlag::Error();
    if (clock_->Now() >= deadline) return ConsumerRecords();
    notifier_->Wait(
        seen, wakeup_.flag(),
        subscribed() ? coordinator_.WaitDeadline(deadline) : deadline);
    BROOK_RETURN_IF_ERROR(wakeup_.Take());
  }
}

absl::Status ConsumerImpl::Seek(const TopicPartition& partition,
                                int64_t offset) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (offset < 0) {
    return Error(
        ErrorCode::kInvalidRequest,
        absl::StrCat("seek offset must not be negative, got ", offset));
  }
  BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                         subscriptions_.FindAssigned(partition, "Seek"));
  state->Seek(offset);
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToBeginning(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  constexpr auto kToStart = SubscriptionState::PendingReset::kToStart;
  if (partitions.empty()) {
    for (auto& a : subscriptions_.assigned()) a.state.RequestReset(kToStart);
    return absl::OkStatus();
  }
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                           subscriptions_.FindAssigned(tp, "SeekToBeginning"));
    state->RequestReset(kToStart);
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToEnd(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  constexpr auto kToEnd = SubscriptionState::PendingReset::kToEnd;
  if (partitions.empty()) {
    for (auto& a : subscriptions_.assigned()) a.state.RequestReset(kToEnd);
    return absl::OkStatus();
  }
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                           subscriptions_.FindAssigned(tp, "SeekToEnd"));
    state->RequestReset(kToEnd);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ConsumerImpl::Position(
    const TopicPartition& partition) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                         subscriptions_.FindAssigned(partition, "Position"));
  // A known position is returned as is; finding one may block in Kafka
  // (so a pending Wakeup is raised then).
  if (state->position) return *state->position;
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  fetcher_.RunDueRetention();
  BROOK_RETURN_IF_ERROR(ResolvePositions());
  return *subscriptions_.Find(partition)->position;
}

absl::StatusOr<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
ConsumerImpl::OffsetsForTimes(
    const std::map<TopicPartition, absl::Time>& timestamps) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const auto& [tp, t] : timestamps) {
    if (t < absl::UnixEpoch()) {
      // Kafka: IllegalArgumentException.
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("The target time for partition ", tp.ToString(),
                                " is ", absl::ToUnixMillis(t),
                                ". The target time cannot be negative."));
    }
  }
  if (!timestamps.empty()) BROOK_RETURN_IF_ERROR(wakeup_.Take());
  fetcher_.RunDueRetention();
  return fetcher_.OffsetsForTimes(timestamps);
}

absl::StatusOr<std::map<TopicPartition, int64_t>>
ConsumerImpl::BeginningOffsets(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(wakeup_.Take());
  fetcher_.RunDueRetention();
  return fetcher_.BeginningOffsets(partitions);
}

absl::StatusOr<std::map<TopicPartition, int64_t>> ConsumerImpl::EndOffsets(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(wakeup_.Take());
  return fetcher_.EndOffsets(partitions);
}

absl::Status ConsumerImpl::Pause(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                           subscriptions_.FindAssigned(tp, "Pause"));
    state->paused = true;
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Resume(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * state,
                           subscriptions_.FindAssigned(tp, "Resume"));
    state->paused = false;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TopicPartition>> ConsumerImpl::Paused() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscriptions_.Paused();
}

OffsetMap ConsumerImpl::ConsumedOffsets() const {
  OffsetMap offsets = subscriptions_.ConsumedOffsets();
  fetcher_.DropDeletedTopics(&offsets);
  return offsets;
}

absl::Status ConsumerImpl::DoCommit(const OffsetMap& offsets) {
  if (!subscribed()) return committer_.Commit(offsets, nullptr);
  const MemberGeneration generation = coordinator_.Generation();
  return committer_.Commit(offsets, &generation);
}

absl::Status ConsumerImpl::MaybeAutoCommit() {
  if (!auto_commit_.Due(clock_->Now())) return absl::OkStatus();
  absl::Status s = DoCommit(ConsumedOffsets());
  const ErrorCode code = GetErrorCode(s);
  if (subscribed() && (code == ErrorCode::kCommitFailed ||
                       code == ErrorCode::kRebalanceInProgress)) {
    // As Kafka's asynchronous auto commit: the group protocol in this Poll
    // handles the rebalance; the records are re-read, not lost.
    return absl::OkStatus();
  }
  return s;
}

absl::Status ConsumerImpl::CommitSync() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  commit_callbacks_.RunAll();
  return CommitSyncLocked(ConsumedOffsets());
}

absl::Status ConsumerImpl::CommitSync(const OffsetMap& offsets) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  commit_callbacks_.RunAll();
  return CommitSyncLocked(offsets);
}

absl::Status ConsumerImpl::CommitSyncLocked(const OffsetMap& offsets) {
  if (!committer_.has_group()) return Committer::NoGroup();
  // As Kafka's commitSync: nothing to send, nothing to wait for (so no
  // wakeup either).
  if (offsets.empty()) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  return DoCommit(offsets);
}

void ConsumerImpl::CommitAsync(CommitCallback callback) {
  ThreadGuardScope scope(&guard_);
  absl::Status entered = Enter(scope);
  OffsetMap offsets;
  if (entered.ok()) offsets = ConsumedOffsets();
  FinishAsyncCommit(entered, offsets, std::move(callback));
}

void ConsumerImpl::CommitAsync(const OffsetMap& offsets,
                               CommitCallback callback) {
  ThreadGuardScope scope(&guard_);
  FinishAsyncCommit(Enter(scope), offsets, std::move(callback));
}

void ConsumerImpl::FinishAsyncCommit(const absl::Status& entered,
                                     const OffsetMap& offsets,
                                     CommitCallback callback) {
  if (!entered.ok()) {
    // Another thread's call, or a closed consumer: no later call on this
    // thread will run the callback, so report at once.
    if (callback) callback(entered, offsets);
    return;
  }
  absl::Status s = DoCommit(offsets);
  commit_callbacks_.Add(std::move(callback), std::move(s), offsets);
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
ConsumerImpl::Committed(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!committer_.has_group()) return Committer::NoGroup();
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(wakeup_.Take());
  return committer_.Committed(partitions);
}

void ConsumerImpl::Wakeup() {
  wakeup_.Set();
  notifier_->Poke();
}

// Subscribe mode.

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
  if (subscriptions_.mode() == SubscriptionState::Mode::kAssigned) {
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
    if (subscribed()) coordinator_.Leave(/*lost=*/false);
    return absl::OkStatus();
  }
  listener_.set_listener(std::move(listener));
  coordinator_.OnSubscribe(subscriptions_.Subscribe(
      std::vector<std::string>(topics.begin(), topics.end())));
  return absl::OkStatus();
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
  if (subscriptions_.mode() == SubscriptionState::Mode::kAssigned) {
    return Error(ErrorCode::kIllegalState,
                 "Assign and SubscribePattern are mutually exclusive: the "
                 "consumer has assigned partitions (call Assign with none "
                 "first)");
  }
  BROOK_ASSIGN_OR_RETURN(TopicPattern pattern, TopicPattern::Compile(regex));
  std::vector<std::string> matched = pattern.Filter(topics_->List());
  listener_.set_listener(std::move(listener));
  coordinator_.OnSubscribe(
      subscriptions_.SubscribePattern(std::move(pattern), std::move(matched)));
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Unsubscribe() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (subscribed()) coordinator_.Leave(/*lost=*/false);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ConsumerImpl::Subscription() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscriptions_.subscription();
}

absl::StatusOr<ConsumerGroupMetadata> ConsumerImpl::GroupMetadata() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return coordinator_.Metadata();
}

absl::Status ConsumerImpl::EnforceRebalance() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "EnforceRebalance needs a subscription");
  }
  coordinator_.RequestRejoin();
  return absl::OkStatus();
}

void ConsumerImpl::Clear() {
  subscriptions_.AssignFromSubscribed({});
  fetcher_.Clear();
}

absl::Status ConsumerImpl::Close() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (closed_) return absl::OkStatus();
  frozen_ = false;  // A frozen consumer that is closed came back to close.
  absl::Status status;
  if (auto_commit_.enabled() && !engine_.closed->closed() &&
      coordinator_.fenced().ok()) {
    status = DoCommit(ConsumedOffsets());
  }
  if (subscribed()) {
    // The group rebalances without this member at once (a static member:
    // after session.timeout.ms unless it comes back).
    const ErrorCode code = GetErrorCode(status);
    coordinator_.Leave(/*lost=*/code == ErrorCode::kCommitFailed);
    // As Kafka's close, a failed final auto commit of a member that already
    // lost its partitions (or is mid-rejoin) is not an error of Close.
    if (code == ErrorCode::kCommitFailed ||
        code == ErrorCode::kRebalanceInProgress) {
      status = absl::OkStatus();
    }
  }
  commit_callbacks_.RunAll();
  closed_ = true;
  Clear();
  return status;
}

absl::Status ConsumerImpl::TEST_Crash() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (crashed_ || closed_) return Error(ErrorCode::kClosed, "already closed");
  coordinator_.MarkUnresponsive();
  // Nothing more happens: no commit, no listener, no leave.
  crashed_ = true;
  closed_ = true;
  Clear();
  commit_callbacks_.Clear();
  return absl::OkStatus();
}

absl::Status ConsumerImpl::TEST_Freeze() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  frozen_ = true;
  coordinator_.MarkUnresponsive();
  return absl::OkStatus();
}

absl::Status ConsumerImpl::TEST_Thaw() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (!frozen_) return Error(ErrorCode::kIllegalState, "not frozen");
  frozen_ = false;
  coordinator_.MarkResponsive();
  return absl::OkStatus();
}

}  // namespace brook
