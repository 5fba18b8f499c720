// What a consumer is subscribed to and where it is in each assigned
// partition, as Kafka's SubscriptionState: the mode (assigned partitions or
// a group subscription), the subscribed topics or pattern, and per assigned
// partition its position, a pending SeekToBeginning / SeekToEnd and its
// pause flag. No storage and no group: a backend's fetcher reads and
// advances the positions, its group client installs each new assignment.
#ifndef BROOK_LIB_CLIENT_SUBSCRIPTION_STATE_H_
#define BROOK_LIB_CLIENT_SUBSCRIPTION_STATE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/consumer.h"
#include "brook/record.h"
#include "client/topic_pattern.h"

namespace brook {

// Thread-compatible (owned by one consumer).
class SubscriptionState {
 public:
  enum class Mode { kNone, kAssigned, kSubscribed };

  // SeekToBeginning / SeekToEnd, evaluated lazily as Kafka does: the
  // position is unknown until the next Poll or Position resolves it to the
  // log start or end of that moment.
  enum class PendingReset { kNone, kToStart, kToEnd };

  struct PartitionState {
    // The next offset to return; nullopt until resolved (committed offset,
    // auto.offset.reset or a pending reset).
    std::optional<int64_t> position;
    PendingReset pending_reset = PendingReset::kNone;
    bool paused = false;

    // Seek: a known position, no reset pending.
    void Seek(int64_t offset) {
      position = offset;
      pending_reset = PendingReset::kNone;
    }
    void RequestReset(PendingReset reset) {
      position.reset();
      pending_reset = reset;
    }
    // Has a position and is not paused: may be fetched from.
    bool fetchable() const { return position.has_value() && !paused; }
  };

  struct Assigned {
    TopicPartition partition;
    PartitionState state;
  };

  SubscriptionState() = default;
  SubscriptionState(const SubscriptionState&) = delete;
  SubscriptionState& operator=(const SubscriptionState&) = delete;

  Mode mode() const { return mode_; }
  bool subscribed() const { return mode_ == Mode::kSubscribed; }

  // Subscribe: `topics` (sorted and deduplicated here) replace the
  // subscription and any pattern. True when the consumer was subscribed
  // already and the topics changed (the group must learn them).
  bool Subscribe(std::vector<std::string> topics);
  // SubscribePattern: `pattern` with the topics it matches now (sorted).
  // True as Subscribe.
  bool SubscribePattern(TopicPattern pattern,
                        std::vector<std::string> matched);
  // A pattern subscription's topics re-evaluated (sorted).
  void SetPatternTopics(std::vector<std::string> matched);
  // Back to no subscription and no assignment.
  void Unsubscribe();
  // The subscribed topics, sorted and unique (a pattern's matches).
  const std::vector<std::string>& subscription() const {
    return subscription_;
  }
  const std::optional<TopicPattern>& pattern() const { return pattern_; }
  bool IsSubscribedTopic(absl::string_view topic) const;

  // Assign: the user's partitions become the assignment (mode kAssigned,
  // or kNone when empty). Partitions that stay keep their state.
  void AssignFromUser(const std::vector<TopicPartition>& partitions);
  // A group's assignment: as AssignFromUser, the mode stays kSubscribed.
  void AssignFromSubscribed(const std::vector<TopicPartition>& partitions);
  // Forgets the position and pause flag of an assigned partition (its topic
  // was re-created).
  void ResetPartitionState(const TopicPartition& tp);

  // The assignment, sorted by partition; the state is mutable through it.
  std::vector<Assigned>& assigned() { return assigned_; }
  const std::vector<Assigned>& assigned() const { return assigned_; }
  bool empty() const { return assigned_.empty(); }
  std::vector<TopicPartition> AssignedPartitions() const;
  // nullptr when `tp` is not assigned.
  PartitionState* Find(const TopicPartition& tp);
  const PartitionState* Find(const TopicPartition& tp) const;
  // As Find; IllegalState "<op>: no current assignment for partition ..."
  // (Kafka's IllegalStateException) when not assigned.
  absl::StatusOr<PartitionState*> FindAssigned(const TopicPartition& tp,
                                               absl::string_view op);

  // Kafka's allConsumed: the position of every assigned partition that
  // has one, as offsets to commit.
  OffsetMap ConsumedOffsets() const;
  // The paused assigned partitions, sorted.
  std::vector<TopicPartition> Paused() const;

  // Fairness across polls: each fetch starts at the next partition of the
  // assignment, so none is always served last. fetch_start() is the index
  // into assigned() to start at; AdvanceFetchStart moves it by one. A new
  // assignment starts over at 0.
  size_t fetch_start() const { return fetch_start_; }
  void AdvanceFetchStart();

 private:
  void SetAssignment(const std::vector<TopicPartition>& partitions);

  Mode mode_ = Mode::kNone;
  std::vector<std::string> subscription_;  // Sorted, unique.
  std::optional<TopicPattern> pattern_;    // SubscribePattern's.
  std::vector<Assigned> assigned_;         // Sorted by partition, unique.
  size_t fetch_start_ = 0;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_SUBSCRIPTION_STATE_H_
