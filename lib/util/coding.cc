#include "util/coding.h"

namespace brook {
namespace {

uint32_t ZigZag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

void PutUnsignedVarint(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

int UnsignedVarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

bool GetUnsignedVarint(absl::string_view* in, uint64_t* v, int max_bytes) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes && static_cast<size_t>(i) < in->size(); ++i) {
    uint64_t byte = static_cast<unsigned char>((*in)[i]);
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

void EncodeFixed32BE(char* dst, uint32_t v) {
  dst[0] = static_cast<char>(v >> 24);
  dst[1] = static_cast<char>(v >> 16);
  dst[2] = static_cast<char>(v >> 8);
  dst[3] = static_cast<char>(v);
}

void EncodeFixed64BE(char* dst, uint64_t v) {
  EncodeFixed32BE(dst, static_cast<uint32_t>(v >> 32));
  EncodeFixed32BE(dst + 4, static_cast<uint32_t>(v));
}

void PutFixed16BE(std::string* dst, uint16_t v) {
  char buf[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(buf, 2);
}

void PutFixed32BE(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32BE(buf, v);
  dst->append(buf, 4);
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64BE(buf, v);
  dst->append(buf, 8);
}

uint16_t DecodeFixed16BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

uint32_t DecodeFixed32BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (static_cast<uint32_t>(u[0]) << 24) |
         (static_cast<uint32_t>(u[1]) << 16) |
         (static_cast<uint32_t>(u[2]) << 8) | static_cast<uint32_t>(u[3]);
}

uint64_t DecodeFixed64BE(const char* p) {
  return (static_cast<uint64_t>(DecodeFixed32BE(p)) << 32) |
         DecodeFixed32BE(p + 4);
}

void PutVarint32(std::string* dst, int32_t v) {
  PutUnsignedVarint(dst, ZigZag32(v));
}
void PutVarint64(std::string* dst, int64_t v) {
  PutUnsignedVarint(dst, ZigZag64(v));
}
int VarintLength32(int32_t v) { return UnsignedVarintLength(ZigZag32(v)); }
int VarintLength64(int64_t v) { return UnsignedVarintLength(ZigZag64(v)); }

namespace coding_internal {

bool GetVarint32Slow(absl::string_view* in, int32_t* v) {
  uint64_t u;
  if (!GetUnsignedVarint(in, &u, 5) || u > 0xffffffffu) return false;
  *v = static_cast<int32_t>(static_cast<uint32_t>(UnZigZag(u)));
  return true;
}

bool GetVarint64Slow(absl::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetUnsignedVarint(in, &u, 10)) return false;
  *v = static_cast<int64_t>(UnZigZag(u));
  return true;
}

}  // namespace coding_internal

bool GetFixed16BE(absl::string_view* in, uint16_t* v) {
  if (in->size() < 2) return false;
  *v = DecodeFixed16BE(in->data());
  in->remove_prefix(2);
  return true;
}

bool GetFixed32BE(absl::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32BE(in->data());
  in->remove_prefix(4);
  return true;
}

bool GetFixed64BE(absl::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64BE(in->data());
  in->remove_prefix(8);
  return true;
}

}  // namespace brook
