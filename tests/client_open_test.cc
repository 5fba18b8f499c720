// Tests of the backend-neutral root: Client::Open picks the backend from
// Kafka-style properties; the cluster-only keys that producer and consumer
// options keep for the Kafka backend; the error codes of a cluster.
#include <memory>
#include <string>

#include "brook/client.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "testing/temp_dir.h"

namespace brook {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

MATCHER_P2(ErrorWith, code, text, "") {
  return GetErrorCode(arg) == code &&
         std::string(arg.message()).find(text) != std::string::npos;
}

TEST(ClientOpenTest, DataDirectoryOpensTheEmbeddedEngine) {
  TempDir dir;
  auto client = Client::Open({{"brook.dir", dir.path() + "/data"},
                              {"num.partitions", "3"}});
  ASSERT_OK(client.status());
  EXPECT_EQ((*client)->backend(), Backend::kEmbedded);
  EXPECT_EQ(BackendName((*client)->backend()), "embedded");
  // The engine's own properties apply: num.partitions.
  ASSERT_OK((*client)->admin().CreateTopic("t", -1));
  auto d = (*client)->admin().DescribeTopic("t");
  ASSERT_OK(d.status());
  EXPECT_EQ(d->partitions.size(), 3u);
  // It is the embedded Engine, with its extras.
  EXPECT_NE(dynamic_cast<Engine*>(client->get()), nullptr);

  auto producer = (*client)->CreateProducer({});
  ASSERT_OK(producer.status());
  ASSERT_OK((*producer)->Send({"t", "k", "v"}).Get().status());
  ASSERT_OK((*client)->Close());
}

TEST(ClientOpenTest, InMemory) {
  auto client = Client::Open({{"brook.in.memory", "true"}});
  ASSERT_OK(client.status());
  ASSERT_OK((*client)->admin().CreateTopic("t", 1));
}

TEST(ClientOpenTest, NeitherOrBothBackendsIsInvalidConfig) {
  EXPECT_THAT(Client::Open({}).status(),
              ErrorWith(ErrorCode::kInvalidConfig, "no backend"));
  EXPECT_THAT(Client::Open({{"num.partitions", "3"}}).status(),
              ErrorWith(ErrorCode::kInvalidConfig, "no backend"));
  EXPECT_THAT(Client::Open({{"bootstrap.servers", "127.0.0.1:1"},
                            {"brook.dir", "x"}})
                  .status(),
              ErrorWith(ErrorCode::kInvalidConfig, "exclude"));
  EXPECT_THAT(Client::Open({{"brook.dir", ""}}).status(),
              ErrorWith(ErrorCode::kInvalidConfig, "brook.dir"));
  EXPECT_THAT(Client::Open({{"brook.in.memory", "maybe"}}).status(),
              StatusIs(ErrorCode::kInvalidConfig));
}

TEST(ClientOpenTest, EmbeddedRefusesUnknownKeys) {
  // A key meant for a cluster reaching the embedded engine's open is a
  // mistake in the configuration, not something to ignore.
  EXPECT_THAT(Client::Open({{"brook.in.memory", "true"},
                            {"security.protocol", "SSL"}})
                  .status(),
              ErrorWith(ErrorCode::kInvalidConfig, "security.protocol"));
}

TEST(ClusterPropertiesTest, ProducerKeepsWhatOnlyAClusterUses) {
  auto o = ProducerOptions::FromProperties(
      {{"bootstrap.servers", "k1:9092"},
       {"security.protocol", "SASL_SSL"},
       {"sasl.mechanism", "PLAIN"},
       {"retries", "7"},
       {"compression.zstd.level", "3"},
       {"acks", "1"}},
      UnknownKeys::kReject);
  ASSERT_OK(o.status());
  EXPECT_EQ(o->acks, Acks::kLeader);
  EXPECT_THAT(o->cluster,
              UnorderedElementsAre(Pair("bootstrap.servers", "k1:9092"),
                                   Pair("security.protocol", "SASL_SSL"),
                                   Pair("sasl.mechanism", "PLAIN"),
                                   Pair("retries", "7"),
                                   Pair("compression.zstd.level", "3")));
  // ToProperties round-trips them; the typed fields win over a cluster key
  // of the same name set by hand.
  ProducerOptions copy = *o;
  copy.cluster["acks"] = "0";
  Properties props = copy.ToProperties();
  EXPECT_EQ(props.at("retries"), "7");
  EXPECT_EQ(props.at("acks"), "1");
  auto again = ProducerOptions::FromProperties(o->ToProperties());
  ASSERT_OK(again.status());
  EXPECT_EQ(again->cluster, o->cluster);
}

TEST(ClusterPropertiesTest, ConsumerKeepsWhatOnlyAClusterUses) {
  auto o = ConsumerOptions::FromProperties(
      {{"bootstrap.servers", "k1:9092"},
       {"fetch.min.bytes", "1"},
       {"client.rack", "r1"},
       {"isolation.level", "read_committed"},
       {"group.id", "g"}},
      UnknownKeys::kReject);
  ASSERT_OK(o.status());
  EXPECT_EQ(o->group_id, "g");
  EXPECT_THAT(o->cluster,
              UnorderedElementsAre(Pair("bootstrap.servers", "k1:9092"),
                                   Pair("fetch.min.bytes", "1"),
                                   Pair("client.rack", "r1"),
                                   Pair("isolation.level", "read_committed")));
  // isolation.level is still checked.
  EXPECT_THAT(
      ConsumerOptions::FromProperties({{"isolation.level", "dirty"}}).status(),
      StatusIs(ErrorCode::kInvalidConfig));
}

TEST(ClusterErrorsTest, KafkaNumbersNamesAndRetriability) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kNotLeaderOrFollower), 6);
  EXPECT_EQ(static_cast<int>(ErrorCode::kNetworkException), 13);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotCoordinator), "NotCoordinator");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnsupported), "Unsupported");
  for (ErrorCode c :
       {ErrorCode::kLeaderNotAvailable, ErrorCode::kNotLeaderOrFollower,
        ErrorCode::kRequestTimedOut, ErrorCode::kNetworkException,
        ErrorCode::kCoordinatorLoadInProgress,
        ErrorCode::kCoordinatorNotAvailable, ErrorCode::kNotCoordinator,
        ErrorCode::kNotEnoughReplicas,
        ErrorCode::kNotEnoughReplicasAfterAppend}) {
    EXPECT_TRUE(IsRetriable(Error(c, "x"))) << ErrorCodeName(c);
  }
  for (ErrorCode c : {ErrorCode::kTopicAuthorizationFailed,
                      ErrorCode::kUnsupported, ErrorCode::kPolicyViolation,
                      ErrorCode::kInvalidReplicationFactor}) {
    EXPECT_FALSE(IsRetriable(Error(c, "x"))) << ErrorCodeName(c);
  }
  // A protocol number brook has no name for keeps its number.
  absl::Status s = Error(static_cast<ErrorCode>(77), "from the cluster");
  EXPECT_EQ(static_cast<int>(GetErrorCode(s)), 77);
  EXPECT_EQ(ErrorCodeName(GetErrorCode(s)), "KafkaError(77)");
  EXPECT_EQ(Error(ErrorCode::kUnsupported, "x").code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace brook
