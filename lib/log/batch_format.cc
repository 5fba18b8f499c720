#include "log/batch_format.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "util/coding.h"

namespace brook {
namespace {

int32_t Length(const Bytes& b) {
  return b ? static_cast<int32_t>(b->size()) : -1;
}

size_t BytesFieldSize(const Bytes& b) {
  return VarintLength32(Length(b)) + (b ? b->size() : 0);
}

void PutBytesField(std::string* dst, const Bytes& b) {
  PutVarint32(dst, Length(b));
  if (b) dst->append(*b);
}

bool GetBytesView(absl::string_view* in,
                  std::optional<absl::string_view>* out) {
  int32_t len;
  if (!GetVarint32(in, &len) || len < -1) return false;
  if (len == -1) {
    out->reset();
    return true;
  }
  if (in->size() < static_cast<size_t>(len)) return false;
  out->emplace(in->data(), static_cast<size_t>(len));
  in->remove_prefix(len);
  return true;
}

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

}  // namespace

size_t EncodedRecordSize(int64_t timestamp_ms, int64_t first_ts_ms,
                         int32_t offset_delta, const Bytes& key,
                         const Bytes& value,
                         const std::vector<Header>& headers) {
  size_t body = RecordBodySize(timestamp_ms, first_ts_ms, offset_delta, key,
                               value, headers);
  return VarintLength32(static_cast<int32_t>(body)) + body;
}

BatchBuilder::BatchBuilder(size_t capacity) {
  buffer_.reserve(std::max(capacity, kBatchHeaderSize));
  buffer_.resize(kBatchHeaderSize);
}

void BatchBuilder::Add(int64_t timestamp_ms, const Bytes& key,
                       const Bytes& value, const std::vector<Header>& headers) {
  if (count_ == 0) {
    first_ts_ = timestamp_ms;
    max_ts_ = timestamp_ms;
  } else if (timestamp_ms > max_ts_) {
    max_ts_ = timestamp_ms;
  }
  size_t body =
      RecordBodySize(timestamp_ms, first_ts_, count_, key, value, headers);
  PutVarint32(&buffer_, static_cast<int32_t>(body));
  buffer_.push_back(0);  // Record attributes (unused, as in Kafka).
  PutVarint64(&buffer_, timestamp_ms - first_ts_);
  PutVarint32(&buffer_, count_);
  PutBytesField(&buffer_, key);
  PutBytesField(&buffer_, value);
  PutVarint32(&buffer_, static_cast<int32_t>(headers.size()));
  for (const Header& h : headers) {
    PutVarint32(&buffer_, static_cast<int32_t>(h.key.size()));
    buffer_.append(h.key);
    PutBytesField(&buffer_, h.value);
  }
  ++count_;
}

std::string BatchBuilder::Finish() {
  char* p = buffer_.data();
  p[0] = static_cast<char>(kBatchMagic);
  p[1] = 0;
  EncodeFixed32BE(p + 2, static_cast<uint32_t>(count_));
  EncodeFixed64BE(p + 6, static_cast<uint64_t>(first_ts_));
  EncodeFixed64BE(p + 14, static_cast<uint64_t>(max_ts_));
  EncodeFixed64BE(p + 22, static_cast<uint64_t>(int64_t{-1}));
  p[30] = p[31] = static_cast<char>(0xff);
  EncodeFixed32BE(p + 32, static_cast<uint32_t>(int32_t{-1}));
  return std::move(buffer_);
}

void SetLogAppendTime(std::string* batch, int64_t time_ms) {
  char* p = batch->data();
  p[1] = static_cast<char>(p[1] | kLogAppendTimeAttribute);
  EncodeFixed64BE(p + 6, static_cast<uint64_t>(time_ms));
  EncodeFixed64BE(p + 14, static_cast<uint64_t>(time_ms));
}

int32_t BatchRecordCount(absl::string_view batch) {
  if (batch.size() < kBatchHeaderSize ||
      static_cast<uint8_t>(batch[0]) != kBatchMagic) {
    return 0;
  }
  return static_cast<int32_t>(DecodeFixed32BE(batch.data() + 2));
}

int64_t BatchMaxTimestamp(absl::string_view batch) {
  if (batch.size() < kBatchHeaderSize ||
      static_cast<uint8_t>(batch[0]) != kBatchMagic) {
    return -1;
  }
  return static_cast<int64_t>(DecodeFixed64BE(batch.data() + 14));
}

absl::Status BatchReader::Corrupt(absl::string_view what) const {
  return Error(
      ErrorCode::kCorruptMessage,
      absl::StrCat("corrupt record batch: ", what, " (record ", next_, ")"));
}

absl::Status BatchReader::Init(absl::string_view batch) {
  if (batch.size() < kBatchHeaderSize) return Corrupt("short header");
  if (static_cast<uint8_t>(batch[0]) != kBatchMagic) {
    return Corrupt(absl::StrCat(
        "unknown magic ", static_cast<int>(static_cast<uint8_t>(batch[0]))));
  }
  log_append_time_ = (batch[1] & kLogAppendTimeAttribute) != 0;
  count_ = static_cast<int32_t>(DecodeFixed32BE(batch.data() + 2));
  first_ts_ = static_cast<int64_t>(DecodeFixed64BE(batch.data() + 6));
  max_ts_ = static_cast<int64_t>(DecodeFixed64BE(batch.data() + 14));
  next_ = 0;
  rest_ = batch.substr(kBatchHeaderSize);
  if (count_ < 0) return Corrupt("negative record count");
  return absl::OkStatus();
}

absl::Status BatchReader::Skip() {
  int32_t len;
  if (!GetVarint32(&rest_, &len) || len < 0 ||
      rest_.size() < static_cast<size_t>(len)) {
    return Corrupt("bad record length");
  }
  rest_.remove_prefix(len);
  ++next_;
  return absl::OkStatus();
}

absl::Status BatchReader::ReadView(int64_t base_offset, RecordView* out,
                                   std::vector<HeaderView>* headers) {
  int32_t len;
  if (!GetVarint32(&rest_, &len) || len < 1 ||
      rest_.size() < static_cast<size_t>(len)) {
    return Corrupt("bad record length");
  }
  absl::string_view body = rest_.substr(0, len);
  rest_.remove_prefix(len);
  body.remove_prefix(1);  // Attributes.
  int64_t ts_delta;
  int32_t offset_delta;
  int32_t header_count;
  if (!GetVarint64(&body, &ts_delta) || !GetVarint32(&body, &offset_delta) ||
      !GetBytesView(&body, &out->key) || !GetBytesView(&body, &out->value) ||
      !GetVarint32(&body, &header_count) || header_count < 0) {
    return Corrupt("bad record fields");
  }
  const size_t headers_before = headers->size();
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_len;
    HeaderView h;
    if (!GetVarint32(&body, &key_len) || key_len < 0 ||
        body.size() < static_cast<size_t>(key_len)) {
      headers->resize(headers_before);
      return Corrupt("bad header key");
    }
    h.key = body.substr(0, key_len);
    body.remove_prefix(key_len);
    if (!GetBytesView(&body, &h.value)) {
      headers->resize(headers_before);
      return Corrupt("bad header value");
    }
    headers->push_back(h);
  }
  // A damaged batch may hold deltas that overflow: corruption, not
  // undefined behaviour.
  int64_t timestamp_ms;
  if (offset_delta < 0 ||
      __builtin_add_overflow(base_offset, offset_delta, &out->offset) ||
      __builtin_add_overflow(first_ts_, ts_delta, &timestamp_ms)) {
    headers->resize(headers_before);
    return Corrupt("bad record deltas");
  }
  if (log_append_time_) {
    out->timestamp = absl::FromUnixMillis(max_ts_);
    out->timestamp_type = TimestampType::kLogAppendTime;
  } else {
    out->timestamp = absl::FromUnixMillis(timestamp_ms);
    out->timestamp_type = TimestampType::kCreateTime;
  }
  ++next_;
  return absl::OkStatus();
}

}  // namespace brook
