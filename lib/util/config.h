// Parsing Kafka-style property values, with InvalidConfig errors that name
// the key and what is allowed. Used by every FromProperties.
#ifndef BROOK_LIB_UTIL_CONFIG_H_
#define BROOK_LIB_UTIL_CONFIG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

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

// Applies each property with the setter registered for its key. A key in
// `refused` (Kafka keys whose feature brook lacks, with why ignoring them
// would change behaviour) is InvalidConfig saying why, whatever its value.
// With `client`, connection properties (IsConnectionProperty) are accepted
// and ignored. Any other key is unknown: with UnknownKeys::kReject that is
// an InvalidConfig naming it and listing the keys of `setters`; with kWarn,
// once every setter succeeded, each unknown key is logged as a warning
// (util/logging.h) and `unused` (when not null) is set to them, in key
// order.
using PropertySetter = std::function<absl::Status(absl::string_view value)>;
absl::Status ApplyProperties(
    absl::string_view what, const Properties& props,
    const std::map<std::string, PropertySetter>& setters,
    const std::map<std::string, std::string>& refused, bool client,
    UnknownKeys unknown, std::vector<std::string>* unused);

// A setter for a Kafka key that brook accepts without effect.
PropertySetter Ignored();

}  // namespace brook

#endif  // BROOK_LIB_UTIL_CONFIG_H_
