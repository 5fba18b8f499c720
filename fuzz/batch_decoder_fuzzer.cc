// Fuzzes the record-batch decoder with arbitrary stored values, as a damaged
// table file could hand it: Init and reading every record either succeed
// or fail with DataLoss, never read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/string_view.h"
#include "log/batch_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view batch(reinterpret_cast<const char*>(data), size);
  brook::BatchRecordCount(batch);
  brook::BatchReader reader;
  if (!reader.Init(batch).ok()) return 0;
  std::vector<brook::HeaderView> headers;
  for (int i = 0; !reader.done() && i < (1 << 16); ++i) {
    brook::RecordView record;
    absl::Status s = i % 3 == 2 ? reader.Skip()
                                : reader.ReadView(1000, &record, &headers);
    if (!s.ok()) {
      if (s.code() != absl::StatusCode::kDataLoss) std::abort();
      break;
    }
  }
  return 0;
}
