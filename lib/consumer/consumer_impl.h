// ConsumerImpl: the Consumer behind Engine::CreateConsumer, the embedded
// backend. A thin coordinator, split as Kafka's Java consumer is: the
// backend-neutral parts from lib/client (SubscriptionState: assignment,
// positions and pause flags; the rebalance listener; auto-commit timing;
// CommitAsync callbacks; Wakeup; the thread guard) composed with the
// embedded Fetcher (reads from the log), Committer (commits to the group
// coordinator) and ConsumerCoordinator (the group protocol's client side).
#ifndef BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_
#define BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brook/clock.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "client/auto_commit.h"
#include "client/commit_callbacks.h"
#include "client/rebalance_invoker.h"
#include "client/subscription_state.h"
#include "client/test_hooks.h"
#include "client/thread_guard.h"
#include "client/wakeup.h"
#include "consumer/committer.h"
#include "consumer/consumer_coordinator.h"
#include "consumer/fetcher.h"
#include "core/closed_flag.h"
#include "core/topic_catalog.h"
#include "group/coordinator.h"
#include "group/offset_store.h"
#include "log/data_notifier.h"
#include "log/log_cleaner.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

class EngineCore;

// Single-threaded (ThreadGuard enforces it); Wakeup() is thread-safe.
class ConsumerImpl : public Consumer, public ConsumerTestHooks {
 public:
  // What a consumer uses of the engine. The pointers borrow parts of
  // `owner`, which the consumer keeps alive.
  struct EngineParts {
    std::shared_ptr<EngineCore> owner;  // Reached only by TEST_core.
    const ClosedFlag* closed;
    Clock* clock;
    Store* store;
    LogCleaner* cleaner;  // nullptr for a read-only engine.
    TopicCatalog* catalog;
    TopicRegistry* topics;
    DataNotifier* notifier;
    GroupCoordinator* group_coordinator;
    OffsetStore* offsets;
  };

  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      EngineParts engine, const ConsumerOptions& options);
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
  absl::Status TEST_Crash() override;
  // Stops heartbeating (a stalled process) until TEST_Thaw; calls in between
  // fail with IllegalState. A freeze longer than session.timeout.ms gets the
  // member removed; after the thaw its next Poll rejoins.
  absl::Status TEST_Freeze() override;
  absl::Status TEST_Thaw() override;
  const std::shared_ptr<EngineCore>& TEST_core() const {
    return engine_.owner;
  }

 private:
  ConsumerImpl(EngineParts engine, const ConsumerOptions& options);

  bool subscribed() const { return subscriptions_.subscribed(); }
  // Common entry checks: thread ownership, then not closed.
  absl::Status Enter(const ThreadGuardScope& scope) const;
  // Gives every assigned partition a position: a pending SeekToBeginning /
  // SeekToEnd takes the log start / end of now, a partition without one its
  // committed offset or auto.offset.reset (error NoOffsetForPartition).
  // Positions are not range-checked: as in Kafka, Position returns a Seek
  // target past the log end until a fetch finds it out of range.
  absl::Status ResolvePositions();
  // CommitSync after the entry checks.
  absl::Status CommitSyncLocked(const OffsetMap& offsets);
  // The positions to commit: the assigned partitions' of live topics.
  OffsetMap ConsumedOffsets() const;
  // Commits as a group member in subscribe mode, from outside the group
  // otherwise.
  absl::Status DoCommit(const OffsetMap& offsets);
  absl::Status MaybeAutoCommit();
  // Commits `offsets` and queues `callback` for a later call; reports at once
  // when `entered` (the entry check) failed.
  void FinishAsyncCommit(const absl::Status& entered, const OffsetMap& offsets,
                         CommitCallback callback);
  // A group's assignment: binds the partitions whose topics exist and makes
  // them the assignment, keeping the positions of partitions that stay.
  void InstallAssignment(const std::vector<TopicPartition>& partitions);
  absl::Status SubscribeTopics(absl::Span<const std::string> topics,
                               ListenerRef listener);
  absl::Status SubscribeRegex(absl::string_view regex, ListenerRef listener);
  // Forgets the assignment and the fetcher's bindings (Close, TEST_Crash).
  void Clear();

  // The parts below get their collaborators from it at construction.
  const EngineParts engine_;
  const ConsumerOptions options_;
  Clock* const clock_;
  TopicRegistry* const topics_;
  DataNotifier* const notifier_;

  ThreadGuard guard_;
  WakeupFlag wakeup_;

  // Owned by the thread holding guard_.
  bool closed_ = false;
  bool crashed_ = false;  // TEST_Crash.
  bool frozen_ = false;   // TEST_Freeze until TEST_Thaw.
  SubscriptionState subscriptions_;
  RebalanceInvoker listener_;
  AutoCommitTimer auto_commit_;
  CommitCallbackQueue commit_callbacks_;
  Fetcher fetcher_;
  Committer committer_;
  ConsumerCoordinator coordinator_;  // Subscribe mode.
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_CONSUMER_IMPL_H_
