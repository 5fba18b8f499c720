#include "kafka/kafka_metadata.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "kafka/kafka_errors.h"

namespace brook {
namespace {

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const {
    rd_kafka_metadata_destroy(md);
  }
};
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter>;

}  // namespace

int TimeoutMs(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(timeout);
  return static_cast<int>(std::min<int64_t>(ms, INT32_MAX));
}

absl::StatusOr<KafkaHandle> NewKafkaHandle(rd_kafka_type_t type,
                                           KafkaConf conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) {
    return Error(ErrorCode::kInvalidConfig,
                 absl::StrCat("librdkafka refused the configuration: ",
                              errstr));
  }
  conf.release();  // Now owned by `rk`.
  return KafkaHandle(rk, [](rd_kafka_t* p) { rd_kafka_destroy(p); });
}

absl::StatusOr<std::vector<KafkaPartitionMetadata>> TopicMetadata(
    rd_kafka_t* rk, absl::string_view topic, absl::Duration timeout) {
  const std::string name(topic);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, name.c_str(), nullptr);
  if (rkt == nullptr) {
    return KafkaStatus(rd_kafka_last_error(),
                       absl::StrCat("topic ", topic));
  }
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, rkt, &raw, TimeoutMs(timeout));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, absl::StrCat("metadata of topic ", topic));
  }
  MetadataPtr md(raw);
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (topic != t.topic) continue;
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == 0)) {
      return Error(ErrorCode::kUnknownTopicOrPartition,
                   absl::StrCat("topic ", topic, " does not exist"));
    }
    // LEADER_NOT_AVAILABLE (a topic just created) still lists partitions.
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == 0) {
      return KafkaStatus(t.err, absl::StrCat("metadata of topic ", topic));
    }
    std::vector<KafkaPartitionMetadata> out;
    for (int p = 0; p < t.partition_cnt; ++p) {
      const rd_kafka_metadata_partition_t& mp = t.partitions[p];
      KafkaPartitionMetadata pm;
      pm.partition = mp.id;
      pm.leader = mp.leader;
      pm.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
      pm.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
      out.push_back(std::move(pm));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.partition < b.partition;
    });
    return out;
  }
  return Error(ErrorCode::kUnknownTopicOrPartition,
               absl::StrCat("topic ", topic, " does not exist"));
}

bool IsInternalTopic(absl::string_view topic) {
  return topic == "__consumer_offsets" || topic == "__transaction_state" ||
         topic == "__share_group_state" || topic == "__cluster_metadata";
}

absl::StatusOr<std::vector<std::string>> TopicNames(rd_kafka_t* rk,
                                                    absl::Duration timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, nullptr, &raw, TimeoutMs(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, "metadata of all topics");
  }
  MetadataPtr md(raw);
  std::vector<std::string> names;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    if (IsInternalTopic(t.topic)) continue;
    names.emplace_back(t.topic);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status Watermarks(rd_kafka_t* rk, const std::string& topic,
                        int32_t partition, absl::Duration timeout,
                        int64_t* low, int64_t* high) {
  const absl::Time deadline = absl::Now() + timeout;
  for (int64_t* out : {low, high}) {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset =
        out == low ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(
        rk, list, std::max(TimeoutMs(deadline - absl::Now()), 1));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = list->elems[0].err;
    *out = list->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err,
                         absl::StrCat("offsets of ", topic, "-", partition));
    }
  }
  return absl::OkStatus();
}

}  // namespace brook
