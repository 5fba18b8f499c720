// TopicAdmin: the Admin's topic calls on the embedded engine: create,
// describe, configure and delete topics, add partitions, delete records and
// clean logs.
#ifndef BROOK_LIB_ADMIN_TOPIC_ADMIN_H_
#define BROOK_LIB_ADMIN_TOPIC_ADMIN_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "brook/admin.h"
#include "core/topic_catalog.h"
#include "log/log_cleaner.h"
#include "log/topic_registry.h"
#include "storage/store.h"

namespace brook {

// Thread-safe. Borrows everything it is given; all of it must outlive it.
// The caller checks that the engine is open.
class TopicAdmin {
 public:
  // `cleaner`: nullptr for a read-only engine (record deletion and cleaning
  // then fail with ReadOnlyError).
  TopicAdmin(TopicCatalog* catalog, TopicRegistry* topics, Store* store,
             LogCleaner* cleaner)
      : catalog_(catalog), topics_(topics), store_(store), cleaner_(cleaner) {}
  TopicAdmin(const TopicAdmin&) = delete;
  TopicAdmin& operator=(const TopicAdmin&) = delete;

  absl::Status CreateTopic(absl::string_view name, int32_t partitions,
                           const TopicConfig& config);
  std::vector<absl::Status> CreateTopics(const std::vector<NewTopic>& topics);
  absl::Status DeleteTopic(absl::string_view name);
  // The readable topics and the unreadable ones, sorted.
  std::vector<std::string> ListTopics();
  absl::StatusOr<TopicDescription> DescribeTopic(absl::string_view name);
  absl::Status CreatePartitions(absl::string_view topic, int32_t total);
  absl::Status IncrementalAlterConfigs(absl::string_view topic,
                                       const std::vector<AlterConfigOp>& ops);
  absl::StatusOr<std::vector<ConfigEntry>> DescribeConfigs(
      absl::string_view topic);
  absl::StatusOr<std::vector<CleanedPartition>> CleanTopics(
      const std::vector<std::string>& topics);
  // Checks every entry before it applies any.
  absl::StatusOr<std::map<TopicPartition, int64_t>> DeleteRecords(
      const std::map<TopicPartition, int64_t>& before);

 private:
  absl::StatusOr<LogCleaner*> WritableCleaner();

  TopicCatalog* const catalog_;
  TopicRegistry* const topics_;
  Store* const store_;
  LogCleaner* const cleaner_;
};

}  // namespace brook

#endif  // BROOK_LIB_ADMIN_TOPIC_ADMIN_H_
