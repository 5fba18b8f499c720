// The log's search by time: the first record of a partition at or after a
// timestamp (Kafka's ListOffsets by timestamp, behind offsetsForTimes and
// kafka-consumer-groups.sh --to-datetime).
#ifndef BROOK_LIB_LOG_OFFSET_FOR_TIME_H_
#define BROOK_LIB_LOG_OFFSET_FOR_TIME_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "log/topic.h"
#include "storage/store.h"

namespace brook {

struct TimestampedOffset {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // The record's (log-append time on such topics).
};

// The first record of `topic`'s `partition` in [from, end), in offset
// order, whose timestamp is at least `target_ms`; nullopt when there is
// none. Batches whose largest timestamp is below the target are skipped
// unread, as Kafka's time index does; reads about 1 MiB at a time.
absl::StatusOr<std::optional<TimestampedOffset>> FindOffsetForTime(
    Store& store, const Topic& topic, int32_t partition, int64_t from,
    int64_t end, int64_t target_ms);

}  // namespace brook

#endif  // BROOK_LIB_LOG_OFFSET_FOR_TIME_H_
