// Just enough of librdkafka's C API for the smoke tests of the test broker
// (kafka_broker_test.cc, kafka_cluster_test.cc): clients, topics, one
// record in and out. Each call is bounded and returns a Status naming what
// failed, so that a missing broker fails a test instead of hanging it.
#ifndef BROOK_TESTS_KAFKA_RDKAFKA_TESTING_H_
#define BROOK_TESTS_KAFKA_RDKAFKA_TESTING_H_

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace brook {
namespace rdkafka_testing {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const { Destroy(p); }
};
using Client =
    std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_t, rd_kafka_destroy>>;
using Queue =
    std::unique_ptr<rd_kafka_queue_t,
                    Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using Event =
    std::unique_ptr<rd_kafka_event_t,
                    Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using AdminOptions = std::unique_ptr<
    rd_kafka_AdminOptions_t,
    Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using Message =
    std::unique_ptr<rd_kafka_message_t,
                    Deleter<rd_kafka_message_t, rd_kafka_message_destroy>>;

// How long one request may take: a broker that is not there fails the
// call after this.
constexpr absl::Duration kRequestTimeout = absl::Seconds(10);

inline int Ms(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

inline absl::Status KafkaError(const std::string& what,
                               rd_kafka_resp_err_t err) {
  return absl::UnavailableError(absl::StrCat(what, ": ", rd_kafka_err2name(err),
                                             " (", rd_kafka_err2str(err), ")"));
}

// The producer's delivery report lands here (the record's opaque).
struct Delivery {
  bool done = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int64_t offset = -1;
};

inline void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* delivery = static_cast<Delivery*>(m->_private);
  delivery->done = true;
  delivery->err = m->err;
  delivery->offset = m->offset;
}

// A producer or consumer of bootstrap.servers=BOOTSTRAP with CONFIG on top.
inline absl::StatusOr<Client> NewClient(
    rd_kafka_type_t type, const std::string& bootstrap,
    const std::vector<std::pair<std::string, std::string>>& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  std::vector<std::pair<std::string, std::string>> all = {
      {"bootstrap.servers", bootstrap}};
  all.insert(all.end(), config.begin(), config.end());
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(
          absl::StrCat(key, "=", value, ": ", err));
    }
  }
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("rd_kafka_new: ", err));
  }
  return Client(rk);
}

// The number of brokers that the cluster's metadata lists.
inline absl::StatusOr<int> BrokerCount(rd_kafka_t* rk) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, nullptr, &md, Ms(kRequestTimeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(absl::StrCat("metadata from ", rd_kafka_name(rk)), err);
  }
  int count = md->broker_cnt;
  rd_kafka_metadata_destroy(md);
  return count;
}

// The leader of TOPIC's partition 0 and its number of replicas.
inline absl::StatusOr<std::pair<int32_t, int>> LeaderAndReplicas(
    rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, rkt, &md, Ms(kRequestTimeout));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(absl::StrCat("metadata of topic ", topic), err);
  }
  absl::StatusOr<std::pair<int32_t, int>> result = absl::NotFoundError(
      absl::StrCat("topic ", topic, " has no partition 0 in the metadata"));
  if (md->topic_cnt == 1 && md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    result = KafkaError(absl::StrCat("metadata of topic ", topic),
                        md->topics[0].err);
  } else if (md->topic_cnt == 1 && md->topics[0].partition_cnt >= 1) {
    const rd_kafka_metadata_partition_t& p = md->topics[0].partitions[0];
    result = std::make_pair(p.leader, p.replica_cnt);
  }
  rd_kafka_metadata_destroy(md);
  return result;
}

// Waits for the one result event of an admin call on QUEUE.
inline absl::StatusOr<Event> AwaitAdminResult(rd_kafka_queue_t* queue,
                                              const std::string& what) {
  Event event(
      rd_kafka_queue_poll(queue, Ms(kRequestTimeout + absl::Seconds(5))));
  if (event == nullptr) {
    return absl::DeadlineExceededError(absl::StrCat(what, ": no answer"));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(what, rd_kafka_event_error(event.get()));
  }
  return event;
}

// Creates TOPIC with PARTITIONS partitions and the broker's default
// replication factor, and waits until the controller has it.
inline absl::Status CreateTopic(rd_kafka_t* rk, const std::string& topic,
                                int partitions) {
  char err[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof err);
  if (new_topic == nullptr) return absl::InvalidArgumentError(err);
  Queue queue(rd_kafka_queue_new(rk));
  AdminOptions options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), Ms(kRequestTimeout),
                                            err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(
      options.get(), Ms(kRequestTimeout), err, sizeof err);
  rd_kafka_CreateTopics(rk, &new_topic, 1, options.get(), queue.get());
  rd_kafka_NewTopic_destroy(new_topic);
  std::string what = absl::StrCat("creating topic ", topic);
  absl::StatusOr<Event> event = AwaitAdminResult(queue.get(), what);
  if (!event.ok()) return event.status();
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
      rd_kafka_event_CreateTopics_result(event->get()), &count);
  if (count != 1)
    return absl::InternalError(absl::StrCat(what, ": ", count, " results"));
  if (rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat(
        what, ": ", rd_kafka_topic_result_error_string(results[0])));
  }
  return absl::OkStatus();
}

inline absl::Status DeleteTopic(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_DeleteTopic_t* del = rd_kafka_DeleteTopic_new(topic.c_str());
  Queue queue(rd_kafka_queue_new(rk));
  rd_kafka_DeleteTopics(rk, &del, 1, nullptr, queue.get());
  rd_kafka_DeleteTopic_destroy(del);
  absl::StatusOr<Event> event =
      AwaitAdminResult(queue.get(), absl::StrCat("deleting topic ", topic));
  return event.status();
}

// Produces VALUE to TOPIC partition 0 and waits up to TIMEOUT for its
// delivery report; returns its offset.
inline absl::StatusOr<int64_t> ProduceOne(rd_kafka_t* producer,
                                          const std::string& topic,
                                          const std::string& value,
                                          absl::Duration timeout) {
  Delivery delivery;
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&delivery),
      RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("produce", err);
  absl::Time deadline = absl::Now() + timeout;
  while (!delivery.done && absl::Now() < deadline) rd_kafka_poll(producer, 100);
  if (!delivery.done) {
    // The report must not outlive `delivery`: purging makes it come now.
    rd_kafka_purge(producer,
                   RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    while (!delivery.done) rd_kafka_poll(producer, 100);
    return absl::DeadlineExceededError(absl::StrCat(
        "no delivery to ", topic, " within ", absl::FormatDuration(timeout)));
  }
  if (delivery.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(absl::StrCat("delivery to ", topic), delivery.err);
  }
  return delivery.offset;
}

// Joins consumer group GROUP on TOPIC from the earliest offset and returns
// the first record's value, committing its offset; gives up after TIMEOUT.
inline absl::StatusOr<std::string> ConsumeOne(const std::string& bootstrap,
                                              const std::string& topic,
                                              const std::string& group,
                                              absl::Duration timeout) {
  absl::StatusOr<Client> consumer =
      NewClient(RD_KAFKA_CONSUMER, bootstrap,
                {{"group.id", group},
                 {"auto.offset.reset", "earliest"},
                 {"enable.auto.commit", "false"},
                 {"session.timeout.ms", "6000"},
                 {"heartbeat.interval.ms", "500"},
                 {"topic.metadata.refresh.interval.ms", "1000"}});
  if (!consumer.ok()) return consumer.status();
  rd_kafka_t* rk = consumer->get();
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("subscribe", err);

  absl::StatusOr<std::string> result = absl::DeadlineExceededError(
      absl::StrCat("group ", group, " read nothing from ", topic, " within ",
                   absl::FormatDuration(timeout)));
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    Message m(rd_kafka_consumer_poll(rk, 200));
    if (m == nullptr) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Transient while the group forms; kept for the message.
      result =
          KafkaError(absl::StrCat("group ", group, " polling ", topic), m->err);
      continue;
    }
    result = std::string(static_cast<const char*>(m->payload), m->len);
    err = rd_kafka_commit_message(rk, m.get(), /*async=*/0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) result = KafkaError("commit", err);
    break;
  }
  rd_kafka_consumer_close(rk);
  return result;
}

// A topic or group name no earlier run used, so tests can share a broker.
inline std::string UniqueName(const std::string& prefix) {
  return absl::StrCat(prefix, "-", getpid(), "-",
                      absl::ToUnixMicros(absl::Now()));
}

}  // namespace rdkafka_testing
}  // namespace brook

#endif  // BROOK_TESTS_KAFKA_RDKAFKA_TESTING_H_
