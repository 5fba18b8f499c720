// The CommitAsync callbacks a consumer owes, as Kafka's
// invokeCompletedOffsetCommitCallbacks: a commit's callback never runs
// inside CommitAsync but on the consumer's thread at its next Poll,
// CommitSync or Close, in the order the commits were made. Backends Add
// each finished commit and RunAll at the start of those calls.
#ifndef BROOK_LIB_CLIENT_COMMIT_CALLBACKS_H_
#define BROOK_LIB_CLIENT_COMMIT_CALLBACKS_H_

#include <vector>

#include "absl/status/status.h"
#include "brook/consumer.h"

namespace brook {

// Thread-compatible (owned by one consumer).
class CommitCallbackQueue {
 public:
  CommitCallbackQueue() = default;
  CommitCallbackQueue(const CommitCallbackQueue&) = delete;
  CommitCallbackQueue& operator=(const CommitCallbackQueue&) = delete;

  // Queues `callback` (nothing when empty) with the commit's result.
  void Add(CommitCallback callback, absl::Status status, OffsetMap offsets);
  // Runs the queued callbacks in order. One added meanwhile (a callback
  // calling CommitAsync) waits for the next RunAll.
  void RunAll();
  // Drops them unrun (a crashed consumer).
  void Clear() { pending_.clear(); }
  bool empty() const { return pending_.empty(); }

 private:
  struct Pending {
    CommitCallback callback;
    absl::Status status;
    OffsetMap offsets;
  };
  std::vector<Pending> pending_;
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_COMMIT_CALLBACKS_H_
