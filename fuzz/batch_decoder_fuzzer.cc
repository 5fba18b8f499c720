// Fuzzes the record-batch decoder with arbitrary stored values, as a damaged
// table file could hand it: Init and reading every record either succeed
// or fail with DataLoss, never read out of bounds. The records read are then
// copied into a compacted batch (as compaction does), which is read again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "log/batch_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view batch(reinterpret_cast<const char*>(data), size);
  brook::BatchOffsetSpan(batch);
  brook::BatchReader reader;
  if (!reader.Init(batch).ok()) return 0;
  std::vector<brook::HeaderView> headers;
  std::vector<absl::string_view> kept;
  for (int i = 0; !reader.done() && i < (1 << 16); ++i) {
    (void)reader.next_delta();
    brook::RecordView record;
    absl::Status s = i % 3 == 2 ? reader.Skip()
                                : reader.ReadView(1000, &record, &headers);
    if (!s.ok()) {
      if (s.code() != absl::StatusCode::kDataLoss) std::abort();
      break;
    }
    if (i % 2 == 0) kept.push_back(reader.last_record());
  }
  const std::string compacted =
      brook::EncodeCompactedBatch(batch, kept, size % 2 == 0 ? 1234 : -1);
  if (!reader.Init(compacted).ok()) return 0;
  for (int i = 0; !reader.done() && i < (1 << 16); ++i) {
    brook::RecordView record;
    absl::Status s = reader.ReadView(1000, &record, &headers);
    if (!s.ok()) {
      if (s.code() != absl::StatusCode::kDataLoss) std::abort();
      break;
    }
  }
  return 0;
}
