// KafkaConsumer: brook::Consumer over librdkafka's high-level consumer,
// with Kafka Java's semantics where librdkafka differs (SCALE-OUT.md §1.2):
// positions are the offsets after the records Poll returned (kept in a
// SubscriptionState, shared with the embedded consumer), max.poll.records,
// auto-commit of earlier polls' positions inside Poll, before a revoke and
// at Close, CommitAsync callbacks on the consumer's thread, Wakeup, pattern
// subscription matched on whole names, pause flags kept across rebalances,
// Position resolved before the first record, lazy SeekToBeginning/End.
// librdkafka fetches and runs the group protocol; its rebalance callback
// (run inside rd_kafka_consumer_poll, on this consumer's thread) installs
// assignments and calls the listener.
#ifndef BROOK_LIB_KAFKA_KAFKA_CONSUMER_H_
#define BROOK_LIB_KAFKA_KAFKA_CONSUMER_H_

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "client/auto_commit.h"
#include "client/commit_callbacks.h"
#include "client/rebalance_invoker.h"
#include "client/subscription_state.h"
#include "client/test_hooks.h"
#include "client/thread_guard.h"
#include "client/topic_pattern.h"
#include "client/wakeup.h"

namespace brook {

// Single-threaded (ThreadGuard enforces it); Wakeup() is thread-safe.
class KafkaConsumer : public Consumer, public ConsumerTestHooks {
 public:
  // `base`: the client's cluster properties (bootstrap.servers, ...).
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      const Properties& base, const ConsumerOptions& options);
  ~KafkaConsumer() override;

  absl::Status Assign(absl::Span<const TopicPartition> partitions) override;
  absl::StatusOr<std::vector<TopicPartition>> Assignment() override;
  absl::Status Subscribe(absl::Span<const std::string> topics,
                         ConsumerRebalanceListener* listener) override;
  absl::Status Subscribe(
      absl::Span<const std::string> topics,
      std::shared_ptr<ConsumerRebalanceListener> listener) override;
  absl::Status SubscribePattern(absl::string_view regex,
                                ConsumerRebalanceListener* listener) override;
  absl::Status SubscribePattern(
      absl::string_view regex,
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

  // brook::testing::CrashConsumer: destroys the handle without leaving the
  // group or committing (RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE).
  absl::Status TEST_Crash() override;
  // Unsupported: librdkafka heartbeats from its own threads.
  absl::Status TEST_Freeze() override;
  absl::Status TEST_Thaw() override;

 private:
  KafkaConsumer(const ConsumerOptions& options, rd_kafka_t* rk);

  // librdkafka's rebalance callback: forwards to OnRebalance.
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions,
                                void* opaque);
  void OnRebalance(rd_kafka_resp_err_t err,
                   rd_kafka_topic_partition_list_t* partitions);
  static void CommitResultCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                   rd_kafka_topic_partition_list_t* offsets,
                                   void* opaque);

  absl::Status Enter(const ThreadGuardScope& scope) const;
  absl::Status SubscribeTopics(std::vector<std::string> topics,
                               ListenerRef listener);
  absl::Status SubscribeRegex(absl::string_view regex, ListenerRef listener);
  // Every metadata.max.age.ms: re-matches the pattern against the
  // cluster's topics and re-subscribes when the matches changed.
  absl::Status RefreshPattern(bool force);
  absl::StatusOr<std::vector<std::string>> ListTopics();
  // Checks that every partition exists (librdkafka does not).
  absl::Status CheckPartitions(absl::Span<const TopicPartition> partitions);
  // Gives every assigned partition a position, as Java's
  // updateFetchPositions: pending resets to the log start / end of now,
  // others their committed offset or auto.offset.reset; then seeks
  // librdkafka there so that fetching starts where Position says.
  absl::Status ResolvePositions(absl::Span<const TopicPartition> only);
  // SeekToBeginning / SeekToEnd: marks `partitions` (every assigned one
  // when empty) for a lazy reset; `op` names the call in errors.
  absl::Status RequestResets(absl::Span<const TopicPartition> partitions,
                             SubscriptionState::PendingReset reset,
                             absl::string_view op);
  // Moves librdkafka's fetch position of `tp` to `offset` (its position).
  // REQUIRES: `tp` assigned.
  absl::Status SeekTo(const TopicPartition& tp, int64_t offset);
  // The log start (`low`) or end of `tp`, from the partition's leader.
  absl::StatusOr<int64_t> Watermark(const TopicPartition& tp, bool low);
  // BeginningOffsets / EndOffsets.
  absl::StatusOr<std::map<TopicPartition, int64_t>> Watermarks(
      absl::Span<const TopicPartition> partitions, bool low);
  // Moves librdkafka's fetch positions of `partitions` to their positions
  // in one request.
  absl::Status SeekToPositions(const std::vector<TopicPartition>& partitions);
  // The records of one Poll, as librdkafka messages (owned). An error
  // after some records is held back for the next call.
  absl::Status PollMessages(absl::Duration timeout,
                            std::vector<rd_kafka_message_t*>* out);
  absl::Status CollectMessages(absl::Time deadline,
                               std::vector<rd_kafka_message_t*>* out);
  // Drops the messages the current Poll collected from `parts` (sorted)
  // and moves those partitions' positions back before them.
  void DropCollected(const std::vector<TopicPartition>& parts);
  absl::Status Commit(const OffsetMap& offsets);
  void CommitAsyncNow(const OffsetMap& offsets, CommitCallback callback);
  void ServeCommitResults();
  absl::Status MaybeAutoCommit();
  void InstallAssignment(const std::vector<TopicPartition>& partitions,
                         bool incremental);
  // rd_kafka_assign of the whole assignment, each partition starting at
  // its position when it has one (committed / auto.offset.reset else).
  absl::Status AssignAtPositions();
  // librdkafka forgets pauses at assignment: pauses what the consumer has
  // paused.
  void ApplyPauses();
  // Destroys the handle: leaving the group (Close) or not (TEST_Crash).
  void Release(bool leave);

  const ConsumerOptions options_;
  rd_kafka_t* rk_;                  // Null after Close / TEST_Crash.
  // librdkafka's opaque: where the callbacks find this consumer.
  std::unique_ptr<KafkaConsumer*> opaque_holder_;
  // Wakeup (any thread) yields it; Release destroys it.
  absl::Mutex queue_mu_;
  rd_kafka_queue_t* consumer_queue_ ABSL_GUARDED_BY(queue_mu_);
  rd_kafka_queue_t* commit_queue_;  // CommitAsync results.
  const bool auto_commit_;

  ThreadGuard guard_;
  WakeupFlag wakeup_;
  bool closed_ = false;
  bool closing_ = false;  // Inside Close: the revoke commits nothing more.
  SubscriptionState subscription_;
  RebalanceInvoker invoker_;
  AutoCommitTimer auto_commit_timer_;
  CommitCallbackQueue commit_callbacks_;
  // CommitAsync requests librdkafka has not reported yet, by the opaque
  // pointer it hands back; freed with the consumer when never reported.
  struct PendingCommit {
    KafkaConsumer* consumer;
    CommitCallback callback;
    OffsetMap offsets;
  };
  std::map<PendingCommit*, std::unique_ptr<PendingCommit>> pending_commits_;
  absl::Time next_pattern_check_ = absl::InfinitePast();
  // Partitions librdkafka has returned a record of since it was last
  // assigned them: only those follow an rd_kafka_seek.
  std::set<TopicPartition> fetching_;
  // The partition the last record came from: fetching_ holds it already.
  const SubscriptionState::PartitionState* last_fetching_ = nullptr;
  bool cooperative_ = false;  // The group's last rebalance protocol.
  // An assigned partition may lack a position (new assignment, pending
  // reset): Poll resolves positions before fetching.
  bool maybe_unresolved_ = true;
  // A fatal error (fenced static member): every later call returns it.
  absl::Status fatal_;
  // An error from a rebalance callback, returned by the Poll it ran in.
  absl::Status rebalance_error_;
  // An error that followed records: the next Poll returns it.
  absl::Status pending_error_;
  // The messages the Poll in progress collected (null outside Poll).
  std::vector<rd_kafka_message_t*>* collecting_ = nullptr;
};

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_CONSUMER_H_
