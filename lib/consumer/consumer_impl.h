// ConsumerImpl: the Consumer behind Engine::CreateConsumer: positions, fair
// fetching across partitions, blocking Poll, commits and auto-commit, in
// assign mode or as a group member (subscribe mode; the group protocol's
// client side is in consumer_group.cc).
#ifndef BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_
#define BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "brook/consumer.h"
#include "brook/options.h"
#include "consumer/partition_fetcher.h"
#include "client/thread_guard.h"
#include "core/core.h"
#include "group/group.h"

namespace brook {

// Single-threaded (ThreadGuard enforces it); Wakeup() is thread-safe.
class ConsumerImpl : public Consumer {
 public:
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      std::shared_ptr<EngineCore> core, const ConsumerOptions& options);
  ~ConsumerImpl() override;

  absl::Status Assign(absl::Span<const TopicPartition> partitions) override;
  absl::StatusOr<std::vector<TopicPartition>> Assignment() override;
  absl::Status SubscribePattern(absl::string_view regex,
                                ConsumerRebalanceListener* listener) override;
  absl::Status SubscribePattern(
      absl::string_view regex,
      std::shared_ptr<ConsumerRebalanceListener> listener) override;
  absl::Status Subscribe(absl::Span<const std::string> topics,
                         ConsumerRebalanceListener* listener) override;
  absl::Status Subscribe(
      absl::Span<const std::string> topics,
      std::shared_ptr<ConsumerRebalanceListener> listener) override;
  absl::Status Unsubscribe() override;
  absl::StatusOr<std::vector<std::string>> Subscription() override;
  absl::StatusOr<ConsumerGroupMetadata> GroupMetadata() override;
  absl::Status EnforceRebalance() override;
  absl::StatusOr<std::vector<ConsumerRecord>> Poll(
      absl::Duration timeout) override;
  absl::StatusOr<ConsumerRecords> PollRecords(absl::Duration timeout) override;
  absl::Status Seek(const TopicPartition& partition, int64_t offset) override;
  absl::Status SeekToBeginning(
      absl::Span<const TopicPartition> partitions) override;
  absl::Status SeekToEnd(absl::Span<const TopicPartition> partitions) override;
  absl::StatusOr<int64_t> Position(const TopicPartition& partition) override;
  absl::StatusOr<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
  OffsetsForTimes(
      const std::map<TopicPartition, absl::Time>& timestamps) override;
  absl::StatusOr<std::map<TopicPartition, int64_t>> BeginningOffsets(
      absl::Span<const TopicPartition> partitions) override;
  absl::StatusOr<std::map<TopicPartition, int64_t>> EndOffsets(
      absl::Span<const TopicPartition> partitions) override;
  absl::Status Pause(absl::Span<const TopicPartition> partitions) override;
  absl::Status Resume(absl::Span<const TopicPartition> partitions) override;
  absl::StatusOr<std::vector<TopicPartition>> Paused() override;
  absl::Status CommitSync() override;
  absl::Status CommitSync(const OffsetMap& offsets) override;
  void CommitAsync(CommitCallback callback) override;
  void CommitAsync(const OffsetMap& offsets, CommitCallback callback) override;
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      absl::Span<const TopicPartition> partitions) override;
  void Wakeup() override;
  absl::Status Close() override;

  // Testing hooks (brook/testing.h). Each must be called on the thread that
  // uses the consumer (or while no call is in progress).
  // Stops responding without leaving: the group keeps the member until
  // session.timeout.ms passes; every later call fails with Closed, and Close
  // and the destructor do nothing.
  absl::Status TEST_Crash();
  // Stops heartbeating (a stalled process) until TEST_Thaw; calls in between
  // fail with IllegalState. A freeze longer than session.timeout.ms gets the
  // member removed; after the thaw its next Poll rejoins.
  absl::Status TEST_Freeze();
  absl::Status TEST_Thaw();
  const std::shared_ptr<EngineCore>& TEST_core() const { return core_; }

 private:
  enum class Mode { kNone, kAssigned, kSubscribed };
  // The client side of the group protocol (Kafka's MemberState, simplified).
  enum class JoinState {
    kNeedJoin,  // Must (re)join before the next assignment.
    kJoining,   // Joined; waiting for the rebalance to complete.
    kStable,    // Holds the assignment of generation_.
  };

  ConsumerImpl(std::shared_ptr<EngineCore> core,
               const ConsumerOptions& options);

  // Common entry checks: thread ownership, then not closed.
  absl::Status Enter(const ThreadGuardScope& scope) const;
  PartitionFetcher* Find(const TopicPartition& tp);
  absl::StatusOr<PartitionFetcher*> FindAssigned(const TopicPartition& tp,
                                                 absl::string_view op);
  // Gives every assigned partition a position: a pending SeekToBeginning /
  // SeekToEnd takes the log start / end of now, a partition without one its
  // committed offset or auto.offset.reset (error NoOffsetForPartition).
  // Positions are not range-checked: as in Kafka, Position returns a Seek
  // target past the log end until a fetch finds it out of range.
  absl::Status ResolvePositions();
  // What a fetch finds: positions outside [log start, log end] are reset by
  // auto.offset.reset (error OffsetOutOfRange with none).
  absl::Status ResetOutOfRangePositions();
  // Wakeup when one is pending (and clears it), as the blocking calls of
  // Kafka's consumer raise it: Poll, CommitSync, Committed, Position (when it
  // must look a position up), BeginningOffsets, EndOffsets, OffsetsForTimes.
  absl::Status TakeWakeup();
  // CommitSync after the entry checks.
  absl::Status CommitSyncLocked(const OffsetMap& offsets);
  absl::Status Reset(PartitionFetcher* f, bool out_of_range);
  absl::Status Fetch(RecordsBuilder* out);
  OffsetMap ConsumedOffsets() const;
  absl::Status DoCommit(const OffsetMap& offsets);
  absl::Status MaybeAutoCommit();
  void RunCommitCallbacks();
  // Commits `offsets` and queues `callback` for a later call; reports at once
  // when `entered` (the entry check) failed.
  void FinishAsyncCommit(const absl::Status& entered, const OffsetMap& offsets,
                         CommitCallback callback);
  // Replaces assigned_ with `partitions`, keeping the fetchers (positions)
  // of partitions that stay.
  void InstallAssignment(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> AssignedList() const;

  // Group protocol (consumer_group.cc). Each runs listeners with no lock.
  // One round of the protocol inside Poll: heartbeat, join, collect.
  absl::Status GroupStep();
  // Before (re)joining: auto commit; eager revokes everything.
  void PrepareJoin();
  absl::Status SendJoin();
  void ApplyJoinResult(const JoinResult& result);
  // The member was removed: OnPartitionsLost, forget member id/generation.
  void LosePartitions();
  // Another member took this group.instance.id: OnPartitionsLost, and every
  // later group call fails with `status` (FencedInstanceId), as in Kafka.
  void Fence(absl::Status status);
  // Close / Unsubscribe: revoke (or lose) the assignment and leave.
  // A static member (group.instance.id) does not leave: it stops
  // heartbeating and the group keeps it until session.timeout.ms.
  void LeaveGroup(bool lost);
  // The subscription's listener: not owned (with its liveness flag) or
  // shared.
  struct ListenerRef {
    ListenerRef() = default;
    explicit ListenerRef(ConsumerRebalanceListener* listener);
    explicit ListenerRef(std::shared_ptr<ConsumerRebalanceListener> listener);

    ConsumerRebalanceListener* raw = nullptr;
    std::shared_ptr<const std::atomic<bool>> alive;
    std::shared_ptr<ConsumerRebalanceListener> owner;
  };
  // The listener to call; nullptr without one, and (after logging an error,
  // or aborting in debug builds) when it was destroyed too early.
  ConsumerRebalanceListener* LiveListener() const;
  absl::Status SubscribeTopics(absl::Span<const std::string> topics,
                               ListenerRef listener);
  absl::Status SubscribeRegex(absl::string_view regex, ListenerRef listener);
  // Shared by Subscribe and SubscribePattern, after the entry checks.
  absl::Status SubscribeSorted(std::vector<std::string> sorted,
                               ListenerRef listener);
  // Every metadata.max.age.ms: re-evaluates the pattern and compares the
  // subscribed topics' partition counts with those of the last join. True
  // when the member must rejoin.
  bool MetadataChanged(absl::Time now);
  // Subscribed topic -> partition count (0: missing), as the engine has them.
  std::map<std::string, int32_t> SubscribedMetadata() const;
  // The deadline Poll may wait until: `deadline` capped by the group's.
  absl::Time GroupWaitDeadline(absl::Time deadline);
  bool subscribed() const { return mode_ == Mode::kSubscribed; }

  const std::shared_ptr<EngineCore> core_;
  const ConsumerOptions options_;
  const bool auto_commit_;
  // Every configured assignor supports the cooperative protocol.
  const bool cooperative_;

  ThreadGuard guard_;
  std::atomic<bool> wakeup_{false};
  // A read error held back so that the records read before it could be
  // delivered first; the next Poll returns it.
  absl::Status fetch_error_;

  // Owned by the thread holding guard_.
  bool closed_ = false;
  bool crashed_ = false;  // TEST_Crash.
  bool frozen_ = false;   // TEST_Freeze until TEST_Thaw.
  // FencedInstanceId once another member took the group.instance.id.
  absl::Status fenced_;
  std::map<TopicPartition, std::unique_ptr<PartitionFetcher>> assigned_;
  std::vector<PartitionFetcher*> order_;  // Round-robin order of assigned_.
  size_t next_start_ = 0;
  absl::Time next_auto_commit_;
  std::vector<std::pair<CommitCallback, std::pair<absl::Status, OffsetMap>>>
      pending_callbacks_;
  // Group membership (subscribe mode).
  Mode mode_ = Mode::kNone;
  std::vector<std::string> subscription_;  // Sorted, unique.
  std::optional<std::regex> pattern_;      // SubscribePattern's.
  // The metadata the last join saw, and when to look again.
  std::map<std::string, int32_t> joined_metadata_;
  absl::Time next_metadata_check_ = absl::InfinitePast();
  ListenerRef listener_;
  JoinState join_state_ = JoinState::kNeedJoin;
  bool rejoin_requested_ = false;  // Rejoin after the rebalance under way.
  std::string member_id_;
  int32_t generation_ = -1;
  // The assignment of the last completed rebalance and its generation, as
  // Kafka's StickyAssignor keeps them (onAssignment) for its user data.
  std::vector<TopicPartition> last_assignment_;
  int32_t last_assignment_generation_ = -1;
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_
