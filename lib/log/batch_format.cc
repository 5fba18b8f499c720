#include "log/batch_format.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "util/coding.h"
#include "util/record_size.h"
#include "util/status_macros.h"

namespace brook {
namespace {

int32_t Length(const Bytes& b) {
  return b ? static_cast<int32_t>(b->size()) : -1;
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

}  // namespace

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

int32_t BatchOffsetSpan(absl::string_view batch) {
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

std::string EncodeCompactedBatch(absl::string_view batch,
                                 const std::vector<absl::string_view>& records,
                                 int64_t delete_horizon_ms) {
  size_t size = kBatchHeaderSize + (delete_horizon_ms >= 0 ? 8 : 0);
  for (absl::string_view r : records) size += r.size();
  std::string out;
  out.reserve(size);
  out.append(batch.data(), kBatchHeaderSize);
  uint8_t attributes = static_cast<uint8_t>(out[1]);
  attributes = (attributes & ~kDeleteHorizonAttribute) | kCompactedAttribute;
  if (delete_horizon_ms >= 0) {
    attributes |= kDeleteHorizonAttribute;
    char horizon[8];
    EncodeFixed64BE(horizon, static_cast<uint64_t>(delete_horizon_ms));
    out.append(horizon, sizeof(horizon));
  }
  out[1] = static_cast<char>(attributes);
  for (absl::string_view r : records) out.append(r.data(), r.size());
  return out;
}

absl::Status BatchReader::Init(absl::string_view batch) {
  next_ = 0;
  if (batch.size() < kBatchHeaderSize) return Corrupt("short header");
  if (static_cast<uint8_t>(batch[0]) != kBatchMagic) {
    return Corrupt(absl::StrCat(
        "unknown magic ", static_cast<int>(static_cast<uint8_t>(batch[0]))));
  }
  const uint8_t attributes = static_cast<uint8_t>(batch[1]);
  log_append_time_ = (attributes & kLogAppendTimeAttribute) != 0;
  compacted_ = (attributes & kCompactedAttribute) != 0;
  count_ = static_cast<int32_t>(DecodeFixed32BE(batch.data() + 2));
  first_ts_ = static_cast<int64_t>(DecodeFixed64BE(batch.data() + 6));
  max_ts_ = static_cast<int64_t>(DecodeFixed64BE(batch.data() + 14));
  rest_ = batch.substr(kBatchHeaderSize);
  last_record_ = absl::string_view();
  delete_horizon_ms_ = -1;
  if (count_ < 0) return Corrupt("negative record count");
  if ((attributes & kDeleteHorizonAttribute) != 0) {
    if (rest_.size() < 8) return Corrupt("short delete horizon");
    delete_horizon_ms_ = static_cast<int64_t>(DecodeFixed64BE(rest_.data()));
    rest_.remove_prefix(8);
  }
  PeekDelta();
  return absl::OkStatus();
}

void BatchReader::PeekDelta() {
  if (!compacted_) {
    next_delta_ = next_;
    return;
  }
  next_delta_ = count_;
  absl::string_view in = rest_;
  int32_t len;
  int64_t ts_delta;
  int32_t delta;
  if (!GetVarint32(&in, &len) || len < 1 ||
      in.size() < static_cast<size_t>(len)) {
    return;
  }
  in = in.substr(1, len - 1);  // After the attributes.
  if (GetVarint64(&in, &ts_delta) && GetVarint32(&in, &delta) && delta >= 0 &&
      delta < count_) {
    next_delta_ = delta;
  }
}

absl::Status BatchReader::TakeRecord(absl::string_view* body) {
  const absl::string_view start = rest_;
  int32_t len;
  if (!GetVarint32(&rest_, &len) || len < 1 ||
      rest_.size() < static_cast<size_t>(len)) {
    rest_ = start;
    return Corrupt("bad record length");
  }
  *body = rest_.substr(0, len);
  rest_.remove_prefix(len);
  last_record_ = start.substr(0, start.size() - rest_.size());
  ++next_;
  PeekDelta();
  return absl::OkStatus();
}

absl::Status BatchReader::Skip() {
  absl::string_view body;
  return TakeRecord(&body);
}

absl::Status BatchReader::ReadView(int64_t base_offset, RecordView* out,
                                   std::vector<HeaderView>* headers) {
  absl::string_view body;
  BROOK_RETURN_IF_ERROR(TakeRecord(&body));
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
  if (offset_delta < 0 || (compacted_ && offset_delta >= count_) ||
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
  return absl::OkStatus();
}

}  // namespace brook
