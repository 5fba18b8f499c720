#include "brook/record.h"

#include "absl/strings/str_cat.h"
#include "brook/consumer_records.h"

namespace brook {

std::string TopicPartition::ToString() const {
  return absl::StrCat(topic, "-", partition);
}

std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
  return os << tp.ToString();
}

namespace {

Bytes CopyBytes(const std::optional<absl::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

}  // namespace

ConsumerRecord RecordView::ToRecord() const {
  ConsumerRecord r;
  r.topic = std::string(topic);
  r.partition = partition;
  r.offset = offset;
  r.timestamp = timestamp;
  r.timestamp_type = timestamp_type;
  r.key = CopyBytes(key);
  r.value = CopyBytes(value);
  r.headers.reserve(headers.size());
  for (const HeaderView& h : headers) {
    r.headers.push_back(Header{std::string(h.key), CopyBytes(h.value)});
  }
  return r;
}

std::vector<ConsumerRecord> ConsumerRecords::ToRecords() const {
  std::vector<ConsumerRecord> out;
  out.reserve(records_.size());
  for (const RecordView& r : records_) out.push_back(r.ToRecord());
  return out;
}

}  // namespace brook
