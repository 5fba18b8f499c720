// Child process of crash_test: produces to topic "crash" of the data
// directory argv[1] with acks=1 until it is killed, writing one line
// "partition offset sequence" to stdout for every acknowledged record.
// Sequences start at argv[2] so every round's records are distinct.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "brook/brook.h"

int main(int argc, char** argv) {
  int64_t seq = 0;
  if (argc != 3 || !absl::SimpleAtoi(argv[2], &seq)) {
    std::fprintf(stderr, "usage: crash_child DIR FIRST_SEQUENCE\n");
    return 2;
  }
  auto engine = brook::Engine::Open({}, argv[1]);
  if (!engine.ok()) {
    std::fprintf(stderr, "crash_child: %s\n",
                 engine.status().ToString().c_str());
    return 1;
  }
  brook::ProducerOptions options;
  options.acks = brook::Acks::kLeader;
  options.linger = absl::ZeroDuration();
  auto producer = (*engine)->CreateProducer(options);
  if (!producer.ok()) return 1;
  for (;; ++seq) {
    const std::string value = absl::StrCat("seq-", seq);
    brook::ProducerRecord record("crash", absl::StrCat("key-", seq % 97),
                                 value);
    (*producer)->Send(std::move(record),
                      [seq](const absl::StatusOr<brook::RecordMetadata>& md) {
                        if (!md.ok()) return;
                        // One short write per line: atomic on a pipe.
                        const std::string line = absl::StrCat(
                            md->partition, " ", md->offset, " ", seq, "\n");
                        if (write(STDOUT_FILENO, line.data(), line.size()) < 0)
                          std::abort();
                      });
  }
}
