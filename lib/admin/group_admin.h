// GroupAdmin: the Admin's consumer-group calls on the embedded engine:
// list and describe groups, their committed offsets and lag, reset and
// delete them. A read-only engine describes the groups of the process that
// holds the directory from the membership snapshots it keeps.
#ifndef BROOK_LIB_ADMIN_GROUP_ADMIN_H_
#define BROOK_LIB_ADMIN_GROUP_ADMIN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "brook/clock.h"
#include "group/coordinator.h"
#include "group/group_snapshots.h"
#include "group/offset_store.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe. Borrows everything it is given; all of it must outlive it.
// The caller checks that the engine is open.
class GroupAdmin {
 public:
  GroupAdmin(GroupCoordinator* coordinator, OffsetStore* offsets,
             GroupSnapshots* snapshots, TopicRegistry* topics, Store* store,
             Clock* clock)
      : coordinator_(coordinator),
        offsets_(offsets),
        snapshots_(snapshots),
        topics_(topics),
        store_(store),
        clock_(clock) {}
  GroupAdmin(const GroupAdmin&) = delete;
  GroupAdmin& operator=(const GroupAdmin&) = delete;

  absl::StatusOr<std::vector<std::string>> ListGroups();
  absl::StatusOr<ConsumerGroupDescription> DescribeGroup(
      absl::string_view group);
  absl::StatusOr<std::vector<GroupPartitionOffset>> ListGroupOffsets(
      absl::string_view group);
  absl::Status DeleteGroup(absl::string_view group);
  absl::StatusOr<std::vector<OffsetResetPlanEntry>> ResetOffsets(
      absl::string_view group, absl::string_view topic,
      const OffsetResetSpec& spec, bool dry_run);

 private:
  // NonEmptyGroup when `group` has members (after the coordinator's
  // deadline checks, so members past max.poll.interval do not count).
  absl::Status CheckNoActiveMembers(absl::string_view group,
                                    absl::string_view what);
  // The group as the coordinator holds it (after its deadline checks), or,
  // read-only, as the holding process's snapshot describes it.
  absl::StatusOr<std::optional<ConsumerGroupDescription>> FindGroup(
      absl::string_view group);

  GroupCoordinator* const coordinator_;
  OffsetStore* const offsets_;
  GroupSnapshots* const snapshots_;
  TopicRegistry* const topics_;
  Store* const store_;
  Clock* const clock_;
};

}  // namespace brook

#endif  // BROOK_LIB_ADMIN_GROUP_ADMIN_H_
