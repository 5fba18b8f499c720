// How a test against a real Kafka broker finds it. tools/kafka/broker runs
// the brokers; the CTest fixtures kafka_broker (one node) and kafka_cluster
// (three) start them, or reuse running ones (tests/CMakeLists.txt).
//
// One node: BROOK_KAFKA_BOOTSTRAP when set (a broker started by hand:
// `tools/dev kafka start` prints the line to export), else the file
// $BROOK_KAFKA_FIXTURE_DIR/bootstrap written by the fixture's start; ctest
// sets BROOK_KAFKA_FIXTURE_DIR on every test that requires the fixture.
// Three nodes: BROOK_KAFKA_CLUSTER_BOOTSTRAP and BROOK_KAFKA_CLUSTER_DIR
// when set, else $BROOK_KAFKA_CLUSTER_FIXTURE_DIR and the bootstrap file in it.
#ifndef BROOK_TESTS_KAFKA_BROKER_ENV_H_
#define BROOK_TESTS_KAFKA_BROKER_ENV_H_

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace brook {
namespace kafka_env_internal {

inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The bootstrap servers in DIR/bootstrap, written by `broker start`.
inline absl::StatusOr<std::string> ReadBootstrap(const std::string& dir,
                                                 const char* fixture) {
  std::string path = dir + "/bootstrap";
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no Kafka broker: ", path, " is missing, so the fixture ", fixture,
        " did not start one (see the output of ctest -R ", fixture, "_start)"));
  }
  return line;
}

}  // namespace kafka_env_internal

// The bootstrap servers ("host:port[,host:port...]") of the one-node test
// broker; kFailedPrecondition saying how to get one when there is none.
inline absl::StatusOr<std::string> KafkaBrokerBootstrap() {
  std::string bootstrap = kafka_env_internal::Env("BROOK_KAFKA_BOOTSTRAP");
  if (!bootstrap.empty()) return bootstrap;
  std::string dir = kafka_env_internal::Env("BROOK_KAFKA_FIXTURE_DIR");
  if (dir.empty()) {
    return absl::FailedPreconditionError(
        "no Kafka broker: run the test through ctest (ctest -L kafka starts "
        "one), or start one with tools/dev kafka start and export the "
        "BROOK_KAFKA_BOOTSTRAP it prints");
  }
  return kafka_env_internal::ReadBootstrap(dir, "kafka_broker");
}

// The run directory of the three-node cluster (the --dir of
// tools/kafka/broker), for KillKafkaNode and StartKafkaNode.
inline absl::StatusOr<std::string> KafkaClusterDir() {
  std::string dir = kafka_env_internal::Env("BROOK_KAFKA_CLUSTER_DIR");
  if (!dir.empty()) return dir;
  if (!kafka_env_internal::Env("BROOK_KAFKA_CLUSTER_BOOTSTRAP").empty()) {
    return absl::FailedPreconditionError(
        "BROOK_KAFKA_CLUSTER_BOOTSTRAP is set but BROOK_KAFKA_CLUSTER_DIR "
        "is not (tools/dev kafka start --nodes 3 prints both)");
  }
  dir = kafka_env_internal::Env("BROOK_KAFKA_CLUSTER_FIXTURE_DIR");
  if (dir.empty()) {
    return absl::FailedPreconditionError(
        "no Kafka cluster: run the test through ctest (ctest -L kafka "
        "starts one), or start one with tools/dev kafka start --nodes 3 and "
        "export the variables it prints");
  }
  return dir;
}

// The bootstrap servers of the three-node test cluster.
inline absl::StatusOr<std::string> KafkaClusterBootstrap() {
  std::string bootstrap =
      kafka_env_internal::Env("BROOK_KAFKA_CLUSTER_BOOTSTRAP");
  if (!bootstrap.empty()) return bootstrap;
  absl::StatusOr<std::string> dir = KafkaClusterDir();
  if (!dir.ok()) return dir.status();
  return kafka_env_internal::ReadBootstrap(*dir, "kafka_cluster");
}

namespace kafka_env_internal {

// Runs `tools/kafka/broker VERB NODE --dir <cluster dir>`; its messages go
// to the test's stderr.
inline absl::Status RunOnClusterNode(const char* verb, int node) {
  absl::StatusOr<std::string> dir = KafkaClusterDir();
  if (!dir.ok()) return dir.status();
  std::string command = absl::StrCat("'", BROOK_KAFKA_BROKER_SCRIPT, "' ", verb,
                                     " ", node, " --dir '", *dir, "'");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

}  // namespace kafka_env_internal

// SIGKILLs node NODE (1 to 3) of the cluster, as a crash would; returns once
// the process is gone. Leadership moves after its 3 s broker session.
inline absl::Status KillKafkaNode(int node) {
  return kafka_env_internal::RunOnClusterNode("kill-node", node);
}

// Restarts node NODE on its data; returns once it serves again.
inline absl::Status StartKafkaNode(int node) {
  return kafka_env_internal::RunOnClusterNode("start-node", node);
}

}  // namespace brook

#endif  // BROOK_TESTS_KAFKA_BROKER_ENV_H_
