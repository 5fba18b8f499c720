// Key layout of a topic's column family. One entry per record batch:
//
//   key   = [partition: u32 big-endian][base offset: u64 big-endian]
//   value = the encoded record batch (lib/log/batch_format.h)
//
// Big-endian keeps each partition one contiguous range ordered by offset, so
// reading offset X is a SeekForPrev to the last batch with base offset <= X.
#ifndef BROOK_LIB_STORAGE_KEYS_H_
#define BROOK_LIB_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace brook {

inline constexpr size_t kBatchKeySize = 12;

// Writes the 12-byte key of (partition, base_offset) into `dst`.
void EncodeBatchKey(int32_t partition, int64_t base_offset, char* dst);
std::string BatchKey(int32_t partition, int64_t base_offset);
// False when `key` is not a batch key.
bool DecodeBatchKey(absl::string_view key, int32_t* partition,
                    int64_t* base_offset);

}  // namespace brook

#endif  // BROOK_LIB_STORAGE_KEYS_H_
