#include "util/offset_reset.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {

absl::StatusOr<int64_t> OffsetResetTarget(const OffsetResetSpec& spec,
                                          absl::string_view group,
                                          const TopicPartition& tp,
                                          int64_t old_offset,
                                          int64_t log_start, int64_t log_end,
                                          std::optional<int64_t> by_time) {
  int64_t target = 0;
  switch (spec.kind) {
    case OffsetResetSpec::Kind::kEarliest:
      target = log_start;
      break;
    case OffsetResetSpec::Kind::kLatest:
      target = log_end;
      break;
    case OffsetResetSpec::Kind::kTimestamp:
      // As kafka-consumer-groups.sh: no record that late, the log end.
      target = by_time.value_or(log_end);
      break;
    case OffsetResetSpec::Kind::kOffset:
      target = spec.value;
      break;
    case OffsetResetSpec::Kind::kShiftBy:
      if (old_offset < 0) {
        // As kafka-consumer-groups.sh: shifting needs a committed offset.
        return Error(ErrorCode::kInvalidRequest,
                     absl::StrCat("cannot shift partition ", tp.ToString(),
                                  " of group ", group,
                                  ": it has no committed offset"));
      }
      // Saturate rather than overflow on absurd shifts.
      if (spec.value > 0 && old_offset > INT64_MAX - spec.value) {
        target = INT64_MAX;
      } else if (spec.value < 0 && old_offset < INT64_MIN - spec.value) {
        target = INT64_MIN;
      } else {
        target = old_offset + spec.value;
      }
      break;
  }
  // As kafka-consumer-groups.sh, a target outside the log is clamped to its
  // nearest end.
  return std::clamp(target, log_start, log_end);
}

}  // namespace brook
