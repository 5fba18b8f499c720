#include "util/assignor_registry.h"

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"

namespace brook {
namespace {

struct Registry {
  absl::Mutex mu;
  std::map<std::string, std::shared_ptr<Assignor>, std::less<>> assignors
      ABSL_GUARDED_BY(mu);
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

bool IsBuiltInAssignorName(absl::string_view name) {
  return name == "range" || name == "roundrobin" || name == "sticky" ||
         name == "cooperative-sticky";
}

std::shared_ptr<Assignor> RegisteredAssignor(absl::string_view name) {
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  auto it = r.assignors.find(name);
  return it == r.assignors.end() ? nullptr : it->second;
}

absl::Status RegisterAssignor(std::shared_ptr<Assignor> assignor) {
  if (assignor == nullptr) {
    return Error(ErrorCode::kInvalidConfig, "RegisterAssignor: null assignor");
  }
  const std::string name(assignor->name());
  if (name.empty() || name.find_first_of(", \t\r\n") != std::string::npos) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("RegisterAssignor: invalid assignor name '", name,
                              "' (it must be non-empty, without ',' or "
                              "whitespace)"));
  }
  if (IsBuiltInAssignorName(name)) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("RegisterAssignor: '", name,
                              "' is a built-in assignor and cannot be "
                              "replaced"));
  }
  Registry& r = GetRegistry();
  absl::MutexLock lock(&r.mu);
  if (!r.assignors.emplace(name, std::move(assignor)).second) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("RegisterAssignor: an assignor named '", name,
                              "' is already registered"));
  }
  return absl::OkStatus();
}

}  // namespace brook
