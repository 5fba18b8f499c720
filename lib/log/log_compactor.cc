#include "log/log_compactor.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "log/batch_format.h"
#include "log/batch_walk.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// Bytes of rewrites gathered into one storage write.
constexpr size_t kWriteBytes = 4 << 20;
// What a key map entry costs beyond its key's bytes.
constexpr size_t kMapEntryOverhead = 48;

// a + b, capped at INT64_MAX (b >= 0).
int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

}  // namespace

absl::StatusOr<CompactionResult> LogCompactor::Compact(const Topic& topic,
                                                       int32_t p,
                                                       int64_t now_ms) {
  const TopicConfig config = topic.config();
  const PartitionState& state = topic.partition(p);
  const int64_t start = state.log_start.load(std::memory_order_acquire);
  const int64_t end = state.high_watermark.load(std::memory_order_acquire);
  CompactionResult result;
  result.cleanable_end = start;
  if (topic.deleted() || start >= end) return result;

  // The cleanable range and the latest offset of each key in it.
  absl::flat_hash_map<std::string, int64_t> latest;
  size_t map_bytes = 0;
  int64_t cleanable_end = start;
  std::vector<HeaderView> headers;  // Decoded, not needed.
  absl::Status read_error;
  BROOK_RETURN_IF_ERROR(WalkStoredBatches(
      store_, topic, p, start, end,
      [&](const StoredBatch& b, int64_t batch_end) {
        if (batch_end >= end) return false;  // The head.
        const __int128 age =
            static_cast<__int128>(now_ms) - BatchMaxTimestamp(*b.value);
        if (config.min_compaction_lag_ms > 0 && age < config.min_compaction_lag_ms) {
          return false;
        }
        if (map_bytes >= map_budget_) return false;
        BatchReader reader;
        read_error = reader.Init(*b.value);
        while (read_error.ok() && !reader.done()) {
          RecordView r;
          headers.clear();
          read_error = reader.ReadView(b.base_offset, &r, &headers);
          if (!read_error.ok() || !r.key) continue;
          auto it = latest.find(*r.key);
          if (it != latest.end()) {
            it->second = r.offset;
          } else {
            latest.emplace(std::string(*r.key), r.offset);
            map_bytes += r.key->size() + kMapEntryOverhead;
          }
        }
        if (!read_error.ok()) return false;
        cleanable_end = batch_end;
        return true;
      }));
  BROOK_RETURN_IF_ERROR(read_error);
  if (cleanable_end == start) return result;
  result.cleanable_end = cleanable_end;

  // Rewrite each batch of the range that loses a record or gains a
  // delete horizon.
  StoreWriteBatch writes;
  absl::Status write_error;
  bool first = true;
  std::vector<absl::string_view> kept;
  BROOK_RETURN_IF_ERROR(WalkStoredBatches(
      store_, topic, p, start, cleanable_end,
      [&](const StoredBatch& b, int64_t) {
        const bool first_batch = first;
        first = false;
        BatchReader reader;
        read_error = reader.Init(*b.value);
        if (!read_error.ok()) return false;
        const int64_t horizon = reader.delete_horizon_ms();
        const bool horizon_passed = horizon >= 0 && horizon <= now_ms;
        kept.clear();
        int64_t records = 0;
        bool tombstone_kept = false;
        while (!reader.done()) {
          RecordView r;
          headers.clear();
          read_error = reader.ReadView(b.base_offset, &r, &headers);
          if (!read_error.ok()) return false;
          ++records;
          bool keep = false;
          if (r.key) {
            auto it = latest.find(*r.key);
            keep = it != latest.end() && it->second == r.offset;
          }
          if (keep && !r.value) {
            keep = !horizon_passed;
            tombstone_kept |= keep;
          }
          if (keep) kept.push_back(reader.last_record());
        }
        const int64_t new_horizon =
            !tombstone_kept ? -1
            : horizon >= 0  ? horizon
                            : SaturatingAdd(now_ms, config.delete_retention_ms);
        if (tombstone_kept) {
          result.next_delete_horizon_ms =
              std::min(result.next_delete_horizon_ms, new_horizon);
        }
        const int64_t old_size = static_cast<int64_t>(b.value->size());
        if (static_cast<int64_t>(kept.size()) == records &&
            new_horizon == horizon) {
          result.clean_bytes += old_size;
          return true;  // Unchanged.
        }
        result.records_removed += records - static_cast<int64_t>(kept.size());
        ++result.batches_rewritten;
        if (kept.empty() && !first_batch) {
          writes.DeleteRecordBatch(topic.cf(), p, b.base_offset);
          result.bytes_removed += old_size;
        } else {
          const std::string value =
              EncodeCompactedBatch(*b.value, kept, new_horizon);
          result.bytes_removed += old_size - static_cast<int64_t>(value.size());
          result.clean_bytes += static_cast<int64_t>(value.size());
          writes.PutRecordBatch(topic.cf(), p, b.base_offset, value);
        }
        if (writes.data_size() >= kWriteBytes) {
          write_error = store_->Write(&writes, /*sync=*/false);
          writes.Clear();
          if (!write_error.ok()) return false;
        }
        return true;
      }));
  BROOK_RETURN_IF_ERROR(read_error);
  BROOK_RETURN_IF_ERROR(write_error);
  if (!writes.empty()) {
    BROOK_RETURN_IF_ERROR(store_->Write(&writes, /*sync=*/false));
  }
  return result;
}

}  // namespace brook
