// Byte encodings shared by the storage formats: fixed-width big-endian
// integers (so encoded keys sort numerically) and Kafka's zig-zag varints.
#ifndef BROOK_LIB_UTIL_CODING_H_
#define BROOK_LIB_UTIL_CODING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace brook {

void PutFixed16BE(std::string* dst, uint16_t v);
void PutFixed32BE(std::string* dst, uint32_t v);
void PutFixed64BE(std::string* dst, uint64_t v);
void EncodeFixed32BE(char* dst, uint32_t v);
void EncodeFixed64BE(char* dst, uint64_t v);
uint16_t DecodeFixed16BE(const char* p);
uint32_t DecodeFixed32BE(const char* p);
uint64_t DecodeFixed64BE(const char* p);

// Zig-zag varints, as in Kafka's record format v2.
void PutVarint32(std::string* dst, int32_t v);
void PutVarint64(std::string* dst, int64_t v);
// Bytes PutVarint32 / PutVarint64 would write.
int VarintLength32(int32_t v);
int VarintLength64(int64_t v);

namespace coding_internal {
bool GetVarint32Slow(absl::string_view* in, int32_t* v);
bool GetVarint64Slow(absl::string_view* in, int64_t* v);

inline uint64_t UnZigZag(uint64_t u) { return (u >> 1) ^ (~(u & 1) + 1); }
}  // namespace coding_internal

// Reads from *in and advances it; false when the input is malformed or short.
// Inline for the one- and two-byte forms that record fields mostly take.
inline bool GetVarint32(absl::string_view* in, int32_t* v) {
  if (in->size() >= 2) {
    const uint32_t b0 = static_cast<unsigned char>((*in)[0]);
    if (b0 < 0x80) {
      *v = static_cast<int32_t>(coding_internal::UnZigZag(b0));
      in->remove_prefix(1);
      return true;
    }
    const uint32_t b1 = static_cast<unsigned char>((*in)[1]);
    if (b1 < 0x80) {
      *v = static_cast<int32_t>(
          coding_internal::UnZigZag((b0 & 0x7f) | (b1 << 7)));
      in->remove_prefix(2);
      return true;
    }
  }
  return coding_internal::GetVarint32Slow(in, v);
}
inline bool GetVarint64(absl::string_view* in, int64_t* v) {
  if (!in->empty() && static_cast<unsigned char>((*in)[0]) < 0x80) {
    *v = static_cast<int64_t>(
        coding_internal::UnZigZag(static_cast<unsigned char>((*in)[0])));
    in->remove_prefix(1);
    return true;
  }
  return coding_internal::GetVarint64Slow(in, v);
}
bool GetFixed32BE(absl::string_view* in, uint32_t* v);
bool GetFixed64BE(absl::string_view* in, uint64_t* v);
bool GetFixed16BE(absl::string_view* in, uint16_t* v);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_CODING_H_
