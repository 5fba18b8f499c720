#include "record_format.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace brook {
namespace cli {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if the bytes
// there are not one (overlong forms, surrogates and code points above
// U+10FFFF are invalid, as RFC 3629 says).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // Allowed range of the second byte.
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // No overlong 3-byte forms.
    if (b0 == 0xED) hi = 0x9F;  // No UTF-16 surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // No overlong 4-byte forms.
    if (b0 == 0xF4) hi = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendEscapedByte(uint8_t b, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\u00");
  out->push_back(kHex[b >> 4]);
  out->push_back(kHex[b & 0xF]);
}

void AppendJsonBytes(const Bytes& bytes, std::string* out) {
  if (bytes) {
    AppendJsonString(*bytes, out);
  } else {
    out->append("null");
  }
}

}  // namespace

void AppendJsonString(absl::string_view bytes, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t b = static_cast<uint8_t>(bytes[i]);
    if (b == '"' || b == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(b));
      ++i;
    } else if (b < 0x20) {
      AppendEscapedByte(b, out);
      ++i;
    } else if (b < 0x80) {
      out->push_back(static_cast<char>(b));
      ++i;
    } else if (size_t len = Utf8SequenceLength(bytes, i); len > 0) {
      out->append(bytes.data() + i, len);
      i += len;
    } else {
      // Not UTF-8: JSON text must be Unicode, so the byte is written as the
      // code point of the same value (documented in 'consume --help').
      AppendEscapedByte(b, out);
      ++i;
    }
  }
  out->push_back('"');
}

void AppendRecord(const ConsumerRecord& record, RecordFormat format,
                  std::string* out) {
  if (format == RecordFormat::kText) {
    // kafka-console-consumer prints "null" for a null value.
    out->append(record.value ? *record.value : "null");
    out->push_back('\n');
    return;
  }
  out->append("{\"topic\":");
  AppendJsonString(record.topic, out);
  absl::StrAppend(
      out, ",\"partition\":", record.partition, ",\"offset\":", record.offset,
      ",\"timestamp\":", absl::ToUnixMillis(record.timestamp), ",\"key\":");
  AppendJsonBytes(record.key, out);
  out->append(",\"value\":");
  AppendJsonBytes(record.value, out);
  out->append(",\"headers\":[");
  for (size_t i = 0; i < record.headers.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"key\":");
    AppendJsonString(record.headers[i].key, out);
    out->append(",\"value\":");
    AppendJsonBytes(record.headers[i].value, out);
    out->push_back('}');
  }
  out->append("]}\n");
}

}  // namespace cli
}  // namespace brook
