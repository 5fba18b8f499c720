// Child process of crash_test: produces to topic "crash" of the data
// directory argv[1] with acks=1 until it is killed, writing one line
// "partition offset sequence" to stdout for every acknowledged record.
// Sequences start at argv[2] so every round's records are distinct.
// argv[3] is "async" (callbacks; records go through the appender thread) or
// "sync" (each send waited for; an idle producer writes on its own thread),
// or "topics": create and delete topics "ct<sequence>" (and send a record to
// each) until killed, writing "create NAME" or "delete NAME" for every
// acknowledged change (and "deleting NAME" before each deletion), also
// deleting topics earlier rounds created. "retention" produces as "async"
// does (batches of several records) to topic "ret" while a second thread
// moves its log starts (DeleteRecords a few records behind the end, often
// inside a batch, and CleanTopics for its retention.bytes), writing
// "start PARTITION OFFSET" for every acknowledged move. "compaction"
// produces as "sync" does (one record in flight) to the compacted topic
// "cmp", every tenth record a tombstone, while a second thread compacts it
// in a loop (CleanTopics).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "brook/brook.h"

int main(int argc, char** argv) {
  int64_t seq = 0;
  if (argc != 4 || !absl::SimpleAtoi(argv[2], &seq) ||
      (std::strcmp(argv[3], "async") != 0 &&
       std::strcmp(argv[3], "sync") != 0 &&
       std::strcmp(argv[3], "topics") != 0 &&
       std::strcmp(argv[3], "retention") != 0 &&
       std::strcmp(argv[3], "compaction") != 0)) {
    std::fprintf(stderr,
                 "usage: crash_child DIR FIRST_SEQUENCE "
                 "async|sync|topics|retention|compaction\n");
    return 2;
  }
  const bool sync = std::strcmp(argv[3], "sync") == 0 ||
                    std::strcmp(argv[3], "compaction") == 0;
  auto engine = brook::Engine::Open({}, argv[1]);
  if (!engine.ok()) {
    std::fprintf(stderr, "crash_child: %s\n",
                 engine.status().ToString().c_str());
    return 1;
  }
  auto say = [](const std::string& line) {
    // One short write per line: atomic on a pipe.
    if (write(STDOUT_FILENO, line.data(), line.size()) < 0) std::abort();
  };
  if (std::strcmp(argv[3], "topics") == 0) {
    auto producer = (*engine)->CreateProducer(brook::ProducerOptions{});
    if (!producer.ok()) return 1;
    // Topics of earlier rounds, which the open's synced-ends checkpoint
    // lists: deleting them too covers a kill between a deletion's record
    // removal and its column family's drop.
    auto listed = (*engine)->admin().ListTopics();
    std::vector<std::string> older = listed.ok() ? *listed
                                                 : std::vector<std::string>();
    auto remove = [&](const std::string& topic) {
      // Announced first: a kill may land after the deletion but before
      // its line.
      say(absl::StrCat("deleting ", topic, "\n"));
      if ((*engine)->admin().DeleteTopic(topic).ok()) {
        say(absl::StrCat("delete ", topic, "\n"));
      }
    };
    std::string previous;
    for (;; ++seq) {
      const std::string name = absl::StrCat("ct", seq);
      if ((*engine)->admin().CreateTopic(name, 2).ok()) {
        say(absl::StrCat("create ", name, "\n"));
        (*producer)->Send({name, "k", "v"}).Get().IgnoreError();
      }
      // Every other topic is deleted again, one step later, and one older
      // topic at every other step.
      if (!previous.empty()) remove(previous);
      if (seq % 2 == 1 && !older.empty()) {
        remove(older.back());
        older.pop_back();
      }
      previous = seq % 2 == 0 ? name : "";
    }
  }
  if (std::strcmp(argv[3], "retention") == 0) {
    std::thread mover([&] {
      brook::Admin& admin = (*engine)->admin();
      for (int32_t i = 0;; ++i) {
        auto d = admin.DescribeTopic("ret");
        if (!d.ok()) continue;
        const int32_t p = i % static_cast<int32_t>(d->partitions.size());
        const int64_t to = d->partitions[p].log_end_offset - 3;
        if (i % 3 == 0) {
          auto cleaned = admin.CleanTopics({"ret"});
          if (!cleaned.ok()) continue;
          for (const brook::CleanedPartition& c : *cleaned) {
            say(absl::StrCat("start ", c.partition, " ", c.log_start_offset,
                             "\n"));
          }
        } else if (to > d->partitions[p].log_start_offset) {
          auto low = admin.DeleteRecords({{{"ret", p}, to}});
          if (low.ok()) {
            say(absl::StrCat("start ", p, " ", low->begin()->second, "\n"));
          }
        }
      }
    });
    mover.detach();  // Runs until the kill.
  }
  const bool compaction = std::strcmp(argv[3], "compaction") == 0;
  if (compaction) {
    std::thread compactor([&] {
      for (;;) (*engine)->admin().CleanTopics({"cmp"}).IgnoreError();
    });
    compactor.detach();  // Runs until the kill.
  }
  const char* topic = std::strcmp(argv[3], "retention") == 0 ? "ret"
                      : compaction                          ? "cmp"
                                                            : "crash";
  brook::ProducerOptions options;
  options.acks = brook::Acks::kLeader;
  options.linger = absl::ZeroDuration();
  auto producer = (*engine)->CreateProducer(options);
  if (!producer.ok()) return 1;
  auto report = [](const absl::StatusOr<brook::RecordMetadata>& md,
                   int64_t seq) {
    if (!md.ok()) return;
    // One short write per line: atomic on a pipe.
    const std::string line =
        absl::StrCat(md->partition, " ", md->offset, " ", seq, "\n");
    if (write(STDOUT_FILENO, line.data(), line.size()) < 0) std::abort();
  };
  for (;; ++seq) {
    brook::Bytes value = absl::StrCat("seq-", seq);
    if (compaction && seq % 10 == 0) value.reset();  // A tombstone.
    brook::ProducerRecord record(topic, absl::StrCat("key-", seq % 97),
                                 std::move(value));
    if (sync) {
      report((*producer)->Send(std::move(record)).Get(), seq);
    } else {
      (*producer)->Send(
          std::move(record),
          [seq, &report](const absl::StatusOr<brook::RecordMetadata>& md) {
            report(md, seq);
          });
    }
  }
}
