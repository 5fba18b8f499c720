// Parsing Kafka-style property values, with InvalidConfig errors that name
// the key and what is allowed. Used by every FromProperties.
#ifndef BROOK_LIB_UTIL_CONFIG_H_
#define BROOK_LIB_UTIL_CONFIG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/options.h"

namespace brook {

absl::Status InvalidConfig(absl::string_view key, absl::string_view value,
                           absl::string_view allowed);

absl::Status ParseBool(absl::string_view key, absl::string_view value,
                       bool* out);
absl::Status ParseInt32(absl::string_view key, absl::string_view value,
                        int32_t min, int32_t max, int32_t* out);
absl::Status ParseInt64(absl::string_view key, absl::string_view value,
                        int64_t min, int64_t max, int64_t* out);
absl::Status ParseDouble(absl::string_view key, absl::string_view value,
                         double min, double max, double* out);
// Milliseconds, at least `min_ms`.
absl::Status ParseMillis(absl::string_view key, absl::string_view value,
                         int64_t min_ms, absl::Duration* out);
// One of `allowed` (compared case-sensitively, as Kafka does).
absl::Status ParseEnum(absl::string_view key, absl::string_view value,
                       std::initializer_list<absl::string_view> allowed,
                       std::string* out);

// True for Kafka client settings about connections, security, retries and
// metrics (bootstrap.servers, ssl.*, sasl.*, request.timeout.ms, ...): they
// have no meaning in-process, and accepting them lets a Kafka client config
// be pasted unchanged.
bool IsConnectionProperty(absl::string_view key);

// Applies each property with the setter registered for its key; an unknown
// key is InvalidConfig listing the known ones. With `client`, connection
// properties (IsConnectionProperty) are accepted and ignored.
using PropertySetter = std::function<absl::Status(absl::string_view value)>;
absl::Status ApplyProperties(
    absl::string_view what, const Properties& props,
    const std::map<std::string, PropertySetter>& setters, bool client = false);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_CONFIG_H_
