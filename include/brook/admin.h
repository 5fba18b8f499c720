// Administration of topics: create, delete, list, describe. Groups come with
// the consumer-group work.
#ifndef BROOK_ADMIN_H_
#define BROOK_ADMIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/options.h"

namespace brook {

struct PartitionDescription {
  int32_t partition = 0;
  int64_t log_start_offset = 0;  // First offset still stored.
  int64_t log_end_offset = 0;    // Next offset to be written.
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;
  TopicConfig config;
};

// Topic administration. Thread-safe; owned by the Engine and valid while it is.
class Admin {
 public:
  virtual ~Admin() = default;

  // Creates `name` with `partitions` partitions. Errors: InvalidTopic (Kafka's
  // naming rules: ASCII letters, digits, '.', '_', '-'; 1..249 characters; not
  // "." or ".."), InvalidPartitions (not positive), TopicAlreadyExists.
  virtual absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                                   const TopicConfig& config = {}) = 0;
  // As above with Kafka property names; InvalidConfig for unknown names or
  // bad values.
  virtual absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                                   const Properties& config) = 0;

  // Deletes a topic and its data. UnknownTopicOrPartition if missing.
  virtual absl::Status DeleteTopic(absl::string_view name) = 0;

  // Topic names, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListTopics() = 0;

  virtual absl::StatusOr<TopicDescription> DescribeTopic(
      absl::string_view name) = 0;
};

}  // namespace brook

#endif  // BROOK_ADMIN_H_
