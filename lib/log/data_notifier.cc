#include "log/data_notifier.h"

namespace brook {
namespace {

struct WaitArgs {
  const std::atomic<uint64_t>* version;
  uint64_t seen;
  const std::atomic<bool>* interrupt;
};

bool Changed(WaitArgs* a) {
  return a->version->load(std::memory_order_acquire) != a->seen ||
         (a->interrupt != nullptr &&
          a->interrupt->load(std::memory_order_acquire));
}

}  // namespace

void DataNotifier::Notify() {
  absl::MutexLock lock(&mu_);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void DataNotifier::Poke() { absl::MutexLock lock(&mu_); }

void DataNotifier::Wait(uint64_t seen, const std::atomic<bool>* interrupt,
                        absl::Time deadline) {
  WaitArgs args{&version_, seen, interrupt};
  absl::MutexLock lock(&mu_);
  clock_->AwaitWithDeadline(&mu_, absl::Condition(&Changed, &args), deadline);
}

}  // namespace brook
