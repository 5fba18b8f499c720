// Kafka's topic naming rules, shared by the admin and auto-creation paths.
#ifndef BROOK_LIB_UTIL_TOPIC_NAME_H_
#define BROOK_LIB_UTIL_TOPIC_NAME_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

// Longest topic name Kafka accepts.
inline constexpr size_t kMaxTopicNameLength = 249;

// OK when `name` is a legal Kafka topic name: 1..249 characters from ASCII
// letters, digits, '.', '_' and '-', and not "." or "..". InvalidTopic
// otherwise, saying which rule failed.
absl::Status ValidateTopicName(absl::string_view name);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_TOPIC_NAME_H_
