// What the Kafka measurements share, brook's Kafka backend and the raw
// librdkafka baselines alike: a fresh topic per run on the broker of
// --bootstrap-server (created and deleted through brook's Admin, untimed),
// filling and checking it, the paced sender of the latency test, and the
// latency metrics. The set-up is the same for both, so that only the timed
// part differs.
#ifndef BROOK_BENCH_KAFKA_COMMON_H_
#define BROOK_BENCH_KAFKA_COMMON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench_util.h"
#include "brook/client.h"

namespace brook {
namespace bench {

// A client of the Kafka backend on --bootstrap-server.
absl::StatusOr<std::unique_ptr<Client>> OpenKafkaClient(const Config& config);

// A topic of its own for one run of one measurement, with the configured
// partitions (replication factor 1), and a consumer group name of its own.
// Deletes both when destroyed (errors ignored: the broker is the user's).
class KafkaTopic {
 public:
  // Creates "brook-bench-<measurement>-<pid>-<n>" and waits until the
  // broker describes all its partitions.
  static absl::StatusOr<std::unique_ptr<KafkaTopic>> Create(
      const RunEnv& env, absl::string_view measurement);
  ~KafkaTopic();
  KafkaTopic(const KafkaTopic&) = delete;
  KafkaTopic& operator=(const KafkaTopic&) = delete;

  const std::string& name() const { return name_; }
  const std::string& group() const { return group_; }
  const std::string& bootstrap() const { return bootstrap_; }
  int partitions() const { return partitions_; }
  Client& client() { return *client_; }
  std::vector<TopicPartition> AllPartitions() const;

  // Checks that the topic holds exactly `expected` records (the sum of its
  // partitions' end offsets minus start offsets).
  absl::Status CheckStored(int64_t expected);

  // Sends every record of `data` through an acks=1 producer of the Kafka
  // backend and checks they are all stored (untimed set-up).
  absl::Status Fill(const Dataset& data);

 private:
  KafkaTopic(std::unique_ptr<Client> client, std::string name,
             std::string bootstrap, int partitions);

  std::unique_ptr<Client> client_;
  const std::string name_;
  const std::string group_;
  const std::string bootstrap_;
  const int partitions_;
};

// How long the latency test's consumer gets, once polling, before the
// first send: a librdkafka consumer looks up its start offsets and begins
// fetching asynchronously, and the first records would otherwise measure
// that start rather than the steady state.
inline constexpr absl::Duration kConsumerStart = absl::Seconds(1);

// A throughput metric ("records/s" of `records` over `seconds`) and this
// process's CPU time over the same region per record ("<id>_cpu"). The
// broker runs in a process of its own, so the CPU figure is the client's
// share alone, which a busy broker hides from the throughput figures (it
// sets the pace for both sides).
std::vector<Metric> RateAndCpuPerRecord(std::string id, std::string label,
                                        int64_t records, double seconds,
                                        double cpu_seconds,
                                        int64_t record_bytes);

}  // namespace bench
}  // namespace brook

#endif  // BROOK_BENCH_KAFKA_COMMON_H_
