#include "storage/keys.h"

#include "util/coding.h"

namespace brook {

void EncodeBatchKey(int32_t partition, int64_t base_offset, char* dst) {
  EncodeFixed32BE(dst, static_cast<uint32_t>(partition));
  EncodeFixed64BE(dst + 4, static_cast<uint64_t>(base_offset));
}

std::string BatchKey(int32_t partition, int64_t base_offset) {
  std::string key(kBatchKeySize, '\0');
  EncodeBatchKey(partition, base_offset, key.data());
  return key;
}

bool DecodeBatchKey(absl::string_view key, int32_t* partition,
                    int64_t* base_offset) {
  if (key.size() != kBatchKeySize) return false;
  *partition = static_cast<int32_t>(DecodeFixed32BE(key.data()));
  *base_offset = static_cast<int64_t>(DecodeFixed64BE(key.data() + 4));
  return true;
}

}  // namespace brook
