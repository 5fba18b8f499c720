// Fuzzes `brook assign`'s input: arbitrary bytes as the group JSON, through
// each of Kafka's assignors. Bad input is an InvalidArgument error, never a
// crash; a valid group always gets an assignment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "assign.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  for (const char* strategy :
       {"range", "roundrobin", "sticky", "cooperative-sticky"}) {
    absl::StatusOr<std::string> out =
        brook::cli::AssignFromJson(strategy, input);
    if (!out.ok() && out.status().code() != absl::StatusCode::kInvalidArgument) {
      std::abort();  // Only bad input may fail.
    }
  }
  return 0;
}
