#include "brook/serde.h"

#include "absl/strings/str_cat.h"
#include "util/coding.h"

namespace brook {

absl::StatusOr<std::string> Int64Serde::Serialize(absl::string_view,
                                                  const int64_t& value) {
  std::string out;
  PutFixed64BE(&out, static_cast<uint64_t>(value));
  return out;
}

absl::StatusOr<int64_t> Int64Serde::Deserialize(absl::string_view topic,
                                                absl::string_view bytes) {
  if (bytes.size() != 8) {
    return Error(ErrorCode::kSerialization,
                 absl::StrCat("topic ", topic, ": an int64 needs 8 bytes, got ",
                              bytes.size()));
  }
  return static_cast<int64_t>(DecodeFixed64BE(bytes.data()));
}

absl::StatusOr<std::string> Int32Serde::Serialize(absl::string_view,
                                                  const int32_t& value) {
  std::string out;
  PutFixed32BE(&out, static_cast<uint32_t>(value));
  return out;
}

absl::StatusOr<int32_t> Int32Serde::Deserialize(absl::string_view topic,
                                                absl::string_view bytes) {
  if (bytes.size() != 4) {
    return Error(ErrorCode::kSerialization,
                 absl::StrCat("topic ", topic, ": an int32 needs 4 bytes, got ",
                              bytes.size()));
  }
  return static_cast<int32_t>(DecodeFixed32BE(bytes.data()));
}

}  // namespace brook
