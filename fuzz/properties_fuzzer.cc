// Fuzzes the Kafka-property parsers of every option struct: each input line
// is "key=value"; whatever the bytes, parsing returns a value or an
// InvalidConfig error, a parsed struct round-trips through ToProperties,
// and strict parsing (UnknownKeys::kReject) accepts exactly what lenient
// parsing accepts without unknown keys.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "brook/error.h"
#include "brook/log.h"
#include "brook/options.h"

namespace {

template <typename Options>
void Check(const brook::Properties& props) {
  absl::StatusOr<Options> parsed = Options::FromProperties(props);
  if (!parsed.ok()) {
    if (brook::GetErrorCode(parsed.status()) !=
        brook::ErrorCode::kInvalidConfig) {
      std::abort();  // Every refusal is InvalidConfig.
    }
    return;
  }
  absl::StatusOr<Options> again =
      Options::FromProperties(parsed->ToProperties());
  if (!again.ok() || again->ToProperties() != parsed->ToProperties()) {
    std::abort();  // ToProperties gives what FromProperties accepts.
  }
}

// For the structs that ignore unknown keys: strict parsing succeeds exactly
// when lenient parsing does with no unknown key, with the same result.
template <typename Options>
void CheckStrict(const brook::Properties& props) {
  std::vector<std::string> unused;
  absl::StatusOr<Options> lenient =
      Options::FromProperties(props, brook::UnknownKeys::kWarn, &unused);
  absl::StatusOr<Options> strict =
      Options::FromProperties(props, brook::UnknownKeys::kReject);
  if (strict.ok() != (lenient.ok() && unused.empty())) std::abort();
  if (strict.ok() && strict->ToProperties() != lenient->ToProperties()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Unknown keys are the common case here; their warnings are not checked.
  static const bool quiet = [] {
    brook::SetLogHandler([](brook::LogLevel, absl::string_view) {});
    return true;
  }();
  (void)quiet;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  brook::Properties props;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    props[kv.first] = kv.second;
  }
  Check<brook::EngineOptions>(props);
  Check<brook::ProducerOptions>(props);
  Check<brook::ConsumerOptions>(props);
  CheckStrict<brook::EngineOptions>(props);
  CheckStrict<brook::ProducerOptions>(props);
  CheckStrict<brook::ConsumerOptions>(props);
  // TopicConfig has no typed-only fields: its ToProperties is complete.
  Check<brook::TopicConfig>(props);
  return 0;
}
