#include "log/topic.h"

#include <utility>

namespace brook {

Topic::Topic(std::string name, int32_t num_partitions, TopicConfig config,
             ColumnFamilyRef cf)
    : name_(std::move(name)),
      num_partitions_(num_partitions),
      config_(std::move(config)),
      cf_(std::move(cf)),
      log_append_time_(config_.message_timestamp_type == "LogAppendTime"),
      partitions_(new PartitionState[num_partitions]) {}

}  // namespace brook
