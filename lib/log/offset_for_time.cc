#include "log/offset_for_time.h"

#include <vector>

#include "log/batch_format.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// Bytes read from the log per step of a search.
constexpr size_t kSearchReadBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::optional<TimestampedOffset>> FindOffsetForTime(
    Store& store, const Topic& topic, int32_t partition, int64_t from,
    int64_t end, int64_t target_ms) {
  int64_t pos = from;
  while (pos < end) {
    std::vector<StoredBatch> batches;
    BROOK_RETURN_IF_ERROR(store.ReadBatches(topic.cf(), partition, pos, end,
                                            kSearchReadBytes, &batches));
    if (batches.empty()) break;
    const int64_t before = pos;
    for (const StoredBatch& b : batches) {
      const int64_t next = b.base_offset + BatchOffsetSpan(*b.value);
      if (next <= pos) continue;
      const int64_t max_ts = BatchMaxTimestamp(*b.value);
      if (max_ts >= 0 && max_ts < target_ms) {
        pos = next;
        continue;
      }
      BatchReader reader;
      BROOK_RETURN_IF_ERROR(reader.Init(*b.value));
      std::vector<HeaderView> headers;  // Decoded, not needed.
      while (!reader.done()) {
        RecordView r;
        headers.clear();
        BROOK_RETURN_IF_ERROR(reader.ReadView(b.base_offset, &r, &headers));
        const int64_t ts = absl::ToUnixMillis(r.timestamp);
        if (r.offset >= pos && r.offset < end && ts >= target_ms) {
          return TimestampedOffset{r.offset, ts};
        }
      }
      pos = next;
    }
    if (pos == before) break;  // No progress: nothing more to read.
  }
  return std::nullopt;
}

}  // namespace brook
