#include "log/topic.h"

#include <utility>

#include "absl/strings/match.h"

namespace brook {

Topic::Topic(std::string name, int32_t num_partitions, TopicConfig config,
             ColumnFamilyRef cf)
    : name_(std::move(name)),
      first_count_(num_partitions),
      num_partitions_(num_partitions),
      cf_(std::move(cf)),
      log_append_time_(false),
      max_message_bytes_(0),
      compacted_(false),
      timestamp_before_max_ms_(INT64_MAX),
      timestamp_after_max_ms_(INT64_MAX),
      segments_{} {
  segments_[0].reset(new PartitionState[num_partitions]);
  SetConfig(std::move(config));
}

void Topic::AddPartitions(int32_t count) {
  const int32_t last = count - 1;
  for (int s = 1; s < kMaxSegments; ++s) {
    const int64_t begin = int64_t{first_count_} << (s - 1);
    if (begin > last) break;
    if (segments_[s] == nullptr) {
      segments_[s].reset(new PartitionState[first_count_ << (s - 1)]);
    }
  }
  num_partitions_.store(count, std::memory_order_release);
}

TopicConfig Topic::config() const {
  absl::MutexLock lock(&config_mu_);
  return config_;
}

void Topic::SetConfig(TopicConfig config) {
  absl::MutexLock lock(&config_mu_);
  log_append_time_.store(config.message_timestamp_type == "LogAppendTime",
                         std::memory_order_relaxed);
  max_message_bytes_.store(config.max_message_bytes,
                           std::memory_order_relaxed);
  compacted_.store(absl::StrContains(config.cleanup_policy, "compact"),
                   std::memory_order_relaxed);
  timestamp_before_max_ms_.store(config.message_timestamp_before_max_ms,
                                 std::memory_order_relaxed);
  timestamp_after_max_ms_.store(config.message_timestamp_after_max_ms,
                                std::memory_order_relaxed);
  config_ = std::move(config);
}

}  // namespace brook
