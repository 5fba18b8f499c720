#include "client/commit_callbacks.h"

#include <utility>

namespace brook {

void CommitCallbackQueue::Add(CommitCallback callback, absl::Status status,
                              OffsetMap offsets) {
  if (!callback) return;
  pending_.push_back(
      Pending{std::move(callback), std::move(status), std::move(offsets)});
}

void CommitCallbackQueue::RunAll() {
  std::vector<Pending> callbacks = std::move(pending_);
  pending_.clear();
  for (Pending& p : callbacks) p.callback(p.status, p.offsets);
}

}  // namespace brook
