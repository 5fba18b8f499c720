#include "kafka/kafka_consumer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_errors.h"
#include "kafka/kafka_metadata.h"
#include "util/status_macros.h"

namespace brook {
namespace {

// How long a metadata or offset request to the cluster may take.
constexpr absl::Duration kRequestTimeout = absl::Seconds(10);

// An owned rd_kafka_topic_partition_list_t.
struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

PartitionList NewList(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(size));
}

PartitionList ToList(absl::Span<const TopicPartition> partitions,
                     int64_t offset = RD_KAFKA_OFFSET_INVALID) {
  PartitionList list = NewList(static_cast<int>(partitions.size()));
  for (const TopicPartition& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(),
                                      tp.partition)
        ->offset = offset;
  }
  return list;
}

std::vector<TopicPartition> FromList(
    const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  out.reserve(list->cnt);
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  }
  std::sort(out.begin(), out.end());
  return out;
}

// An offset list with metadata, as rd_kafka_commit takes it.
PartitionList OffsetList(const OffsetMap& offsets) {
  PartitionList list = NewList(static_cast<int>(offsets.size()));
  for (const auto& [tp, om] : offsets) {
    rd_kafka_topic_partition_t* p = rd_kafka_topic_partition_list_add(
        list.get(), tp.topic.c_str(), tp.partition);
    p->offset = om.offset;
    if (!om.metadata.empty()) {
      // librdkafka frees it with the list.
      p->metadata = rd_kafka_mem_malloc(nullptr, om.metadata.size());
      std::memcpy(p->metadata, om.metadata.data(), om.metadata.size());
      p->metadata_size = om.metadata.size();
    }
  }
  return list;
}

// The first error of a per-partition result list (OK when none).
absl::Status PartitionErrors(const rd_kafka_topic_partition_list_t* list,
                             absl::string_view context) {
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(list->elems[i].err,
                         absl::StrCat(context, " ", list->elems[i].topic, "-",
                                      list->elems[i].partition));
    }
  }
  return absl::OkStatus();
}

// Java's commit errors: the member is not in the group's current
// generation → CommitFailed; its own rejoin under way → RebalanceInProgress.
absl::Status CommitStatus(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
    case RD_KAFKA_RESP_ERR__NO_OFFSET:  // Nothing to commit.
      return absl::OkStatus();
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
      return Error(ErrorCode::kCommitFailed,
                   absl::StrCat("Commit cannot be completed since the group "
                                "has already rebalanced and assigned the "
                                "partitions to another member (",
                                rd_kafka_err2str(err), ")"));
    default:
      return KafkaStatus(err, "commit");
  }
}

absl::Status NoGroup() {
  return Error(ErrorCode::kInvalidGroupId,
               "To use the group management or offset commit APIs, you must "
               "provide a valid group.id in the consumer configuration.");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> KafkaConsumer::Create(
    const Properties& base, const ConsumerOptions& options) {
  BROOK_ASSIGN_OR_RETURN(KafkaConf owned, NewConsumerConf(base, options));
  // Kafka's Java consumer commits inside Poll, before a revoke and at
  // Close, the positions of records already returned; this consumer does
  // the same itself, so librdkafka's own timer stays off.
  BROOK_RETURN_IF_ERROR(
      SetKafkaConf(owned.get(), "enable.auto.commit", "false"));
  if (options.group_id.empty()) {
    // librdkafka assigns partitions only through its group handle, which
    // needs a group.id; Kafka's consumer assigns without one. A private
    // name serves: nothing joins it (Assign does not join) and nothing is
    // committed to it (commits need the user's group.id).
    BROOK_RETURN_IF_ERROR(SetKafkaConf(
        owned.get(), "group.id",
        absl::StrCat("brook-no-group-", options.client_id, "-",
                     absl::ToUnixNanos(absl::Now()))));
  }
  rd_kafka_conf_t* conf = owned.release();
  // The consumer object's address is known only after rd_kafka_new; the
  // callback finds it through this holder.
  auto holder = std::make_unique<KafkaConsumer*>(nullptr);
  rd_kafka_conf_set_opaque(conf, holder.get());
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaConsumer::RebalanceCallback);
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr,
                                sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Error(ErrorCode::kInvalidConfig, errstr);
  }
  rd_kafka_poll_set_consumer(rk);
  std::unique_ptr<KafkaConsumer> consumer(new KafkaConsumer(options, rk));
  *holder = consumer.get();
  consumer->opaque_holder_ = std::move(holder);
  return std::unique_ptr<Consumer>(std::move(consumer));
}

KafkaConsumer::KafkaConsumer(const ConsumerOptions& options, rd_kafka_t* rk)
    : options_(options),
      rk_(rk),
      consumer_queue_(rd_kafka_queue_get_consumer(rk)),
      commit_queue_(rd_kafka_queue_new(rk)),
      auto_commit_(options.enable_auto_commit && !options.group_id.empty()),
      invoker_(options.client_id),
      auto_commit_timer_(auto_commit_, options.auto_commit_interval,
                         absl::Now()) {}

KafkaConsumer::~KafkaConsumer() { Close().IgnoreError(); }

void KafkaConsumer::RebalanceCallback(
    rd_kafka_t* rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  KafkaConsumer* self = *static_cast<KafkaConsumer**>(opaque);
  self->OnRebalance(err, partitions);
}

void KafkaConsumer::OnRebalance(rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative =
      std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
  cooperative_ = cooperative;
  std::vector<TopicPartition> parts = FromList(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Resume where the consumer's positions say for partitions it keeps
    // (cooperative); the others start at their committed offset.
    for (int i = 0; i < partitions->cnt; ++i) {
      const SubscriptionState::PartitionState* s = subscription_.Find(
          {partitions->elems[i].topic, partitions->elems[i].partition});
      partitions->elems[i].offset = s != nullptr && s->position
                                        ? *s->position
                                        : RD_KAFKA_OFFSET_INVALID;
    }
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_assign(rk_, partitions);
      if (e != nullptr) {
        rebalance_error_ = KafkaStatus(e, "incremental assign");
        rd_kafka_error_destroy(e);
      }
      std::vector<TopicPartition> all = subscription_.AssignedPartitions();
      all.insert(all.end(), parts.begin(), parts.end());
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      InstallAssignment(all, /*incremental=*/true);
    } else {
      rd_kafka_resp_err_t e = rd_kafka_assign(rk_, partitions);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rebalance_error_ = KafkaStatus(e, "assign");
      }
      InstallAssignment(parts, /*incremental=*/false);
    }
    invoker_.Assigned(parts);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    // Records this Poll collected from these partitions are not returned,
    // so neither committed below nor counted as consumed.
    DropCollected(parts);
    const bool lost = rd_kafka_assignment_lost(rk_) != 0;
    if (lost) {
      invoker_.Lost(parts);
    } else {
      // As Java's onJoinPrepare: commit before giving partitions up.
      if (auto_commit_ && !closing_) {
        OffsetMap offsets;
        for (const auto& [tp, om] : subscription_.ConsumedOffsets()) {
          if (std::binary_search(parts.begin(), parts.end(), tp)) {
            offsets.emplace(tp, om);
          }
        }
        if (!offsets.empty()) Commit(offsets).IgnoreError();
      }
      invoker_.Revoked(parts);
    }
    std::vector<TopicPartition> keep;
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, partitions);
      if (e != nullptr) rd_kafka_error_destroy(e);
      for (const TopicPartition& tp : subscription_.AssignedPartitions()) {
        if (!std::binary_search(parts.begin(), parts.end(), tp)) {
          keep.push_back(tp);
        }
      }
    } else {
      rd_kafka_assign(rk_, nullptr);
    }
    InstallAssignment(keep, cooperative);
    return;
  }
  // Any other error: drop the assignment; Poll reports it.
  rd_kafka_assign(rk_, nullptr);
  InstallAssignment({}, false);
  rebalance_error_ = KafkaStatus(err, "rebalance");
}

void KafkaConsumer::InstallAssignment(
    const std::vector<TopicPartition>& partitions, bool incremental) {
  subscription_.AssignFromSubscribed(partitions);
  maybe_unresolved_ = true;
  last_fetching_ = nullptr;
  if (incremental) {
    for (auto it = fetching_.begin(); it != fetching_.end();) {
      it = subscription_.Find(*it) == nullptr ? fetching_.erase(it)
                                              : std::next(it);
    }
  } else {
    fetching_.clear();
  }
  // librdkafka forgets pause state at (re)assignment; the consumer keeps it
  // for partitions that stay, as Java's SubscriptionState does.
  ApplyPauses();
}

absl::Status KafkaConsumer::Enter(const ThreadGuardScope& scope) const {
  if (!scope.status().ok()) return scope.status();
  if (closed_) return Error(ErrorCode::kClosed, "the consumer is closed");
  if (!fatal_.ok()) return fatal_;
  return absl::OkStatus();
}

absl::Status KafkaConsumer::CheckPartitions(
    absl::Span<const TopicPartition> partitions) {
  std::map<std::string, int32_t> counts;
  for (const TopicPartition& tp : partitions) counts.emplace(tp.topic, -1);
  for (auto& [topic, count] : counts) {
    absl::StatusOr<std::vector<KafkaPartitionMetadata>> md =
        TopicMetadata(rk_, topic, kRequestTimeout);
    if (md.ok()) {
      count = static_cast<int32_t>(md->size());
    } else if (GetErrorCode(md.status()) !=
               ErrorCode::kUnknownTopicOrPartition) {
      return md.status();
    }
  }
  for (const TopicPartition& tp : partitions) {
    const int32_t count = counts[tp.topic];
    if (count < 0 || tp.partition < 0 || tp.partition >= count) {
      return Error(ErrorCode::kUnknownTopicOrPartition,
                   absl::StrCat("This server does not host this "
                                "topic-partition: ",
                                tp.topic, "-", tp.partition));
    }
  }
  return absl::OkStatus();
}

absl::Status KafkaConsumer::Assign(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (subscription_.subscribed()) {
    return Error(ErrorCode::kIllegalState,
                 "Subscription to topics, partitions and pattern are "
                 "mutually exclusive");
  }
  std::vector<TopicPartition> sorted(partitions.begin(), partitions.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  BROOK_RETURN_IF_ERROR(CheckPartitions(sorted));
  subscription_.AssignFromUser(sorted);
  absl::Status assigned = AssignAtPositions();
  ApplyPauses();
  return assigned;
}

absl::StatusOr<std::vector<TopicPartition>> KafkaConsumer::Assignment() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscription_.AssignedPartitions();
}

absl::Status KafkaConsumer::Subscribe(absl::Span<const std::string> topics,
                                      ConsumerRebalanceListener* listener) {
  return SubscribeTopics({topics.begin(), topics.end()},
                         ListenerRef(listener));
}

absl::Status KafkaConsumer::Subscribe(
    absl::Span<const std::string> topics,
    std::shared_ptr<ConsumerRebalanceListener> listener) {
  return SubscribeTopics({topics.begin(), topics.end()},
                         ListenerRef(std::move(listener)));
}

absl::Status KafkaConsumer::SubscribePattern(
    absl::string_view regex, ConsumerRebalanceListener* listener) {
  return SubscribeRegex(regex, ListenerRef(listener));
}

absl::Status KafkaConsumer::SubscribePattern(
    absl::string_view regex,
    std::shared_ptr<ConsumerRebalanceListener> listener) {
  return SubscribeRegex(regex, ListenerRef(std::move(listener)));
}

absl::Status KafkaConsumer::SubscribeTopics(std::vector<std::string> topics,
                                            ListenerRef listener) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (topics.empty()) {
    return Unsubscribe();
  }
  if (options_.group_id.empty()) return NoGroup();
  if (subscription_.mode() == SubscriptionState::Mode::kAssigned) {
    return Error(ErrorCode::kIllegalState,
                 "Subscription to topics, partitions and pattern are "
                 "mutually exclusive");
  }
  subscription_.Subscribe(std::move(topics));
  invoker_.set_listener(std::move(listener));
  PartitionList list = NewList(
      static_cast<int>(subscription_.subscription().size()));
  for (const std::string& t : subscription_.subscription()) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  return KafkaStatus(rd_kafka_subscribe(rk_, list.get()), "subscribe");
}

absl::Status KafkaConsumer::SubscribeRegex(absl::string_view regex,
                                           ListenerRef listener) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) return NoGroup();
  if (subscription_.mode() == SubscriptionState::Mode::kAssigned) {
    return Error(ErrorCode::kIllegalState,
                 "Subscription to topics, partitions and pattern are "
                 "mutually exclusive");
  }
  BROOK_ASSIGN_OR_RETURN(TopicPattern pattern, TopicPattern::Compile(regex));
  BROOK_ASSIGN_OR_RETURN(std::vector<std::string> topics, ListTopics());
  std::vector<std::string> matched = pattern.Filter(std::move(topics));
  subscription_.SubscribePattern(std::move(pattern), matched);
  invoker_.set_listener(std::move(listener));
  next_pattern_check_ = absl::Now() + options_.metadata_max_age;
  return RefreshPattern(/*force=*/true);
}

absl::StatusOr<std::vector<std::string>> KafkaConsumer::ListTopics() {
  // Without the internal topics, as Java's exclude.internal.topics default.
  return TopicNames(rk_, kRequestTimeout);
}

absl::Status KafkaConsumer::RefreshPattern(bool force) {
  if (!subscription_.pattern()) return absl::OkStatus();
  std::vector<std::string> before = subscription_.subscription();
  if (!force) {
    if (absl::Now() < next_pattern_check_) return absl::OkStatus();
    next_pattern_check_ = absl::Now() + options_.metadata_max_age;
    BROOK_ASSIGN_OR_RETURN(std::vector<std::string> topics, ListTopics());
    subscription_.SetPatternTopics(
        subscription_.pattern()->Filter(std::move(topics)));
    if (subscription_.subscription() == before) return absl::OkStatus();
  }
  if (subscription_.subscription().empty()) {
    // librdkafka cannot subscribe to nothing: leave until a topic matches.
    return KafkaStatus(rd_kafka_unsubscribe(rk_), "unsubscribe");
  }
  PartitionList list = NewList(
      static_cast<int>(subscription_.subscription().size()));
  for (const std::string& t : subscription_.subscription()) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  return KafkaStatus(rd_kafka_subscribe(rk_, list.get()), "subscribe");
}

absl::Status KafkaConsumer::Unsubscribe() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!subscription_.subscribed()) {
    if (subscription_.mode() == SubscriptionState::Mode::kAssigned) {
      rd_kafka_assign(rk_, nullptr);
      subscription_.Unsubscribe();
    }
    return absl::OkStatus();
  }
  rd_kafka_unsubscribe(rk_);
  // librdkafka revokes from its next poll; Kafka's unsubscribe has revoked
  // when it returns. Serve the queue until the assignment is gone.
  const absl::Time deadline = absl::Now() + options_.session_timeout;
  while (!subscription_.empty() && absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
    if (m != nullptr) rd_kafka_message_destroy(m);
  }
  subscription_.Unsubscribe();
  invoker_.clear_listener();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> KafkaConsumer::Subscription() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (!subscription_.subscribed()) return std::vector<std::string>();
  return subscription_.subscription();
}

absl::StatusOr<ConsumerGroupMetadata> KafkaConsumer::GroupMetadata() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  ConsumerGroupMetadata md;
  md.group_id = options_.group_id;
  // librdkafka 2.0.2 does not expose the generation.
  md.generation_id = -1;
  char* member = rd_kafka_memberid(rk_);
  if (member != nullptr) {
    md.member_id = member;
    rd_kafka_mem_free(rk_, member);
  }
  if (!options_.group_instance_id.empty()) {
    md.group_instance_id = options_.group_instance_id;
  }
  return md;
}

absl::Status KafkaConsumer::EnforceRebalance() {
  return Error(ErrorCode::kUnsupported,
               "EnforceRebalance: librdkafka 2.0.2 has no call that makes a "
               "member rejoin");
}

absl::Status KafkaConsumer::SeekTo(const TopicPartition& tp, int64_t offset) {
  subscription_.Find(tp)->Seek(offset);
  return SeekToPositions({tp});
}

absl::Status KafkaConsumer::AssignAtPositions() {
  std::vector<TopicPartition> parts = subscription_.AssignedPartitions();
  PartitionList list = ToList(parts);
  for (int i = 0; i < list->cnt; ++i) {
    const SubscriptionState::PartitionState* s = subscription_.Find(
        {list->elems[i].topic, list->elems[i].partition});
    if (s != nullptr && s->position) list->elems[i].offset = *s->position;
  }
  fetching_.clear();
  last_fetching_ = nullptr;
  maybe_unresolved_ = true;
  return KafkaStatus(rd_kafka_assign(rk_, parts.empty() ? nullptr : list.get()),
                     "assign");
}

void KafkaConsumer::ApplyPauses() {
  std::vector<TopicPartition> paused = subscription_.Paused();
  if (paused.empty()) return;
  PartitionList list = ToList(paused);
  rd_kafka_pause_partitions(rk_, list.get());
}

absl::Status KafkaConsumer::ResolvePositions(
    absl::Span<const TopicPartition> only) {
  std::vector<TopicPartition> need_committed;
  std::vector<TopicPartition> resolved;
  for (SubscriptionState::Assigned& a : subscription_.assigned()) {
    if (a.state.position) continue;
    if (!only.empty() &&
        std::find(only.begin(), only.end(), a.partition) == only.end()) {
      continue;
    }
    if (a.state.pending_reset == SubscriptionState::PendingReset::kNone) {
      need_committed.push_back(a.partition);
      continue;
    }
    BROOK_ASSIGN_OR_RETURN(
        int64_t offset,
        Watermark(a.partition, a.state.pending_reset ==
                                   SubscriptionState::PendingReset::kToStart));
    a.state.Seek(offset);
    resolved.push_back(a.partition);
  }
  std::map<TopicPartition, int64_t> committed;
  if (!need_committed.empty() && !options_.group_id.empty()) {
    PartitionList list = ToList(need_committed);
    BROOK_RETURN_IF_ERROR(KafkaStatus(
        rd_kafka_committed(rk_, list.get(), TimeoutMs(kRequestTimeout)),
        "committed"));
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].offset >= 0) {
        committed[{list->elems[i].topic, list->elems[i].partition}] =
            list->elems[i].offset;
      }
    }
  }
  for (const TopicPartition& tp : need_committed) {
    int64_t position;
    if (auto it = committed.find(tp); it != committed.end()) {
      position = it->second;
    } else if (options_.auto_offset_reset == OffsetReset::kNone) {
      return Error(ErrorCode::kNoOffsetForPartition,
                   absl::StrCat("Undefined offset with no reset policy for "
                                "partitions: [",
                                tp.topic, "-", tp.partition, "]"));
    } else {
      BROOK_ASSIGN_OR_RETURN(
          position,
          Watermark(tp, options_.auto_offset_reset == OffsetReset::kEarliest));
    }
    subscription_.Find(tp)->Seek(position);
    resolved.push_back(tp);
  }
  return SeekToPositions(resolved);
}

absl::Status KafkaConsumer::SeekToPositions(
    const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return absl::OkStatus();
  // One request for all (a reassignment restarts the fetchers of every
  // partition it names).
  std::vector<TopicPartition> started, fresh;
  for (const TopicPartition& tp : partitions) {
    (fetching_.count(tp) > 0 ? started : fresh).push_back(tp);
  }
  auto with_positions = [&](const std::vector<TopicPartition>& parts) {
    PartitionList list = ToList(parts);
    for (int i = 0; i < list->cnt; ++i) {
      list->elems[i].offset = *subscription_
                                   .Find({list->elems[i].topic,
                                          list->elems[i].partition})
                                   ->position;
    }
    return list;
  };
  if (!started.empty()) {
    PartitionList list = with_positions(started);
    // Timeout 0: asynchronous (2.0.2 scales a non-zero timeout wrongly).
    rd_kafka_error_t* e = rd_kafka_seek_partitions(rk_, list.get(), 0);
    absl::Status s = KafkaStatus(e, "seek");
    if (e != nullptr) rd_kafka_error_destroy(e);
    BROOK_RETURN_IF_ERROR(s);
  }
  if (fresh.empty()) return absl::OkStatus();
  // Not fetched from since they were assigned: librdkafka is still looking
  // up where to start and would override a seek. Assign them again,
  // starting at their positions.
  if (subscription_.subscribed() && cooperative_) {
    PartitionList list = with_positions(fresh);
    rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, list.get());
    if (e == nullptr) e = rd_kafka_incremental_assign(rk_, list.get());
    absl::Status s = KafkaStatus(e, "seek");
    if (e != nullptr) rd_kafka_error_destroy(e);
    BROOK_RETURN_IF_ERROR(s);
  } else {
    BROOK_RETURN_IF_ERROR(AssignAtPositions());
  }
  ApplyPauses();
  return absl::OkStatus();
}

absl::Status KafkaConsumer::MaybeAutoCommit() {
  if (!auto_commit_timer_.Due(absl::Now())) return absl::OkStatus();
  OffsetMap offsets = subscription_.ConsumedOffsets();
  if (!offsets.empty()) CommitAsyncNow(offsets, nullptr);
  return absl::OkStatus();
}

absl::Status KafkaConsumer::PollMessages(
    absl::Duration timeout, std::vector<rd_kafka_message_t*>* out) {
  if (timeout < absl::ZeroDuration()) {
    return Error(ErrorCode::kInvalidRequest,
                 "Timeout must not be negative");
  }
  // An error held back so that the records read before it were delivered.
  if (!pending_error_.ok()) return std::exchange(pending_error_, {});
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  ServeCommitResults();
  commit_callbacks_.RunAll();
  BROOK_RETURN_IF_ERROR(MaybeAutoCommit());
  BROOK_RETURN_IF_ERROR(RefreshPattern(/*force=*/false));
  if (subscription_.mode() == SubscriptionState::Mode::kNone) {
    return Error(ErrorCode::kIllegalState,
                 "Consumer is not subscribed to any topics or assigned any "
                 "partitions");
  }
  const absl::Time deadline = absl::Now() + timeout;
  collecting_ = out;
  absl::Status status = CollectMessages(deadline, out);
  collecting_ = nullptr;
  if (status.ok() || out->empty()) return status;
  pending_error_ = std::move(status);  // The next Poll returns it.
  return absl::OkStatus();
}

absl::Status KafkaConsumer::CollectMessages(
    absl::Time deadline, std::vector<rd_kafka_message_t*>* out) {
  for (;;) {
    if (maybe_unresolved_) {
      BROOK_RETURN_IF_ERROR(ResolvePositions({}));
      maybe_unresolved_ = false;
    }
    const absl::Duration left =
        out->empty() ? deadline - absl::Now() : absl::ZeroDuration();
    // A rebalance callback may run inside (OnRebalance, which drops what
    // this poll collected from partitions it gives up).
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, TimeoutMs(left));
    if (!rebalance_error_.ok()) {
      if (m != nullptr) rd_kafka_message_destroy(m);
      return std::exchange(rebalance_error_, absl::OkStatus());
    }
    if (m == nullptr) {
      // With records to return, a Wakeup waits for the next call.
      if (!out->empty()) return absl::OkStatus();
      BROOK_RETURN_IF_ERROR(wakeup_.Take());
      if (absl::Now() >= deadline) return absl::OkStatus();
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const rd_kafka_resp_err_t err = m->err;
      std::string text = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      switch (err) {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        // A subscribed topic that does not exist is simply not assigned.
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        // The member left the group for exceeding max.poll.interval.ms;
        // as in Kafka the next poll reports the partitions lost (the
        // revoke that follows) and rejoins.
        case RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED:
          continue;
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
          return Error(ErrorCode::kNoOffsetForPartition, text);
        case RD_KAFKA_RESP_ERR__FATAL: {
          char reason[512];
          rd_kafka_resp_err_t orig =
              rd_kafka_fatal_error(rk_, reason, sizeof(reason));
          fatal_ = KafkaStatus(orig, "fatal", reason);
          return fatal_;
        }
        default:
          return KafkaStatus(err, "poll", text.c_str());
      }
    }
    const TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
    SubscriptionState::PartitionState* s = subscription_.Find(tp);
    if (s == nullptr) {
      // Revoked meanwhile: not the consumer's to return. (librdkafka drops
      // what it fetched before a seek; after an out-of-range position it
      // resets as auto.offset.reset says, so an offset below the position
      // is the reset's, not a stale one.)
      rd_kafka_message_destroy(m);
      continue;
    }
    if (s->paused && s->position) {
      // Fetched before the pause: librdkafka counts it as consumed, so
      // rewind it to the consumer's position for the resume.
      rd_kafka_message_destroy(m);
      SeekTo(tp, *s->position).IgnoreError();
      continue;
    }
    s->position = m->offset + 1;
    if (s != last_fetching_) {  // Records come in runs per partition.
      fetching_.insert(tp);
      last_fetching_ = s;
    }
    out->push_back(m);
    if (static_cast<int32_t>(out->size()) >= options_.max_poll_records) {
      return absl::OkStatus();
    }
  }
}

void KafkaConsumer::DropCollected(const std::vector<TopicPartition>& parts) {
  if (collecting_ == nullptr) return;
  std::vector<rd_kafka_message_t*>& batch = *collecting_;
  auto keep = batch.begin();
  for (rd_kafka_message_t* m : batch) {
    const TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
    if (!std::binary_search(parts.begin(), parts.end(), tp)) {
      *keep++ = m;
      continue;
    }
    // Not returned: the position goes back before it (the first dropped
    // record of a partition is its lowest offset).
    SubscriptionState::PartitionState* s = subscription_.Find(tp);
    if (s != nullptr && s->position && *s->position > m->offset) {
      s->position = m->offset;
    }
    rd_kafka_message_destroy(m);
  }
  batch.erase(keep, batch.end());
}

absl::StatusOr<ConsumerRecords> KafkaConsumer::PollRecords(
    absl::Duration timeout) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::vector<rd_kafka_message_t*> messages;
  absl::Status s = PollMessages(timeout, &messages);
  if (!s.ok() && messages.empty()) return s;
  // One owner for the poll's messages: the records borrow their buffers.
  struct Messages {
    std::vector<rd_kafka_message_t*> owned;
    ~Messages() {
      for (rd_kafka_message_t* m : owned) rd_kafka_message_destroy(m);
    }
  };
  auto batch = std::make_shared<Messages>();
  batch->owned = messages;
  std::vector<std::shared_ptr<const void>> keep_alive;
  if (!messages.empty()) keep_alive.push_back(std::move(batch));
  size_t header_count = 0;
  for (rd_kafka_message_t* m : messages) {
    rd_kafka_headers_t* h = nullptr;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      header_count += rd_kafka_header_cnt(h);
    }
  }
  std::vector<RecordView> records;
  std::vector<HeaderView> headers;
  records.reserve(messages.size());
  headers.reserve(header_count);  // Spans below point into it: no realloc.
  for (rd_kafka_message_t* m : messages) {
    RecordView r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    rd_kafka_timestamp_type_t type;
    const int64_t ts = rd_kafka_message_timestamp(m, &type);
    r.timestamp = absl::FromUnixMillis(ts);
    r.timestamp_type = type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME
                           ? TimestampType::kLogAppendTime
                           : TimestampType::kCreateTime;
    if (m->key != nullptr) {
      r.key = absl::string_view(static_cast<const char*>(m->key), m->key_len);
    }
    if (m->payload != nullptr) {
      r.value = absl::string_view(static_cast<const char*>(m->payload), m->len);
    }
    rd_kafka_headers_t* h = nullptr;
    const size_t first = headers.size();
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (size_t i = 0; i < rd_kafka_header_cnt(h); ++i) {
        const char* name;
        const void* value;
        size_t size;
        if (rd_kafka_header_get_all(h, i, &name, &value, &size) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
          break;
        }
        HeaderView hv;
        hv.key = name;
        if (value != nullptr) {
          hv.value = absl::string_view(static_cast<const char*>(value), size);
        }
        headers.push_back(hv);
      }
    }
    r.headers = absl::MakeConstSpan(headers.data() + first,
                                    headers.size() - first);
    records.push_back(r);
  }
  return ConsumerRecords(std::move(records), std::move(headers),
                         std::move(keep_alive));
}

absl::StatusOr<std::vector<ConsumerRecord>> KafkaConsumer::Poll(
    absl::Duration timeout) {
  BROOK_ASSIGN_OR_RETURN(ConsumerRecords records, PollRecords(timeout));
  return records.ToRecords();
}

absl::Status KafkaConsumer::Seek(const TopicPartition& partition,
                                 int64_t offset) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (offset < 0) {
    return Error(ErrorCode::kInvalidRequest,
                 absl::StrCat("seek offset must not be a negative number"));
  }
  BROOK_RETURN_IF_ERROR(subscription_.FindAssigned(partition, "seek").status());
  return SeekTo(partition, offset);  // Sets the position too.
}

absl::Status KafkaConsumer::SeekToBeginning(
    absl::Span<const TopicPartition> partitions) {
  return RequestResets(partitions, SubscriptionState::PendingReset::kToStart,
                       "seekToBeginning");
}

absl::Status KafkaConsumer::SeekToEnd(
    absl::Span<const TopicPartition> partitions) {
  return RequestResets(partitions, SubscriptionState::PendingReset::kToEnd,
                       "seekToEnd");
}

absl::Status KafkaConsumer::RequestResets(
    absl::Span<const TopicPartition> partitions,
    SubscriptionState::PendingReset reset, absl::string_view op) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::vector<TopicPartition> parts(partitions.begin(), partitions.end());
  if (parts.empty()) parts = subscription_.AssignedPartitions();
  for (const TopicPartition& tp : parts) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * s,
                           subscription_.FindAssigned(tp, op));
    s->RequestReset(reset);
    maybe_unresolved_ = true;  // Resolved lazily, at Poll or Position.
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> KafkaConsumer::Position(
    const TopicPartition& partition) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * s,
                         subscription_.FindAssigned(partition, "position"));
  if (!s->position) {
    BROOK_RETURN_IF_ERROR(wakeup_.Take());
    BROOK_RETURN_IF_ERROR(ResolvePositions({partition}));
  }
  return *subscription_.Find(partition)->position;
}

absl::StatusOr<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
KafkaConsumer::OffsetsForTimes(
    const std::map<TopicPartition, absl::Time>& timestamps) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::map<TopicPartition, std::optional<OffsetAndTimestamp>> out;
  if (timestamps.empty()) return out;
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  PartitionList list = NewList(static_cast<int>(timestamps.size()));
  for (const auto& [tp, t] : timestamps) {
    if (t < absl::UnixEpoch()) {
      return Error(ErrorCode::kInvalidRequest,
                   absl::StrCat("The target time for partition ", tp.topic,
                                "-", tp.partition,
                                " is negative. It should be non-negative."));
    }
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(),
                                      tp.partition)
        ->offset = absl::ToUnixMillis(t);
  }
  BROOK_RETURN_IF_ERROR(KafkaStatus(
      rd_kafka_offsets_for_times(rk_, list.get(), TimeoutMs(kRequestTimeout)),
      "offsets for times"));
  BROOK_RETURN_IF_ERROR(PartitionErrors(list.get(), "offsets for times"));
  for (int i = 0; i < list->cnt; ++i) {
    const TopicPartition tp{list->elems[i].topic, list->elems[i].partition};
    if (list->elems[i].offset < 0) {
      out[tp] = std::nullopt;
      continue;
    }
    // librdkafka 2.0.2 returns the offset only; the record's timestamp is
    // the one asked for or later: read it back would need a fetch, so the
    // requested time stands in (documented).
    out[tp] = OffsetAndTimestamp{list->elems[i].offset, timestamps.at(tp)};
  }
  return out;
}

absl::StatusOr<int64_t> KafkaConsumer::Watermark(const TopicPartition& tp,
                                                 bool low) {
  int64_t lo = 0, hi = 0;
  BROOK_RETURN_IF_ERROR(brook::Watermarks(rk_, tp.topic, tp.partition,
                                          kRequestTimeout, &lo, &hi));
  return low ? lo : hi;
}

absl::StatusOr<std::map<TopicPartition, int64_t>> KafkaConsumer::Watermarks(
    absl::Span<const TopicPartition> partitions, bool low) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::map<TopicPartition, int64_t> out;
  if (partitions.empty()) return out;
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(out[tp], Watermark(tp, low));
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, int64_t>>
KafkaConsumer::BeginningOffsets(absl::Span<const TopicPartition> partitions) {
  return Watermarks(partitions, /*low=*/true);
}

absl::StatusOr<std::map<TopicPartition, int64_t>> KafkaConsumer::EndOffsets(
    absl::Span<const TopicPartition> partitions) {
  return Watermarks(partitions, /*low=*/false);
}

absl::Status KafkaConsumer::Pause(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * s,
                           subscription_.FindAssigned(tp, "pause"));
    s->paused = true;
  }
  PartitionList list = ToList(partitions);
  return KafkaStatus(rd_kafka_pause_partitions(rk_, list.get()), "pause");
}

absl::Status KafkaConsumer::Resume(
    absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  std::vector<TopicPartition> resume;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(SubscriptionState::PartitionState * s,
                           subscription_.FindAssigned(tp, "resume"));
    // Only what was paused: 2.0.2 may rewind a partition resumed while not
    // paused.
    if (s->paused) resume.push_back(tp);
    s->paused = false;
  }
  if (resume.empty()) return absl::OkStatus();
  PartitionList list = ToList(resume);
  return KafkaStatus(rd_kafka_resume_partitions(rk_, list.get()), "resume");
}

absl::StatusOr<std::vector<TopicPartition>> KafkaConsumer::Paused() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  return subscription_.Paused();
}

absl::Status KafkaConsumer::Commit(const OffsetMap& offsets) {
  if (offsets.empty()) return absl::OkStatus();
  PartitionList list = OffsetList(offsets);
  BROOK_RETURN_IF_ERROR(CommitStatus(rd_kafka_commit(rk_, list.get(), 0)));
  return PartitionErrors(list.get(), "commit");
}

absl::Status KafkaConsumer::CommitSync() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) return NoGroup();
  ServeCommitResults();
  commit_callbacks_.RunAll();
  OffsetMap offsets = subscription_.ConsumedOffsets();
  if (offsets.empty()) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  return Commit(offsets);
}

absl::Status KafkaConsumer::CommitSync(const OffsetMap& offsets) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) return NoGroup();
  ServeCommitResults();
  commit_callbacks_.RunAll();
  if (offsets.empty()) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  return Commit(offsets);
}

void KafkaConsumer::CommitResultCallback(
    rd_kafka_t* rk, rd_kafka_resp_err_t err,
    rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto* pending = static_cast<PendingCommit*>(opaque);
  KafkaConsumer* self = pending->consumer;
  auto node = self->pending_commits_.extract(pending);
  absl::Status status = CommitStatus(err);
  if (status.ok() && offsets != nullptr) {
    status = PartitionErrors(offsets, "commit");
  }
  self->commit_callbacks_.Add(std::move(node.mapped()->callback),
                              std::move(status),
                              std::move(node.mapped()->offsets));
}

void KafkaConsumer::CommitAsyncNow(const OffsetMap& offsets,
                                   CommitCallback callback) {
  PartitionList list = OffsetList(offsets);
  auto owned = std::make_unique<PendingCommit>(
      PendingCommit{this, std::move(callback), offsets});
  PendingCommit* pending = owned.get();
  pending_commits_.emplace(pending, std::move(owned));
  rd_kafka_resp_err_t err =
      rd_kafka_commit_queue(rk_, list.get(), commit_queue_,
                            &KafkaConsumer::CommitResultCallback, pending);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Not queued: report from a later call as the others.
    auto node = pending_commits_.extract(pending);
    commit_callbacks_.Add(std::move(node.mapped()->callback),
                          CommitStatus(err),
                          std::move(node.mapped()->offsets));
  }
}

void KafkaConsumer::ServeCommitResults() {
  while (rd_kafka_queue_poll_callback(commit_queue_, 0) > 0) {
  }
}

void KafkaConsumer::CommitAsync(CommitCallback callback) {
  ThreadGuardScope scope(&guard_);
  absl::Status entered = Enter(scope);
  if (entered.ok() && options_.group_id.empty()) entered = NoGroup();
  if (!entered.ok()) {
    if (callback) callback(entered, {});
    return;
  }
  ServeCommitResults();
  commit_callbacks_.RunAll();
  OffsetMap offsets = subscription_.ConsumedOffsets();
  if (offsets.empty()) {
    commit_callbacks_.Add(std::move(callback), absl::OkStatus(), {});
    return;
  }
  CommitAsyncNow(offsets, std::move(callback));
}

void KafkaConsumer::CommitAsync(const OffsetMap& offsets,
                                CommitCallback callback) {
  ThreadGuardScope scope(&guard_);
  absl::Status entered = Enter(scope);
  if (entered.ok() && options_.group_id.empty()) entered = NoGroup();
  if (!entered.ok()) {
    if (callback) callback(entered, offsets);
    return;
  }
  ServeCommitResults();
  commit_callbacks_.RunAll();
  if (offsets.empty()) {
    commit_callbacks_.Add(std::move(callback), absl::OkStatus(), {});
    return;
  }
  CommitAsyncNow(offsets, std::move(callback));
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
KafkaConsumer::Committed(absl::Span<const TopicPartition> partitions) {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  if (options_.group_id.empty()) return NoGroup();
  std::map<TopicPartition, OffsetAndMetadata> out;
  if (partitions.empty()) return out;
  BROOK_RETURN_IF_ERROR(wakeup_.Take());
  PartitionList list = ToList(partitions);
  BROOK_RETURN_IF_ERROR(KafkaStatus(
      rd_kafka_committed(rk_, list.get(), TimeoutMs(kRequestTimeout)),
        "committed"));
  BROOK_RETURN_IF_ERROR(PartitionErrors(list.get(), "committed"));
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    if (p.offset < 0) continue;
    OffsetAndMetadata om(p.offset);
    if (p.metadata != nullptr) {
      om.metadata.assign(static_cast<const char*>(p.metadata),
                         p.metadata_size);
    }
    out[{p.topic, p.partition}] = std::move(om);
  }
  return out;
}

void KafkaConsumer::Wakeup() {
  wakeup_.Set();
  absl::MutexLock lock(&queue_mu_);
  if (consumer_queue_ != nullptr) rd_kafka_queue_yield(consumer_queue_);
}

absl::Status KafkaConsumer::Close() {
  ThreadGuardScope scope(&guard_);
  if (!scope.status().ok()) return scope.status();
  if (closed_) return absl::OkStatus();
  closed_ = true;
  closing_ = true;
  absl::Status status;
  if (rk_ != nullptr) {
    ServeCommitResults();
    commit_callbacks_.RunAll();
    if (auto_commit_ && fatal_.ok()) {
      status = Commit(subscription_.ConsumedOffsets());
    }
    // Leaves the group: the revoke callback runs (OnPartitionsRevoked).
    rd_kafka_consumer_close(rk_);
    ServeCommitResults();
    commit_callbacks_.RunAll();
  }
  Release(/*leave=*/true);
  return status;
}

absl::Status KafkaConsumer::TEST_Crash() {
  ThreadGuardScope scope(&guard_);
  BROOK_RETURN_IF_ERROR(Enter(scope));
  closed_ = true;
  commit_callbacks_.Clear();
  Release(/*leave=*/false);
  return absl::OkStatus();
}

absl::Status KafkaConsumer::TEST_Freeze() {
  return Error(ErrorCode::kUnsupported,
               "FreezeConsumer: librdkafka heartbeats from its own threads, "
               "which cannot be stopped alone");
}

absl::Status KafkaConsumer::TEST_Thaw() {
  return Error(ErrorCode::kUnsupported,
               "ThawConsumer: the Kafka backend cannot freeze a consumer");
}

void KafkaConsumer::Release(bool leave) {
  if (rk_ == nullptr) return;
  {
    absl::MutexLock lock(&queue_mu_);
    if (consumer_queue_ != nullptr) rd_kafka_queue_destroy(consumer_queue_);
    consumer_queue_ = nullptr;
  }
  rd_kafka_queue_destroy(commit_queue_);
  commit_queue_ = nullptr;
  if (leave) {
    rd_kafka_destroy(rk_);
  } else {
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
  rk_ = nullptr;
}

}  // namespace brook
