// Consumer partition assignors: given a group's subscriptions and the
// cluster's partition counts, decide which member consumes which partition.
// brook ships Kafka's four assignors (range, roundrobin, sticky and
// cooperative-sticky) and they give exactly the assignments Kafka's Java
// client gives for the same input, so a group can be reasoned about with
// Kafka's documentation and tools.
#ifndef BROOK_ASSIGNOR_H_
#define BROOK_ASSIGNOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/record.h"

namespace brook {

// Kafka's ConsumerPartitionAssignor.RebalanceProtocol.
enum class RebalanceProtocol {
  // Every member revokes everything before the group rebalances.
  kEager,
  // Members keep what they own; a partition moving to another member is
  // revoked in one rebalance and assigned in a follow-up one.
  kCooperative,
};

// Kafka's AbstractStickyAssignor.DEFAULT_GENERATION: "no known generation".
inline constexpr int32_t kDefaultGeneration = -1;

// One member's subscription, as the group leader sees it.
struct GroupMember {
  std::string member_id;
  // group.instance.id of a static member; static members sort before dynamic
  // ones in the range and roundrobin assignors.
  std::optional<std::string> group_instance_id;
  // Subscribed topics. Order carries no meaning; duplicates are ignored.
  std::vector<std::string> topics;
  // The partitions the member owned before this rebalance: the subscription's
  // owned partitions for cooperative-sticky, the user data's previous
  // assignment for sticky. Ignored by range and roundrobin. Partitions of
  // topics that no longer exist or are out of range are ignored.
  std::vector<TopicPartition> owned_partitions;
  // The generation `owned_partitions` belongs to. Default: kDefaultGeneration.
  int32_t generation = kDefaultGeneration;
};

// The input of an assignment.
struct GroupSubscription {
  // Cluster metadata: topic -> number of partitions. Only topics some member
  // subscribes to take part; a subscribed topic that is missing here or has
  // 0 partitions is skipped, as in Kafka.
  std::map<std::string, int32_t> partitions_per_topic;
  // The members. Member ids must be unique. Their order carries no meaning
  // except where Kafka's own hash-map order would break a tie.
  std::vector<GroupMember> members;
};

// Member id -> assigned partitions, sorted by topic then partition. Every
// input member has an entry, possibly empty.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

// A partition assignor. Implementations are stateless and thread-safe, so one
// instance may be shared by any number of groups and threads.
class Assignor {
 public:
  Assignor() = default;
  Assignor(const Assignor&) = delete;
  Assignor& operator=(const Assignor&) = delete;
  virtual ~Assignor() = default;

  // Kafka's name for the assignor ("range", "roundrobin", "sticky",
  // "cooperative-sticky"), used as the group protocol name.
  virtual absl::string_view name() const = 0;

  // The rebalance protocols the assignor supports, preferred first.
  virtual std::vector<RebalanceProtocol> supported_protocols() const = 0;

  // Computes the assignment. Returns ErrorCode kInvalidRequest for duplicate
  // member ids or a negative partition count, and kIllegalState where Kafka's
  // assignor would throw IllegalStateException.
  virtual absl::StatusOr<GroupAssignment> Assign(
      const GroupSubscription& subscription) const = 0;
};

// Kafka's RangeAssignor: per topic, consecutive ranges of partitions to the
// members in sorted order; the first members get one extra partition.
std::unique_ptr<Assignor> NewRangeAssignor();

// Kafka's RoundRobinAssignor: all partitions in topic order dealt in turn to
// the members in sorted order, skipping members not subscribed to the topic.
std::unique_ptr<Assignor> NewRoundRobinAssignor();

// Kafka's StickyAssignor (eager): balanced, and keeps as many previously
// owned partitions as balance allows.
std::unique_ptr<Assignor> NewStickyAssignor();

// Kafka's CooperativeStickyAssignor: the sticky assignment, minus partitions
// that move to a new owner in this rebalance (their owner revokes them first;
// the follow-up rebalance assigns them).
std::unique_ptr<Assignor> NewCooperativeStickyAssignor();

// The assignor named `name`: one of Kafka's four, or one registered with
// RegisterAssignor; nullptr for an unknown name.
std::shared_ptr<Assignor> AssignorByName(absl::string_view name);

// Makes `assignor` available under assignor->name() to
// partition.assignment.strategy (typed options and properties alike) in
// this process, as a class name does in Kafka's Java client. Register before
// creating consumers that name it. Its Assign runs inside the engine's group
// coordinator while a rebalance completes: it must be a pure function of its
// input (no calls into brook, no blocking, no exceptions). Its
// supported_protocols() decide whether a consumer rebalances eagerly or
// cooperatively, as for the built-in ones. The group checks its result:
// partitions that do not exist, that no subscriber of their topic got, that
// two members got, or (cooperative) that move straight from one owner to
// another fail the rebalance with IllegalState for every member. Errors:
// InvalidConfig for a null assignor, an empty name or one with ',' or
// whitespace, a built-in name, or a name already registered. Thread-safe.
absl::Status RegisterAssignor(std::shared_ptr<Assignor> assignor);

}  // namespace brook

#endif  // BROOK_ASSIGNOR_H_
