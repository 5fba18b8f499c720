#include "log/data_notifier.h"

namespace brook {
namespace {

struct WaitArgs {
  const std::atomic<uint64_t>* version;
  uint64_t seen;
  const std::atomic<bool>* interrupt;
};

bool Changed(WaitArgs* a) {
  // Sequentially consistent, with the waiter count and Notify's increment:
  // either Notify sees this waiter's shard as waited on, or this load sees
  // the new version.
  return a->version->load() != a->seen ||
         (a->interrupt != nullptr &&
          a->interrupt->load(std::memory_order_acquire));
}

}  // namespace

void DataNotifier::WakeShards(bool all) {
  for (Shard& shard : shards_) {
    if (all || shard.waiters.load() > 0) absl::MutexLock lock(&shard.mu);
  }
}

void DataNotifier::Notify() {
  version_.fetch_add(1);
  WakeShards(/*all=*/false);
}

void DataNotifier::Poke() {
  // Every shard: the flag a waiter watches is not ordered with the waiter
  // counts, only with the shard mutexes.
  WakeShards(/*all=*/true);
}

void DataNotifier::Wait(uint64_t seen, const std::atomic<bool>* interrupt,
                        absl::Time deadline) {
  // Each thread keeps its shard; threads are dealt to shards in turn.
  static std::atomic<uint64_t> next_shard{0};
  thread_local const uint64_t shard_index =
      next_shard.fetch_add(1, std::memory_order_relaxed);
  Shard& shard = shards_[shard_index % kShards];
  WaitArgs args{&version_, seen, interrupt};
  absl::MutexLock lock(&shard.mu);
  shard.waiters.fetch_add(1);
  clock_->AwaitWithDeadline(&shard.mu, absl::Condition(&Changed, &args),
                            deadline);
  shard.waiters.fetch_sub(1);
}

}  // namespace brook
