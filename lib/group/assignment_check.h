// Checks an assignor's result before the group hands it out, as Kafka's
// ConsumerCoordinator does for the leader's assignor: a custom assignor's
// mistake fails the rebalance instead of giving a partition two owners.
#ifndef BROOK_LIB_GROUP_ASSIGNMENT_CHECK_H_
#define BROOK_LIB_GROUP_ASSIGNMENT_CHECK_H_

#include "absl/status/status.h"
#include "brook/assignor.h"

namespace brook {

// OK when every assigned partition exists in `input`, belongs to a topic its
// member subscribes to, goes to one member only, and the result names only
// input members. With `cooperative`, also that no partition goes to a member
// other than the one that owned it before (it must be revoked first).
// IllegalState, naming the first violation, otherwise.
absl::Status CheckAssignment(const GroupSubscription& input,
                             const GroupAssignment& assignment,
                             bool cooperative);

}  // namespace brook

#endif  // BROOK_LIB_GROUP_ASSIGNMENT_CHECK_H_
