#include "log/records_builder.h"

#include <utility>

namespace brook {

ConsumerRecords RecordsBuilder::Finish() {
  // The header vector is complete: its storage no longer moves (and moving
  // the vector into the result keeps it), so the spans can point into it.
  for (const HeaderRange& r : header_ranges_) {
    records_[r.record].headers =
        absl::MakeConstSpan(headers_.data() + r.begin, r.end - r.begin);
  }
  header_ranges_.clear();
  ConsumerRecords out(std::move(records_), std::move(headers_),
                      std::move(keep_alive_));
  records_.clear();
  headers_.clear();
  keep_alive_.clear();
  return out;
}

}  // namespace brook
