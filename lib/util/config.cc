#include "util/config.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/error.h"
#include "brook/log.h"
#include "util/logging.h"

namespace brook {

absl::Status InvalidConfig(absl::string_view key, absl::string_view value,
                           absl::string_view allowed) {
  return Error(ErrorCode::kInvalidConfig,
               absl::StrCat("invalid value \"", value, "\" for configuration ",
                            key, ": ", allowed));
}

absl::Status ParseBool(absl::string_view key, absl::string_view value,
                       bool* out) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  if (lower == "true") {
    *out = true;
  } else if (lower == "false") {
    *out = false;
  } else {
    return InvalidConfig(key, value, "expected true or false");
  }
  return absl::OkStatus();
}

absl::Status ParseInt64(absl::string_view key, absl::string_view value,
                        int64_t min, int64_t max, int64_t* out) {
  int64_t v;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &v) || v < min ||
      v > max) {
    return InvalidConfig(
        key, value,
        absl::StrCat("expected an integer in [", min, ", ", max, "]"));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ParseDouble(absl::string_view key, absl::string_view value,
                         double min, double max, double* out) {
  double v;
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(value), &v) ||
      !(v >= min && v <= max)) {
    return InvalidConfig(
        key, value,
        absl::StrCat("expected a number in [", min, ", ", max, "]"));
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ParseInt32(absl::string_view key, absl::string_view value,
                        int32_t min, int32_t max, int32_t* out) {
  int64_t v;
  absl::Status s = ParseInt64(key, value, min, max, &v);
  if (s.ok()) *out = static_cast<int32_t>(v);
  return s;
}

absl::Status ParseMillis(absl::string_view key, absl::string_view value,
                         int64_t min_ms, absl::Duration* out) {
  int64_t ms;
  absl::Status s = ParseInt64(key, value, min_ms, INT64_MAX, &ms);
  if (s.ok()) *out = absl::Milliseconds(ms);
  return s;
}

absl::Status ParseEnum(absl::string_view key, absl::string_view value,
                       std::initializer_list<absl::string_view> allowed,
                       std::string* out) {
  absl::string_view v = absl::StripAsciiWhitespace(value);
  for (absl::string_view a : allowed) {
    if (v == a) {
      *out = std::string(a);
      return absl::OkStatus();
    }
  }
  return InvalidConfig(
      key, value,
      absl::StrCat("allowed values are ", absl::StrJoin(allowed, ", ")));
}

bool IsConnectionProperty(absl::string_view key) {
  static constexpr absl::string_view kPrefixes[] = {
      "ssl.",     "sasl.",      "security.", "metric.",
      "metrics.", "reconnect.", "socket.",   "interceptor.",
      "metadata.recovery."};
  static constexpr absl::string_view kKeys[] = {
      "bootstrap.servers",
      "client.dns.lookup",
      "client.rack",
      "connections.max.idle.ms",
      "request.timeout.ms",
      "default.api.timeout.ms",
      "retries",
      "retry.backoff.ms",
      "retry.backoff.max.ms",
      "metadata.max.age.ms",
      "metadata.max.idle.ms",
      "receive.buffer.bytes",
      "send.buffer.bytes",
      "key.serializer",
      "value.serializer",
      "key.deserializer",
      "value.deserializer",
      "max.in.flight.requests.per.connection",
      "allow.auto.create.topics",
      "check.crcs",
      "exclude.internal.topics",
      "auto.include.jmx.reporter",
      "enable.metrics.push"};
  for (absl::string_view p : kPrefixes) {
    if (absl::StartsWith(key, p)) return true;
  }
  for (absl::string_view k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

absl::Status ApplyProperties(
    absl::string_view what, const Properties& props,
    const std::map<std::string, PropertySetter>& setters,
    const std::map<std::string, std::string>& refused, bool client,
    UnknownKeys unknown, std::vector<std::string>* unused) {
  std::vector<std::string> unknown_keys;
  for (const auto& [key, value] : props) {
    if (auto r = refused.find(key); r != refused.end()) {
      return InvalidConfig(key, value, r->second);
    }
    auto it = setters.find(key);
    if (it == setters.end() && client && IsConnectionProperty(key)) continue;
    if (it == setters.end()) {
      if (unknown == UnknownKeys::kWarn) {
        unknown_keys.push_back(key);
        continue;
      }
      std::vector<absl::string_view> known;
      for (const auto& [k, setter] : setters) known.push_back(k);
      return Error(ErrorCode::kInvalidConfig,
                   absl::StrCat("unknown ", what, " configuration \"", key,
                                "\"; known: ", absl::StrJoin(known, ", ")));
    }
    absl::Status s = it->second(value);
    if (!s.ok()) return s;
  }
  // As Kafka's AbstractConfig.logUnused, once the config is accepted.
  for (const std::string& key : unknown_keys) {
    Log(LogLevel::kWarning,
        absl::StrCat("The configuration '", key,
                     "' was supplied but isn't a known ", what, " config."));
  }
  if (unused != nullptr) *unused = std::move(unknown_keys);
  return absl::OkStatus();
}

PropertySetter Ignored() {
  return [](absl::string_view) { return absl::OkStatus(); };
}

}  // namespace brook
