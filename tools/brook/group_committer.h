// The consume command's group commits: which offsets it commits and when,
// so a later run with the same --group starts right after the last record
// this one printed.
#ifndef BROOK_TOOLS_BROOK_GROUP_COMMITTER_H_
#define BROOK_TOOLS_BROOK_GROUP_COMMITTER_H_

#include <vector>

#include "absl/status/status.h"
#include "brook/consumer.h"
#include "brook/rebalance_listener.h"

namespace brook {
namespace cli {

// Per partition, the offset after the last printed record, or the start
// position if nothing was printed from it (so, as Kafka's auto commit at
// close does, the next run starts where this one did rather than resolving
// "latest" again). Records fetched but not printed (beyond --max, or lost to
// a closed stdout) are never committed, which is why this does not use
// CommitSync() with the consumer's positions.
//
// With Assign, call Start once the partitions are assigned. With Subscribe,
// pass the committer as the rebalance listener: it starts tracking assigned
// partitions and commits revoked ones before they move (no duplicates for
// the next owner); lost ones are dropped. Single-threaded, like the consumer
// it borrows; `consumer` must outlive it.
class GroupCommitter : public ConsumerRebalanceListener {
 public:
  explicit GroupCommitter(Consumer* consumer) : consumer_(consumer) {}
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Records the start position of every partition in `partitions` (the
  // group's committed offset, else auto.offset.reset). REQUIRES: they are
  // assigned and any seek is done.
  absl::Status Start(const std::vector<TopicPartition>& partitions);

  // Commits `printed` (partition -> next offset) once those records have
  // been written out. In a subscribed group, a commit refused because the
  // group is rebalancing (or moved on without this member) is not an error:
  // the revocation commits the offsets, or the next owner reads the records
  // again (at least once).
  absl::Status CommitPrinted(const OffsetMap& printed);

  // Commits every owned partition's offset; at exit. Also reports a commit
  // that failed inside a rebalance callback.
  absl::Status CommitAll();

  // True once the group gave this member an assignment (possibly empty).
  bool assigned() const { return assigned_; }

  void OnPartitionsAssigned(
      const std::vector<TopicPartition>& partitions) override;
  void OnPartitionsRevoked(
      const std::vector<TopicPartition>& partitions) override;
  void OnPartitionsLost(const std::vector<TopicPartition>& partitions) override;

 private:
  Consumer* const consumer_;
  OffsetMap all_;
  absl::Status callback_error_;
  bool assigned_ = false;
};

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_GROUP_COMMITTER_H_
