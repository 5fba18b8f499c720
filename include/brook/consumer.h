// The consumer: reads records from assigned partitions, or from the
// partitions its group gives it when it subscribes, tracks positions and
// commits offsets (durable, keyed by group.id) as Kafka's KafkaConsumer does.
#ifndef BROOK_CONSUMER_H_
#define BROOK_CONSUMER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "brook/consumer_records.h"
#include "brook/rebalance_listener.h"
#include "brook/record.h"

namespace brook {

using OffsetMap = std::map<TopicPartition, OffsetAndMetadata>;

// Called with the outcome of CommitAsync, on the consumer's own thread, from
// a later Poll, CommitSync, CommitAsync or Close (as in Kafka).
using CommitCallback =
    absl::AnyInvocable<void(const absl::Status&, const OffsetMap&)>;

// Reads records. Single-threaded, as Kafka's consumer: a second thread calling
// in while one is inside gets ConcurrentModification. Only Wakeup() may be
// called from any thread. Created by Client::CreateConsumer (either
// backend); keeps what it needs alive. After Close(), calls return Closed.
class Consumer {
 public:
  virtual ~Consumer() = default;

  // Replaces the assignment with `partitions` (duplicates ignored). Positions
  // of partitions that stay assigned are kept. UnknownTopicOrPartition when a
  // topic or partition does not exist; IllegalState while subscribed.
  virtual absl::Status Assign(absl::Span<const TopicPartition> partitions) = 0;
  // The partitions assigned by Assign, or by the group when subscribed.
  virtual absl::StatusOr<std::vector<TopicPartition>> Assignment() = 0;

  // Joins the consumer's group (group.id) with a subscription to `topics`;
  // Poll then runs the group protocol and the group splits the topics'
  // partitions among its members. Replaces an earlier subscription; empty
  // `topics` unsubscribes. Topics that do not exist yet are simply not
  // assigned. `listener` (optional) must outlive the subscription (see
  // ConsumerRebalanceListener: "Lifetime"); the std::shared_ptr overloads
  // keep it alive as long as the consumer needs it. Errors: InvalidGroupId
  // without a group.id, IllegalState after Assign.
  virtual absl::Status Subscribe(absl::Span<const std::string> topics,
                                 ConsumerRebalanceListener* listener) = 0;
  virtual absl::Status Subscribe(
      absl::Span<const std::string> topics,
      std::shared_ptr<ConsumerRebalanceListener> listener) = 0;
  absl::Status Subscribe(absl::Span<const std::string> topics) {
    return Subscribe(topics, nullptr);
  }
  // Kafka's subscribe(Pattern): subscribes to every topic whose whole name
  // matches `regex` (ECMAScript syntax, std::regex; for the names Kafka
  // allows it agrees with Java's Pattern). The match is evaluated now and
  // again at most every metadata.max.age.ms (on the embedded engine's
  // clock) inside Poll: topics created or deleted since change the
  // subscription and rebalance the group. Subscription() lists the topics
  // matched. Replaces an earlier subscription. Errors: InvalidRequest for a
  // malformed regex, and those of Subscribe.
  virtual absl::Status SubscribePattern(
      absl::string_view regex, ConsumerRebalanceListener* listener) = 0;
  virtual absl::Status SubscribePattern(
      absl::string_view regex,
      std::shared_ptr<ConsumerRebalanceListener> listener) = 0;
  absl::Status SubscribePattern(absl::string_view regex) {
    return SubscribePattern(regex, nullptr);
  }
  // Leaves the group at once (OnPartitionsRevoked for the assignment; no
  // auto commit, as in Kafka) and drops the subscription. A static member
  // (group.instance.id) revokes its partitions the same way but, as in
  // Kafka, stays in the group until session.timeout.ms passes. OK when not
  // subscribed.
  virtual absl::Status Unsubscribe() = 0;
  // The subscribed topics (those a pattern matched, for SubscribePattern),
  // sorted; empty when not subscribed.
  virtual absl::StatusOr<std::vector<std::string>> Subscription() = 0;
  // The consumer's group id, generation (-1 on the Kafka backend: librdkafka
  // 2.0.2 does not expose it), member id and group.instance.id.
  virtual absl::StatusOr<ConsumerGroupMetadata> GroupMetadata() = 0;
  // Makes the next Poll rejoin the group, triggering a rebalance.
  // IllegalState when not subscribed; Unsupported on the Kafka backend
  // (librdkafka 2.0.2 has no call to rejoin).
  virtual absl::Status EnforceRebalance() = 0;

  // Returns up to max.poll.records records, shared fairly between the
  // assigned, unpaused partitions. Blocks until a record arrives or `timeout`
  // passes (then returns an empty vector). When subscribed it also runs the
  // group protocol: joins, rebalances and calls the rebalance listener.
  // Errors: Wakeup, NoOffsetForPartition (auto.offset.reset=none),
  // IllegalState (neither assigned nor subscribed), InconsistentGroupProtocol,
  // Closed, ConcurrentModification; InvalidRequest for a negative timeout
  // (Kafka's IllegalArgumentException).
  virtual absl::StatusOr<std::vector<ConsumerRecord>> Poll(
      absl::Duration timeout) = 0;

  // Poll, with records that borrow their bytes instead of copying them:
  // the same records, positions, blocking and errors, without an allocation
  // per record. The views stay valid while the returned ConsumerRecords
  // lives, also across later calls; until then it keeps in memory the
  // stored batches its records come from.
  virtual absl::StatusOr<ConsumerRecords> PollRecords(
      absl::Duration timeout) = 0;

  // Sets the next offset to read. As in Kafka it is not checked here:
  // Position returns it as given, and the next Poll that finds it outside
  // the log applies auto.offset.reset (OffsetOutOfRange with none).
  // IllegalState when not assigned.
  virtual absl::Status Seek(const TopicPartition& partition,
                            int64_t offset) = 0;
  // Seek to the log start / end, evaluated lazily as Kafka's: the position
  // is the log start / end at the next Poll or Position, so records
  // appended in between count. Empty `partitions` means every assigned
  // partition.
  virtual absl::Status SeekToBeginning(
      absl::Span<const TopicPartition> partitions) = 0;
  virtual absl::Status SeekToEnd(
      absl::Span<const TopicPartition> partitions) = 0;
  // The next offset Poll will fetch from for `partition`, resolving it from
  // a pending SeekToBeginning/SeekToEnd, the committed offset or
  // auto.offset.reset when needed (then a pending Wakeup is raised first).
  virtual absl::StatusOr<int64_t> Position(const TopicPartition& partition) = 0;

  // For each partition, the first offset whose record timestamp is at least
  // the given time, with that record's timestamp; nullopt when the
  // partition has no such record (Kafka's offsetsForTimes). The partitions
  // need not be assigned. Errors: InvalidRequest for a time before the
  // epoch, UnknownTopicOrPartition, Wakeup.
  virtual absl::StatusOr<
      std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
  OffsetsForTimes(const std::map<TopicPartition, absl::Time>& timestamps) = 0;

  // Log start and log end offsets, as Kafka's beginningOffsets/endOffsets.
  virtual absl::StatusOr<std::map<TopicPartition, int64_t>> BeginningOffsets(
      absl::Span<const TopicPartition> partitions) = 0;
  virtual absl::StatusOr<std::map<TopicPartition, int64_t>> EndOffsets(
      absl::Span<const TopicPartition> partitions) = 0;

  // Paused partitions return no records from Poll until resumed.
  virtual absl::Status Pause(absl::Span<const TopicPartition> partitions) = 0;
  virtual absl::Status Resume(absl::Span<const TopicPartition> partitions) = 0;
  virtual absl::StatusOr<std::vector<TopicPartition>> Paused() = 0;

  // Commits the positions of every assigned partition (the offsets after the
  // records Poll returned; none for a partition whose position is not
  // resolved yet). InvalidGroupId without a group.id; Wakeup when one is
  // pending and there is something to commit. When
  // subscribed: CommitFailed when the consumer is no longer in the group's
  // current generation (removed, or the group rebalanced without it),
  // RebalanceInProgress while its own rejoin is under way.
  virtual absl::Status CommitSync() = 0;
  // Commits explicit offsets, each with a metadata string.
  virtual absl::Status CommitSync(const OffsetMap& offsets) = 0;
  // Commits the current positions; `callback` runs from a later call on this
  // consumer's thread.
  virtual void CommitAsync(CommitCallback callback = nullptr) = 0;
  virtual void CommitAsync(const OffsetMap& offsets,
                           CommitCallback callback) = 0;
  // The last committed offsets of `partitions` (absent when none). Wakeup
  // when one is pending.
  virtual absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> Committed(
      absl::Span<const TopicPartition> partitions) = 0;

  // Makes the current Poll (or the next blocking call: Poll, CommitSync,
  // Committed, Position, BeginningOffsets, EndOffsets, OffsetsForTimes)
  // return a Wakeup error, as Kafka's wakeup.
  // Thread-safe: the only call allowed from another thread. Not
  // async-signal-safe (it takes a lock): from a signal handler, hand over to
  // a thread (e.g. one blocked in sigwait) that calls it.
  virtual void Wakeup() = 0;

  // Commits positions when enable.auto.commit is on, leaves the group at once
  // (OnPartitionsRevoked first) when subscribed, then releases the consumer.
  // A static member (group.instance.id) revokes the same way but, as in
  // Kafka, stays in the group until session.timeout.ms passes. Later calls
  // return OK.
  virtual absl::Status Close() = 0;
};

}  // namespace brook

#endif  // BROOK_CONSUMER_H_
