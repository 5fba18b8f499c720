// Kafka's record size arithmetic (record format v2), shared by the
// embedded log's batches and the producers' size checks of both backends.
// Pure functions over a record's fields.
#ifndef BROOK_LIB_UTIL_RECORD_SIZE_H_
#define BROOK_LIB_UTIL_RECORD_SIZE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "brook/record.h"

namespace brook {

// Bytes of a record after its length varint: attributes, timestamp delta
// (from `first_ts_ms`), offset delta, key, value and headers, each with its
// zig-zag varint length (-1 for null).
size_t RecordBodySize(int64_t timestamp_ms, int64_t first_ts_ms,
                      int32_t offset_delta, const Bytes& key,
                      const Bytes& value, const std::vector<Header>& headers);

// Bytes a record adds to a batch whose first timestamp is `first_ts_ms`.
size_t EncodedRecordSize(int64_t timestamp_ms, int64_t first_ts_ms,
                         int32_t offset_delta, const Bytes& key,
                         const Bytes& value,
                         const std::vector<Header>& headers);

// Kafka's record batch header (v2): what Kafka's size checks add to the
// records, whatever brook's own header takes.
inline constexpr size_t kKafkaBatchHeaderSize = 61;

// Kafka's upper bound on the size of a batch holding only this record
// (DefaultRecordBatch.estimateBatchSizeUpperBound: the header, 21 bytes for
// the record's length, attributes, timestamp and offset deltas at their
// largest, then key, value and headers), which its producer compares with
// max.request.size and buffer.memory.
size_t KafkaBatchSizeUpperBound(const Bytes& key, const Bytes& value,
                                const std::vector<Header>& headers);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_RECORD_SIZE_H_
