#include "util/record_size.h"

#include "util/coding.h"

namespace brook {
namespace {

int32_t Length(const Bytes& b) {
  return b ? static_cast<int32_t>(b->size()) : -1;
}

size_t BytesFieldSize(const Bytes& b) {
  return VarintLength32(Length(b)) + (b ? b->size() : 0);
}

}  // namespace

size_t RecordBodySize(int64_t timestamp_ms, int64_t first_ts_ms,
                      int32_t offset_delta, const Bytes& key,
                      const Bytes& value, const std::vector<Header>& headers) {
  size_t n = 1 + VarintLength64(timestamp_ms - first_ts_ms) +
             VarintLength32(offset_delta) + BytesFieldSize(key) +
             BytesFieldSize(value) +
             VarintLength32(static_cast<int32_t>(headers.size()));
  for (const Header& h : headers) {
    n += VarintLength32(static_cast<int32_t>(h.key.size())) + h.key.size() +
         BytesFieldSize(h.value);
  }
  return n;
}

size_t EncodedRecordSize(int64_t timestamp_ms, int64_t first_ts_ms,
                         int32_t offset_delta, const Bytes& key,
                         const Bytes& value,
                         const std::vector<Header>& headers) {
  size_t body = RecordBodySize(timestamp_ms, first_ts_ms, offset_delta, key,
                               value, headers);
  return VarintLength32(static_cast<int32_t>(body)) + body;
}

size_t KafkaBatchSizeUpperBound(const Bytes& key, const Bytes& value,
                                const std::vector<Header>& headers) {
  constexpr size_t kMaxRecordOverhead = 21;
  // The body at zero deltas holds one byte each for attributes, timestamp
  // delta and offset delta, which the overhead already counts.
  return kKafkaBatchHeaderSize + kMaxRecordOverhead +
         RecordBodySize(0, 0, 0, key, value, headers) - 3;
}

}  // namespace brook
