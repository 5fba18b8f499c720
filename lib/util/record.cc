#include "brook/record.h"

#include "absl/strings/str_cat.h"

namespace brook {

std::string TopicPartition::ToString() const {
  return absl::StrCat(topic, "-", partition);
}

std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
  return os << tp.ToString();
}

}  // namespace brook
