// Where Admin::ResetOffsets moves one partition's committed offset, as
// kafka-consumer-groups.sh --reset-offsets decides it: the same rules on
// both backends, which differ only in how they learn the log's bounds.
#ifndef BROOK_LIB_UTIL_OFFSET_RESET_H_
#define BROOK_LIB_UTIL_OFFSET_RESET_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "brook/record.h"

namespace brook {

// The new offset of `tp` for `spec`, clamped into [log_start, log_end].
// `old_offset`: the committed offset, -1 for none. `by_time`: for
// kTimestamp, the first offset whose record is at or after the time (none:
// the log end). InvalidRequest for kShiftBy without a committed offset.
absl::StatusOr<int64_t> OffsetResetTarget(const OffsetResetSpec& spec,
                                          absl::string_view group,
                                          const TopicPartition& tp,
                                          int64_t old_offset,
                                          int64_t log_start, int64_t log_end,
                                          std::optional<int64_t> by_time);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_OFFSET_RESET_H_
