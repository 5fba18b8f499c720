// Child of small_fs_test.sh: runs on a real, small filesystem mounted at
// argv[1] and checks what a full disk must do. It keeps a ballast file
// (64 MiB: freeing it leaves room to write a full memtable out),
// sends 16 KiB acks=all records until the disk is full, then checks that
// the refusal is a retriable KafkaStorageError, that every acknowledged
// record can still be read, and, once the ballast is deleted, that sends
// are accepted again by themselves and nothing acknowledged was lost.
// Prints one line per finding; exits 0 when all hold, 1 otherwise, and
// never aborts.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "brook/brook.h"

namespace {

int failures = 0;

void Check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

// Every value of t-0 from the start, or the error.
absl::StatusOr<std::vector<std::string>> ReadAll(brook::Engine& engine) {
  auto consumer = engine.CreateConsumer(brook::ConsumerOptions{});
  if (!consumer.ok()) return consumer.status();
  if (auto s = (*consumer)->Assign({{"t", 0}}); !s.ok()) return s;
  if (auto s = (*consumer)->SeekToBeginning({{"t", 0}}); !s.ok()) return s;
  std::vector<std::string> values;
  for (;;) {
    auto records = (*consumer)->Poll(absl::Milliseconds(100));
    if (!records.ok()) return records.status();
    if (records->empty()) return values;
    for (const auto& r : *records) values.push_back(r.value.value_or(""));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: small_fs_child MOUNTED_DIR\n");
    return 2;
  }
  const std::string root = argv[1];
  const std::string ballast = root + "/ballast";
  {
    std::ofstream out(ballast, std::ios::binary);
    const std::string mib(1 << 20, 'b');
    for (int i = 0; i < 64; ++i) out << mib;
  }
  const std::string dir = root + "/data";
  std::vector<std::string> acked;
  {
    auto engine = brook::Engine::Open(brook::EngineOptions{}, dir);
    if (!engine.ok()) {
      std::printf("FAILED: open: %s\n", engine.status().ToString().c_str());
      return 1;
    }
    Check((*engine)->admin().CreateTopic("t", 1).ok(), "topic created");
    brook::ProducerOptions po;
    po.linger = absl::ZeroDuration();
    auto producer = (*engine)->CreateProducer(po);
    if (!producer.ok()) return 1;
    const std::string pad(16 << 10, 'x');
    absl::Status refused;
    const absl::Time give_up = absl::Now() + absl::Seconds(120);
    for (int i = 0; refused.ok() && absl::Now() < give_up; ++i) {
      const std::string value = absl::StrCat(i, ":", pad);
      auto md = (*producer)->Send({"t", "k", value}).Get();
      if (md.ok()) {
        acked.push_back(value);
      } else {
        refused = md.status();
      }
    }
    Check(!refused.ok(), absl::StrCat("the disk filled after ", acked.size(),
                                      " records"));
    Check(brook::GetErrorCode(refused) == brook::ErrorCode::kKafkaStorageError &&
              brook::IsRetriable(refused),
          absl::StrCat("a full disk is a retriable KafkaStorageError: ",
                       refused.ToString()));
    auto read = ReadAll(**engine);
    Check(read.ok() && *read == acked,
          "every acknowledged record reads back while the disk is full");

    std::filesystem::remove(ballast);
    absl::Status accepted = refused;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!accepted.ok() && absl::Now() < deadline) {
      auto md = (*producer)->Send({"t", "k", "after"}).Get();
      accepted = md.status();
      if (md.ok()) {
        acked.push_back("after");
      } else {
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
    Check(accepted.ok(), absl::StrCat("sends are accepted again once space is "
                                      "freed: ",
                                      accepted.ToString()));
    (*producer)->Close().IgnoreError();
    (*engine)->Close().IgnoreError();  // May fail: the disk may be full again.
  }
  // Room for the reopen's recovery.
  auto engine = brook::Engine::Open(brook::EngineOptions{}, dir);
  Check(engine.ok(), absl::StrCat("reopens: ", engine.status().ToString()));
  if (engine.ok()) {
    auto read = ReadAll(**engine);
    Check(read.ok() && *read == acked,
          "after a reopen, every acknowledged record is there, in order");
  }
  return failures == 0 ? 0 : 1;
}
