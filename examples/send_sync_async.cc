// The three ways to send with a Kafka producer, and how each reports errors:
//  1. synchronous: wait on each record's SendFuture;
//  2. asynchronous: a SendCallback per record, called with the metadata or
//     the error;
//  3. fire-and-forget: ignore the result, then Flush() before relying on the
//     records being written.
//
//   send_sync_async [DATA_DIR]
//
// Without DATA_DIR it works in a fresh temporary directory and removes it at
// the end.
#include <stdlib.h>  // mkdtemp

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "brook/brook.h"
#include "example_main.h"

namespace {

constexpr char kTopic[] = "orders";
constexpr int32_t kPartitions = 3;

std::string Order(int id) {
  return absl::StrFormat(R"({"order":%d,"total":%d.50})", id, 10 + id);
}

// Slowest and simplest: each Get() waits out linger.ms and the write (an
// fsync with the default acks=all) before the next record is sent. Fine
// when records are rare or each must be durable before going on.
absl::Status SendSync(brook::Producer& producer) {
  absl::PrintF("1. synchronous sends:\n");
  for (int id = 1; id <= 3; ++id) {
    const std::string key = absl::StrCat("customer-", id);
    absl::StatusOr<brook::RecordMetadata> md =
        producer.Send({kTopic, key, Order(id)}).Get();
    if (!md.ok()) return md.status();
    absl::PrintF("   %s -> %s-%d offset %d\n", key, md->topic, md->partition,
                 md->offset);
  }
  return absl::OkStatus();
}

// Sends without waiting, so records are batched together, and learns each
// outcome from its callback. Callbacks run on the engine's appender thread
// (or, for an error Send finds at once, on the sending thread): keep them
// short and never block in them.
absl::Status SendAsync(brook::Producer& producer) {
  absl::PrintF("2. asynchronous sends with a callback:\n");
  absl::Mutex mu;  // Guards the counts and serializes the callbacks' output.
  int sent = 0;
  int completed = 0;
  int failed = 0;
  auto send = [&](brook::ProducerRecord record) {
    std::string what =
        absl::StrCat(record.key.value_or("(no key)"), " to ", record.topic);
    if (record.partition) absl::StrAppend(&what, "-", *record.partition);
    ++sent;
    producer.Send(std::move(record),
                  [&, what = std::move(what)](
                      const absl::StatusOr<brook::RecordMetadata>& md) {
                    absl::MutexLock lock(&mu);
                    ++completed;
                    if (md.ok()) {
                      absl::PrintF("   %s: written to partition %d offset %d\n",
                                   what, md->partition, md->offset);
                    } else {
                      ++failed;
                      absl::PrintF("   %s: failed, %s\n", what,
                                   example::Describe(md.status()));
                    }
                  });
  };
  for (int id = 4; id <= 7; ++id) {
    send({kTopic, absl::StrCat("customer-", id), Order(id)});
  }
  // Two sends that fail. As in Kafka, Send itself never fails: the error
  // goes to the callback (and the future). Here: a partition the topic does
  // not have, and a topic that does not exist (brook, unlike a default Kafka
  // broker, does not auto-create topics).
  brook::ProducerRecord bad_partition(kTopic, "customer-8", Order(8));
  bad_partition.partition = 7;
  send(std::move(bad_partition));
  send({"ordres", "customer-9", Order(9)});

  // Flush() sends what is still batched and waits for the writes. The
  // callbacks run on the appender thread, so also wait until each has
  // reported before reading the counts they keep.
  if (absl::Status s = producer.Flush(); !s.ok()) return s;
  absl::MutexLock lock(&mu);
  auto all_reported = [&] { return completed == sent; };
  mu.Await(absl::Condition(&all_reported));
  if (failed != 2) {
    return absl::InternalError(
        absl::StrCat("expected 2 failed sends, saw ", failed));
  }
  return absl::OkStatus();
}

// The fastest way to send, when the occasional lost error is acceptable:
// errors are reported only to a future nobody reads.
absl::Status SendAndForget(brook::Engine& engine, brook::Producer& producer) {
  absl::PrintF("3. fire-and-forget:\n");
  constexpr int kCount = 1000;
  for (int id = 100; id < 100 + kCount; ++id) {
    producer.Send({kTopic, absl::StrCat("customer-", id % 50), Order(id)});
  }
  // Until Flush() returns, the records may still be in the producer's
  // batches, invisible to consumers and lost if the process dies.
  if (absl::Status s = producer.Flush(); !s.ok()) return s;
  absl::StatusOr<brook::TopicDescription> topic =
      engine.admin().DescribeTopic(kTopic);
  if (!topic.ok()) return topic.status();
  absl::PrintF("   sent %d records, then Flush(); log end offsets now:",
               kCount);
  for (const brook::PartitionDescription& p : topic->partitions) {
    absl::PrintF(" %s-%d=%d", kTopic, p.partition, p.log_end_offset);
  }
  absl::PrintF("\n");
  return absl::OkStatus();
}

absl::Status Run(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<brook::Engine>> engine =
      brook::Engine::Open({}, dir);
  if (!engine.ok()) return engine.status();
  absl::Status created = (*engine)->admin().CreateTopic(kTopic, kPartitions);
  if (!created.ok() &&
      brook::GetErrorCode(created) != brook::ErrorCode::kTopicAlreadyExists) {
    return created;
  }

  // Settings by their Kafka names, as in a Java client's config. acks=all
  // (the default) completes a send once it is fsynced.
  absl::StatusOr<brook::ProducerOptions> options =
      brook::ProducerOptions::FromProperties({{"client.id", "order-service"},
                                              {"acks", "all"},
                                              {"linger.ms", "5"}});
  if (!options.ok()) return options.status();
  absl::StatusOr<std::unique_ptr<brook::Producer>> producer =
      (*engine)->CreateProducer(*options);
  if (!producer.ok()) return producer.status();

  if (absl::Status s = SendSync(**producer); !s.ok()) return s;
  if (absl::Status s = SendAsync(**producer); !s.ok()) return s;
  if (absl::Status s = SendAndForget(**engine, **producer); !s.ok()) return s;

  // Close() also delivers whatever is still pending.
  if (absl::Status s = (*producer)->Close(); !s.ok()) return s;
  return (*engine)->Close();
}

}  // namespace

int main(int argc, char** argv) {
  return example::RunInDataDir(argc, argv, "send_sync_async", Run);
}
