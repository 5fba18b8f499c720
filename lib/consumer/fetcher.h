// The embedded backend's fetcher, as Kafka's Fetcher and OffsetFetcher
// together: binds each assigned partition to its topic in the log, resolves
// positions against the log (SeekToBeginning / SeekToEnd, auto.offset.reset,
// out-of-range positions), reads up to max.poll.records round-robin across
// the assigned partitions, and answers the offset lookups
// (BeginningOffsets, EndOffsets, OffsetsForTimes). Positions and pause flags
// are read from and written to the consumer's SubscriptionState.
#ifndef BROOK_LIB_CONSUMER_FETCHER_H_
#define BROOK_LIB_CONSUMER_FETCHER_H_

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "brook/consumer.h"
#include "brook/options.h"
#include "client/subscription_state.h"
#include "log/partition_reader.h"
#include "log/records_builder.h"
#include "log/log_cleaner.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

// Finds a topic by name, creating it when the engine auto-creates topics
// (TopicCatalog::Get); UnknownTopicOrPartition otherwise.
using TopicLookup =
    absl::AnyInvocable<absl::StatusOr<std::shared_ptr<Topic>>(
        absl::string_view)>;

// Thread-compatible (owned by one consumer).
class Fetcher {
 public:
  // `store` and `cleaner` (nullptr for a read-only engine) must outlive the
  // fetcher.
  Fetcher(Store* store, LogCleaner* cleaner, TopicLookup get_topic,
          OffsetReset auto_offset_reset, int max_poll_records);
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // The topics of a user's Assign, checked: UnknownTopicOrPartition.
  absl::StatusOr<std::map<TopicPartition, std::shared_ptr<Topic>>>
  ResolveTopics(absl::Span<const TopicPartition> partitions);
  // Binds exactly `topics` (ResolveTopics' result). Returns the partitions
  // that were bound to another topic of the same name (deleted and
  // re-created): their position and pause flag must start over.
  std::vector<TopicPartition> Bind(
      std::map<TopicPartition, std::shared_ptr<Topic>> topics);
  // Binds a group's assignment: partitions already bound stay; a partition
  // whose topic is gone (deleted since the assignment was computed) is
  // skipped, and the group's next rebalance drops it. Returns the bound
  // partitions.
  std::vector<TopicPartition> BindAssignment(
      const std::vector<TopicPartition>& partitions);
  // Drops the offsets of deleted topics: their committed offsets were
  // removed with them, and committing them again would resurrect them (or
  // fail the whole commit).
  void DropDeletedTopics(OffsetMap* offsets) const;

  // Runs the retention check if it is overdue (LogCleaner::RunIfDue), so
  // that positions are checked against its result.
  void RunDueRetention();

  // Resolves pending SeekToBeginning / SeekToEnd to the log start / end of
  // now. Returns the partitions still without a position (they take their
  // committed offset or auto.offset.reset).
  std::vector<TopicPartition> ApplyPendingResets(SubscriptionState* subs);
  // auto.offset.reset for `tp`: NoOffsetForPartition (or OffsetOutOfRange
  // when `out_of_range`) with none.
  absl::Status ResetPosition(const TopicPartition& tp,
                             SubscriptionState::PartitionState* state,
                             bool out_of_range);
  // What a fetch finds: positions outside [log start, log end] are reset
  // by auto.offset.reset (error OffsetOutOfRange with none). REQUIRES:
  // every assigned partition has a position.
  absl::Status ResetOutOfRangePositions(SubscriptionState* subs);

  // Reads up to max.poll.records from the fetchable partitions into `out`,
  // each with data getting an equal share first, starting at the
  // assignment's rotating start. A read error after some records were read
  // is held back for TakeHeldError, so that those are delivered first.
  absl::Status Fetch(SubscriptionState* subs, RecordsBuilder* out);
  // The held-back read error, cleared; OK when none.
  absl::Status TakeHeldError();

  // Offset lookups; UnknownTopicOrPartition.
  absl::StatusOr<std::map<TopicPartition, int64_t>> BeginningOffsets(
      absl::Span<const TopicPartition> partitions);
  absl::StatusOr<std::map<TopicPartition, int64_t>> EndOffsets(
      absl::Span<const TopicPartition> partitions);
  absl::StatusOr<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
  OffsetsForTimes(const std::map<TopicPartition, absl::Time>& timestamps);

  // Forgets every binding (Close).
  void Clear() { partitions_.clear(); }

 private:
  PartitionReader* Find(const TopicPartition& tp) const;
  // The partition `tp` of its topic, checked: UnknownTopicOrPartition.
  absl::StatusOr<std::shared_ptr<Topic>> CheckedTopic(const TopicPartition& tp);

  Store* const store_;
  LogCleaner* const cleaner_;
  TopicLookup get_topic_;
  const OffsetReset auto_offset_reset_;
  const int max_poll_records_;

  std::map<TopicPartition, std::unique_ptr<PartitionReader>> partitions_;
  absl::Status held_error_;
};

}  // namespace brook

#endif  // BROOK_LIB_CONSUMER_FETCHER_H_
