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

// Reads from *in and advances it; false when the input is malformed or short.
bool GetVarint32(absl::string_view* in, int32_t* v);
bool GetVarint64(absl::string_view* in, int64_t* v);
bool GetFixed32BE(absl::string_view* in, uint32_t* v);
bool GetFixed64BE(absl::string_view* in, uint64_t* v);
bool GetFixed16BE(absl::string_view* in, uint16_t* v);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_CODING_H_
