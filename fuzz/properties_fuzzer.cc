// Fuzzes the Kafka-property parsers of every option struct: each input line
// is "key=value"; whatever the bytes, parsing returns a value or an
// InvalidConfig error, and a parsed struct round-trips through
// ToProperties.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "brook/error.h"
#include "brook/options.h"

namespace {

template <typename Options>
void Check(const brook::Properties& props) {
  absl::StatusOr<Options> parsed = Options::FromProperties(props);
  if (!parsed.ok()) {
    if (brook::GetErrorCode(parsed.status()) != brook::ErrorCode::kInvalidConfig) {
      std::abort();  // Every refusal is InvalidConfig.
    }
    return;
  }
  absl::StatusOr<Options> again = Options::FromProperties(parsed->ToProperties());
  if (!again.ok() || again->ToProperties() != parsed->ToProperties()) {
    std::abort();  // ToProperties gives what FromProperties accepts.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
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
  // TopicConfig has no typed-only fields: its ToProperties is complete.
  Check<brook::TopicConfig>(props);
  return 0;
}
