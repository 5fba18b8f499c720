// Walking a partition's stored batches in offset order, a storage read of a
// few MiB at a time; shared by the log cleaner and the compactor.
#ifndef BROOK_LIB_LOG_BATCH_WALK_H_
#define BROOK_LIB_LOG_BATCH_WALK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "log/topic.h"
#include "storage/store.h"
#include "util/status_macros.h"

namespace brook {

// Bytes read from storage at a time.
inline constexpr size_t kWalkReadBytes = 4 << 20;

inline absl::Status DamagedBatch(const Topic& topic, int32_t p,
                                 int64_t base) {
  return Error(ErrorCode::kCorruption,
               absl::StrCat("topic ", topic.name(), " partition ", p,
                            ": the batch at offset ", base, " is damaged"));
}

// Calls fn(batch, batch_end) for partition `p`'s batches from the one
// holding `start` up to `end`, in order, until fn returns false; batch_end
// is one past the batch's last offset. A batch whose header is unreadable
// stops the walk with Corruption.
template <typename Fn>
absl::Status WalkStoredBatches(Store* store, const Topic& topic, int32_t p,
                               int64_t start, int64_t end, Fn fn) {
  int64_t from = start;
  bool first = true;
  while (from < end) {
    std::vector<StoredBatch> read;
    // The first read also finds a batch `start` falls inside.
    BROOK_RETURN_IF_ERROR(store->ReadBatches(topic.cf(), p, from, end,
                                             kWalkReadBytes, &read,
                                             /*after=*/!first));
    first = false;
    if (read.empty()) return absl::OkStatus();
    for (const StoredBatch& b : read) {
      const int32_t span = BatchOffsetSpan(*b.value);
      if (span <= 0) return DamagedBatch(topic, p, b.base_offset);
      const int64_t batch_end = b.base_offset + span;
      if (!fn(b, batch_end)) return absl::OkStatus();
      from = batch_end;
    }
  }
  return absl::OkStatus();
}

}  // namespace brook

#endif  // BROOK_LIB_LOG_BATCH_WALK_H_
