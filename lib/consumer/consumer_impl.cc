#include "consumer/consumer_impl.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/assignor.h"
#include "brook/error.h"
#include "log/offset_for_time.h"
#include "log/topic_registry.h"
#include "util/status_macros.h"

namespace brook {
namespace {

absl::Status NoGroup() {
  return Error(
      ErrorCode::kInvalidGroupId,
      "committing offsets needs a group.id (ConsumerOptions::group_id)");
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

absl::StatusOr<std::unique_ptr<Consumer>> ConsumerImpl::Create(
    std::shared_ptr<EngineCore> core, const ConsumerOptions& options) {
  if (core->closed()) return EngineCore::ClosedError();
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
  return std::unique_ptr<Consumer>(new ConsumerImpl(std::move(core), checked));
}

ConsumerImpl::ConsumerImpl(std::shared_ptr<EngineCore> core,
                           const ConsumerOptions& options)
    : core_(std::move(core)),
      options_(options),
      auto_commit_(options.enable_auto_commit && !options.group_id.empty()),
      cooperative_(AllCooperative(options.assignment_strategies)),
      next_auto_commit_(core_->clock()->Now() + options.auto_commit_interval) {}

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
  if (core_->closed()) return EngineCore::ClosedError();
  return absl::OkStatus();
}

PartitionFetcher* ConsumerImpl::Find(const TopicPartition& tp) {
  auto it = assigned_.find(tp);
  return it == assigned_.end() ? nullptr : it->second.get();
}

absl::StatusOr<PartitionFetcher*> ConsumerImpl::FindAssigned(
    const TopicPartition& tp, absl::string_view op) {
  PartitionFetcher* f = Find(tp);
  if (f == nullptr) {
    return Error(ErrorCode::kIllegalState,
                 absl::StrCat(op, ": no current assignment for partition ",
                              tp.ToString()));
  }
  return f;
}

absl::Status ConsumerImpl::Assign(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "Assign and Subscribe are mutually exclusive: the consumer "
                 "is subscribed (call Unsubscribe first)");
  }
  std::map<TopicPartition, std::unique_ptr<PartitionFetcher>> next;
  for (const TopicPartition& tp : partitions) {
    if (next.count(tp)) continue;
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           core_->GetTopic(tp.topic));
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
    auto old = assigned_.find(tp);
    if (old != assigned_.end() && old->second->topic() == topic) {
      next.emplace(tp, std::move(old->second));
    } else {
      next.emplace(tp, std::make_unique<PartitionFetcher>(topic, tp.partition));
    }
  }
  // As Kafka does, commit what was consumed before the assignment changes.
  if (auto_commit_) {
    BROOK_RETURN_IF_ERROR(DoCommit(ConsumedOffsets()));
  }
  assigned_ = std::move(next);
  order_.clear();
  for (auto& [tp, f] : assigned_) order_.push_back(f.get());
  next_start_ = 0;
  mode_ = assigned_.empty() ? Mode::kNone : Mode::kAssigned;
  return absl::OkStatus();
}

void ConsumerImpl::InstallAssignment(
    const std::vector<TopicPartition>& partitions) {
  std::map<TopicPartition, std::unique_ptr<PartitionFetcher>> next;
  for (const TopicPartition& tp : partitions) {
    auto old = assigned_.find(tp);
    if (old != assigned_.end()) {
      next.emplace(tp, std::move(old->second));
      continue;
    }
    absl::StatusOr<std::shared_ptr<Topic>> topic = core_->GetTopic(tp.topic);
    // A topic deleted since the assignment was computed is skipped; the
    // group's next rebalance drops it.
    if (!topic.ok() || tp.partition >= (*topic)->num_partitions()) continue;
    next.emplace(tp, std::make_unique<PartitionFetcher>(*topic, tp.partition));
  }
  assigned_ = std::move(next);
  order_.clear();
  for (auto& [tp, f] : assigned_) order_.push_back(f.get());
  next_start_ = 0;
}

std::vector<TopicPartition> ConsumerImpl::AssignedList() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, f] : assigned_) out.push_back(tp);
  return out;
}

absl::StatusOr<std::vector<TopicPartition>> ConsumerImpl::Assignment() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::vector<TopicPartition> out;
  for (const auto& [tp, f] : assigned_) out.push_back(tp);
  return out;
}

absl::Status ConsumerImpl::Reset(PartitionFetcher* f, bool out_of_range) {
  switch (options_.auto_offset_reset) {
    case OffsetReset::kEarliest:
      f->set_position(f->log_start());
      return absl::OkStatus();
    case OffsetReset::kLatest:
      f->set_position(f->high_watermark());
      return absl::OkStatus();
    case OffsetReset::kNone:
      break;
  }
  const std::string where =
      absl::StrCat(f->topic()->name(), "-", f->partition());
  if (out_of_range) {
    return Error(
        ErrorCode::kOffsetOutOfRange,
        absl::StrCat("offset ", *f->position(), " of ", where,
                     " is out of range [", f->log_start(), ", ",
                     f->high_watermark(), "] and auto.offset.reset is none"));
  }
  return Error(ErrorCode::kNoOffsetForPartition,
               absl::StrCat("no committed offset for ", where,
                            " and auto.offset.reset is none"));
}

absl::Status ConsumerImpl::ResolvePositions() {
  std::vector<TopicPartition> missing;
  for (auto& [tp, f] : assigned_) {
    switch (f->pending_reset()) {
      case PartitionFetcher::PendingReset::kToStart:
        f->set_position(f->log_start());
        break;
      case PartitionFetcher::PendingReset::kToEnd:
        f->set_position(f->high_watermark());
        break;
      case PartitionFetcher::PendingReset::kNone:
        break;
    }
    if (!f->position()) missing.push_back(tp);
  }
  if (!missing.empty()) {
    std::map<TopicPartition, OffsetAndMetadata> committed;
    if (!options_.group_id.empty()) {
      BROOK_ASSIGN_OR_RETURN(
          committed, core_->offsets().Fetch(options_.group_id, missing));
    }
    for (const TopicPartition& tp : missing) {
      PartitionFetcher* f = Find(tp);
      auto it = committed.find(tp);
      if (it != committed.end()) {
        f->set_position(it->second.offset);  // Range-checked below.
      } else {
        BROOK_RETURN_IF_ERROR(Reset(f, /*out_of_range=*/false));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::ResetOutOfRangePositions() {
  for (auto& [tp, f] : assigned_) {
    const int64_t pos = *f->position();
    if (pos < f->log_start() || pos > f->high_watermark()) {
      BROOK_RETURN_IF_ERROR(Reset(f.get(), /*out_of_range=*/true));
    }
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Fetch(RecordsBuilder* out) {
  std::vector<PartitionFetcher*> ready;
  for (size_t i = 0; i < order_.size(); ++i) {
    PartitionFetcher* f = order_[(next_start_ + i) % order_.size()];
    if (f->HasData()) ready.push_back(f);
  }
  if (!order_.empty()) next_start_ = (next_start_ + 1) % order_.size();
  if (ready.empty()) return absl::OkStatus();
  out->Reserve(std::min<size_t>(options_.max_poll_records, 4096));
  // Fairness: every partition with data gets an equal share first; what is
  // left goes to the ones that had more.
  int budget = options_.max_poll_records;
  const int share =
      std::max<int>(1, (budget + static_cast<int>(ready.size()) - 1) /
                           static_cast<int>(ready.size()));
  for (int pass = 0; pass < 2 && budget > 0; ++pass) {
    for (PartitionFetcher* f : ready) {
      if (budget <= 0) break;
      if (!f->HasData()) continue;
      const size_t before = out->size();
      absl::Status s = f->Read(
          &core_->store(), pass == 0 ? std::min(share, budget) : budget, out);
      if (!s.ok()) {
        // Positions already cover the records read: deliver them now and
        // the error at the next Poll, as Kafka's fetcher does.
        if (out->empty()) return s;
        fetch_error_ = s;
        return absl::OkStatus();
      }
      budget -= static_cast<int>(out->size() - before);
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
  RunCommitCallbacks();
  BROOK_RETURN_IF_ERROR(TakeWakeup());
  if (!fetch_error_.ok()) return std::exchange(fetch_error_, absl::OkStatus());
  if (assigned_.empty() && !subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "the consumer is not subscribed to any topics or assigned "
                 "any partitions");
  }
  BROOK_RETURN_IF_ERROR(MaybeAutoCommit());
  Clock* clock = core_->clock();
  const absl::Time deadline = clock->Now() + timeout;
  RecordsBuilder records;
  // A member is alive while inside Poll; its max.poll.interval.ms starts
  // when Poll returns.
  struct EndPoll {
    ConsumerImpl* self;
    ~EndPoll() {
      if (self->subscribed() && !self->member_id_.empty()) {
        self->core_->coordinator().EndPoll(self->options_.group_id,
                                           self->member_id_);
      }
    }
  } end_poll{this};
  for (;;) {
    const uint64_t seen = core_->notifier().version();
    if (subscribed()) {
      BROOK_RETURN_IF_ERROR(GroupStep());
      // A listener may have closed the consumer or unsubscribed.
      if (closed_) return Error(ErrorCode::kClosed, "the consumer is closed");
    }
    core_->RunDueRetention();  // Positions are checked against its result.
    BROOK_RETURN_IF_ERROR(ResolvePositions());
    BROOK_RETURN_IF_ERROR(ResetOutOfRangePositions());
    BROOK_RETURN_IF_ERROR(Fetch(&records));
    if (!records.empty()) return records.Finish();
    if (core_->closed()) return EngineCore::ClosedError();
    if (clock->Now() >= deadline) return ConsumerRecords();
    core_->notifier().Wait(
        seen, &wakeup_, subscribed() ? GroupWaitDeadline(deadline) : deadline);
    BROOK_RETURN_IF_ERROR(TakeWakeup());
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
  BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f, FindAssigned(partition, "Seek"));
  f->set_position(offset);
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToBeginning(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  constexpr auto kToStart = PartitionFetcher::PendingReset::kToStart;
  if (partitions.empty()) {
    for (PartitionFetcher* f : order_) f->RequestReset(kToStart);
    return absl::OkStatus();
  }
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f,
                           FindAssigned(tp, "SeekToBeginning"));
    f->RequestReset(kToStart);
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::SeekToEnd(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  constexpr auto kToEnd = PartitionFetcher::PendingReset::kToEnd;
  if (partitions.empty()) {
    for (PartitionFetcher* f : order_) f->RequestReset(kToEnd);
    return absl::OkStatus();
  }
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f, FindAssigned(tp, "SeekToEnd"));
    f->RequestReset(kToEnd);
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ConsumerImpl::Position(
    const TopicPartition& partition) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f,
                         FindAssigned(partition, "Position"));
  // A known position is returned as is; finding one may block in Kafka
  // (so a pending Wakeup is raised then).
  if (f->position()) return *f->position();
  BROOK_RETURN_IF_ERROR(TakeWakeup());
  core_->RunDueRetention();
  BROOK_RETURN_IF_ERROR(ResolvePositions());
  return *f->position();
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
  if (!timestamps.empty()) BROOK_RETURN_IF_ERROR(TakeWakeup());
  core_->RunDueRetention();
  std::map<TopicPartition, std::optional<OffsetAndTimestamp>> out;
  for (const auto& [tp, t] : timestamps) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           core_->GetTopic(tp.topic));
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
    const PartitionState& state = topic->partition(tp.partition);
    BROOK_ASSIGN_OR_RETURN(
        std::optional<TimestampedOffset> found,
        FindOffsetForTime(core_->store(), *topic, tp.partition,
                          state.log_start.load(), state.high_watermark.load(),
                          absl::ToUnixMillis(t)));
    if (found) {
      out[tp] = OffsetAndTimestamp{found->offset,
                                   absl::FromUnixMillis(found->timestamp_ms)};
    } else {
      out[tp] = std::nullopt;
    }
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, int64_t>>
ConsumerImpl::BeginningOffsets(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(TakeWakeup());
  core_->RunDueRetention();
  std::map<TopicPartition, int64_t> out;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           core_->GetTopic(tp.topic));
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
    out[tp] = topic->partition(tp.partition).log_start.load();
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, int64_t>> ConsumerImpl::EndOffsets(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(TakeWakeup());
  std::map<TopicPartition, int64_t> out;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic,
                           core_->GetTopic(tp.topic));
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
    out[tp] = topic->partition(tp.partition).high_watermark.load();
  }
  return out;
}

absl::Status ConsumerImpl::Pause(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f, FindAssigned(tp, "Pause"));
    f->set_paused(true);
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::Resume(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(PartitionFetcher * f, FindAssigned(tp, "Resume"));
    f->set_paused(false);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TopicPartition>> ConsumerImpl::Paused() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::vector<TopicPartition> out;
  for (const auto& [tp, f] : assigned_) {
    if (f->paused()) out.push_back(tp);
  }
  return out;
}

OffsetMap ConsumerImpl::ConsumedOffsets() const {
  OffsetMap offsets;
  for (const auto& [tp, f] : assigned_) {
    // A deleted topic's offsets were removed with it; committing them again
    // would resurrect them (or fail the whole commit).
    if (f->position() && !f->topic()->deleted()) {
      offsets.emplace(tp, OffsetAndMetadata(*f->position()));
    }
  }
  return offsets;
}

absl::Status ConsumerImpl::DoCommit(const OffsetMap& offsets) {
  if (options_.group_id.empty()) return NoGroup();
  if (subscribed() && join_state_ == JoinState::kJoining) {
    // Kafka's client-side check: no stable generation while rejoining.
    return Error(ErrorCode::kRebalanceInProgress,
                 absl::StrCat("group ", options_.group_id,
                              " is rebalancing; commit after the next Poll "
                              "completes it"));
  }
  for (const auto& [tp, o] : offsets) {
    if (o.offset < 0) {
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("cannot commit negative offset ", o.offset,
                                " for ", tp.ToString()));
    }
    // Find, not GetTopic: a commit never creates a topic.
    std::shared_ptr<Topic> topic = core_->topics().Find(tp.topic);
    if (topic == nullptr) return UnknownTopic(tp.topic);
    if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
      return UnknownPartition(*topic, tp.partition);
    }
  }
  if (subscribed()) {
    if (!fenced_.ok()) return fenced_;
    if (offsets.empty()) return absl::OkStatus();
    // Group members commit through the coordinator's generation check.
    return core_->coordinator().CommitOffsets(options_.group_id, member_id_,
                                              generation_, offsets);
  }
  if (offsets.empty()) return absl::OkStatus();
  return core_->coordinator().CommitOutsideGroup(options_.group_id, offsets);
}

absl::Status ConsumerImpl::MaybeAutoCommit() {
  if (!auto_commit_) return absl::OkStatus();
  const absl::Time now = core_->clock()->Now();
  if (now < next_auto_commit_) return absl::OkStatus();
  next_auto_commit_ = now + options_.auto_commit_interval;
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

void ConsumerImpl::RunCommitCallbacks() {
  std::vector<std::pair<CommitCallback, std::pair<absl::Status, OffsetMap>>>
      callbacks = std::move(pending_callbacks_);
  pending_callbacks_.clear();
  for (auto& [callback, result] : callbacks) {
    callback(result.first, result.second);
  }
}

absl::Status ConsumerImpl::CommitSync() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  RunCommitCallbacks();
  return CommitSyncLocked(ConsumedOffsets());
}

absl::Status ConsumerImpl::CommitSync(const OffsetMap& offsets) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  RunCommitCallbacks();
  return CommitSyncLocked(offsets);
}

absl::Status ConsumerImpl::CommitSyncLocked(const OffsetMap& offsets) {
  if (options_.group_id.empty()) return NoGroup();
  // As Kafka's commitSync: nothing to send, nothing to wait for (so no
  // wakeup either).
  if (offsets.empty()) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(TakeWakeup());
  return DoCommit(offsets);
}

absl::Status ConsumerImpl::TakeWakeup() {
  if (wakeup_.exchange(false, std::memory_order_acq_rel)) {
    return Error(ErrorCode::kWakeup, "the consumer was woken up");
  }
  return absl::OkStatus();
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
  if (callback) {
    pending_callbacks_.emplace_back(std::move(callback),
                                    std::make_pair(std::move(s), offsets));
  }
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
ConsumerImpl::Committed(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) return NoGroup();
  if (!partitions.empty()) BROOK_RETURN_IF_ERROR(TakeWakeup());
  return core_->offsets().Fetch(options_.group_id, partitions);
}

void ConsumerImpl::Wakeup() {
  wakeup_.store(true, std::memory_order_release);
  core_->notifier().Poke();
}

absl::Status ConsumerImpl::Close() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (closed_) return absl::OkStatus();
  frozen_ = false;  // A frozen consumer that is closed came back to close.
  absl::Status status;
  if (auto_commit_ && !core_->closed() && fenced_.ok()) {
    status = DoCommit(ConsumedOffsets());
  }
  if (subscribed()) {
    // The group rebalances without this member at once (a static member:
    // after session.timeout.ms unless it comes back).
    const ErrorCode code = GetErrorCode(status);
    LeaveGroup(/*lost=*/code == ErrorCode::kCommitFailed);
    // As Kafka's close, a failed final auto commit of a member that already
    // lost its partitions (or is mid-rejoin) is not an error of Close.
    if (code == ErrorCode::kCommitFailed ||
        code == ErrorCode::kRebalanceInProgress) {
      status = absl::OkStatus();
    }
  }
  RunCommitCallbacks();
  closed_ = true;
  assigned_.clear();
  order_.clear();
  return status;
}

absl::Status ConsumerImpl::TEST_Crash() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (crashed_ || closed_) return Error(ErrorCode::kClosed, "already closed");
  if (subscribed() && !member_id_.empty()) {
    core_->coordinator().MarkUnresponsive(options_.group_id, member_id_);
  }
  // Nothing more happens: no commit, no listener, no leave.
  crashed_ = true;
  closed_ = true;
  assigned_.clear();
  order_.clear();
  pending_callbacks_.clear();
  return absl::OkStatus();
}

absl::Status ConsumerImpl::TEST_Freeze() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  frozen_ = true;
  if (subscribed() && !member_id_.empty()) {
    core_->coordinator().MarkUnresponsive(options_.group_id, member_id_);
  }
  return absl::OkStatus();
}

absl::Status ConsumerImpl::TEST_Thaw() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (!frozen_) return Error(ErrorCode::kIllegalState, "not frozen");
  frozen_ = false;
  if (subscribed() && !member_id_.empty()) {
    core_->coordinator().MarkResponsive(options_.group_id, member_id_);
  }
  return absl::OkStatus();
}

}  // namespace brook
