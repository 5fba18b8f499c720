// The process-wide registry behind RegisterAssignor (brook/assignor.h). It
// lives below the assignors so that option parsing can check names too.
#ifndef BROOK_LIB_UTIL_ASSIGNOR_REGISTRY_H_
#define BROOK_LIB_UTIL_ASSIGNOR_REGISTRY_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "brook/assignor.h"

namespace brook {

// Kafka's four names: "range", "roundrobin", "sticky", "cooperative-sticky".
bool IsBuiltInAssignorName(absl::string_view name);

// The assignor registered under `name`, or nullptr. Thread-safe.
std::shared_ptr<Assignor> RegisteredAssignor(absl::string_view name);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_ASSIGNOR_REGISTRY_H_
