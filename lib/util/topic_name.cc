#include "util/topic_name.h"

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {

absl::Status ValidateTopicName(absl::string_view name) {
  if (name.empty()) {
    return Error(ErrorCode::kInvalidTopic, "topic name is empty");
  }
  if (name == "." || name == "..") {
    return Error(ErrorCode::kInvalidTopic,
                 absl::StrCat("topic name cannot be \"", name, "\""));
  }
  if (name.size() > kMaxTopicNameLength) {
    return Error(
        ErrorCode::kInvalidTopic,
        absl::StrCat("topic name is ", name.size(),
                     " characters long; the limit is ", kMaxTopicNameLength));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Error(ErrorCode::kInvalidTopic,
                   absl::StrCat("topic name \"", name,
                                "\" is illegal: only ASCII letters, digits, "
                                "'.', '_' and '-' are allowed"));
    }
  }
  return absl::OkStatus();
}

}  // namespace brook
