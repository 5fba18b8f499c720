#include "kafka_workloads.h"

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "brook/client.h"
#include "brook/consumer.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "kafka_common.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

// Keeps the compiler from dropping the loops that touch consumed values.
std::atomic<uint64_t> g_sink{0};

}  // namespace

absl::StatusOr<std::vector<Metric>> RunKafkaProduce(const RunEnv& env,
                                                    Acks acks) {
  const Dataset& data = *env.data;
  const int64_t n = data.records();
  const bool all = acks == Acks::kAll;
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic = KafkaTopic::Create(
      env, absl::StrCat("kafka-produce-acks", all ? "all" : "1"));
  if (!topic.ok()) return topic.status();
  const std::string& name = (*topic)->name();
  ProducerOptions options;  // The defaults (linger.ms=5, ...) except acks.
  options.acks = acks;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*topic)->client().CreateProducer(options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  Producer* p = producer->get();
  // The producer's first metadata lookup happens here, untimed, as the
  // raw baseline's handle connects before its timed region.
  if (absl::StatusOr<int32_t> count = p->PartitionsFor(name); !count.ok()) {
    return Annotate(count.status(), "PartitionsFor");
  }

  FirstError errors;
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    // ProducerRecord owns its bytes: the copies are part of a Send's cost,
    // as in the embedded measurement.
    CheckImmediate(p->Send(ProducerRecord(name, std::string(data.key(i)),
                                          std::string(data.value(i)))),
                   &errors);
  }
  const absl::Status flushed = p->Flush();
  const double seconds = SecondsSince(start);
  const double cpu = CpuSeconds() - cpu_start;

  if (!flushed.ok()) return Annotate(flushed, "Flush");
  if (absl::Status s = errors.Get(); !s.ok()) return s;
  if (absl::Status s = Annotate(p->Close(), "Producer::Close"); !s.ok()) {
    return s;
  }
  if (absl::Status s = (*topic)->CheckStored(n); !s.ok()) return s;

  return RateAndCpuPerRecord(
      absl::StrFormat("kafka_produce_acks%s", all ? "all" : "1"),
      absl::StrFormat("Kafka backend: produce acks=%s, 1 thread", all ? "all" : "1"),
      n, seconds, cpu, data.record_bytes());
}

absl::StatusOr<std::vector<Metric>> RunKafkaConsume(const RunEnv& env) {
  const int64_t n = env.data->records();
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic =
      KafkaTopic::Create(env, "kafka-consume");
  if (!topic.ok()) return topic.status();
  if (absl::Status s = (*topic)->Fill(*env.data); !s.ok()) return s;
  const int partitions = (*topic)->partitions();

  ConsumerOptions options;
  options.group_id = (*topic)->group();
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.enable_auto_commit = false;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      (*topic)->client().CreateConsumer(options);
  if (!consumer.ok()) return Annotate(consumer.status(), "CreateConsumer");
  Consumer* c = consumer->get();
  const std::vector<TopicPartition> all = (*topic)->AllPartitions();
  if (absl::Status s = c->Assign(all); !s.ok()) return Annotate(s, "Assign");

  // Offsets must come back in order and without gaps, partition by
  // partition.
  std::vector<int64_t> next(partitions, 0);
  int64_t count = 0;
  uint64_t touched = 0;
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  Clock::time_point last_data = start;
  while (count < n) {
    absl::StatusOr<ConsumerRecords> records = c->PollRecords(absl::Seconds(1));
    if (!records.ok()) return Annotate(records.status(), "PollRecords");
    if (records->empty()) {
      if (SecondsSince(last_data) > kStallSeconds) {
        return absl::DeadlineExceededError(absl::StrCat(
            "consumer stalled: PollRecords returned nothing for ",
            kStallSeconds, "s after ", count, " of ", n, " records"));
      }
      continue;
    }
    last_data = Clock::now();
    for (const RecordView& r : *records) {
      if (r.partition < 0 || r.partition >= partitions ||
          r.offset != next[r.partition]) {
        return absl::InternalError(absl::StrCat(
            "PollRecords returned ", r.topic, "-", r.partition, " offset ",
            r.offset, "; expected offset ",
            r.partition >= 0 && r.partition < partitions ? next[r.partition]
                                                         : -1));
      }
      next[r.partition] = r.offset + 1;
      if (r.value && !r.value->empty()) {
        touched += r.value->size() + static_cast<unsigned char>((*r.value)[0]);
      }
      ++count;
    }
    if (absl::Status s = c->CommitSync(); !s.ok()) {
      return Annotate(s, "CommitSync");
    }
  }
  const double seconds = SecondsSince(start);
  const double cpu = CpuSeconds() - cpu_start;
  g_sink.fetch_add(touched, std::memory_order_relaxed);

  // Untimed: the commits landed.
  absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> committed =
      c->Committed(all);
  if (!committed.ok()) return Annotate(committed.status(), "Committed");
  for (const TopicPartition& tp : all) {
    auto it = committed->find(tp);
    const int64_t got = it == committed->end() ? -1 : it->second.offset;
    if (got != next[tp.partition]) {
      return absl::InternalError(
          absl::StrCat("committed offset of ", tp.ToString(), " is ", got,
                       ", expected ", next[tp.partition]));
    }
  }
  if (absl::Status s = Annotate(c->Close(), "Consumer::Close"); !s.ok()) {
    return s;
  }
  return RateAndCpuPerRecord("kafka_consume",
                             "Kafka backend: consume, PollRecords + CommitSync",
                             n, seconds, cpu, env.data->record_bytes());
}

absl::StatusOr<std::vector<Metric>> RunKafkaEndToEnd(const RunEnv& env) {
  absl::StatusOr<std::unique_ptr<KafkaTopic>> topic =
      KafkaTopic::Create(env, "kafka-e2e");
  if (!topic.ok()) return topic.status();
  const std::string& name = (*topic)->name();
  const int partitions = (*topic)->partitions();

  ProducerOptions producer_options;
  producer_options.acks = Acks::kLeader;
  producer_options.linger = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      (*topic)->client().CreateProducer(producer_options);
  if (!producer.ok()) return Annotate(producer.status(), "CreateProducer");
  if (absl::StatusOr<int32_t> count = (*producer)->PartitionsFor(name);
      !count.ok()) {
    return Annotate(count.status(), "PartitionsFor");
  }
  ConsumerOptions consumer_options;
  consumer_options.auto_offset_reset = OffsetReset::kEarliest;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      (*topic)->client().CreateConsumer(consumer_options);
  if (!consumer.ok()) return Annotate(consumer.status(), "CreateConsumer");
  if (absl::Status s = (*consumer)->Assign((*topic)->AllPartitions());
      !s.ok()) {
    return Annotate(s, "Assign");
  }

  return MeasureEndToEnd(env, **producer, **consumer, name, partitions,
                         kConsumerStart, "kafka_e2e", "Kafka backend: e2e");
}

}  // namespace bench
}  // namespace brook
