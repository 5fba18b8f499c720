// Tests of configuration keys the option structs do not know: as Kafka's
// clients, the engine, producer and consumer ignore them with a warning
// through the log handler (brook/log.h) and list them; UnknownKeys::kReject
// refuses them; topic configs stay strict, as Kafka's broker. Also the
// Kafka keys brook accepts without effect and those it refuses because
// ignoring them would change behaviour.
#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "brook/error.h"
#include "brook/log.h"
#include "brook/options.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Collects what brook logs while it lives; restores the default handler.
class CapturedLog {
 public:
  struct Line {
    LogLevel level;
    std::string message;
  };

  CapturedLog() {
    SetLogHandler([this](LogLevel level, absl::string_view message) {
      absl::MutexLock lock(&mu_);
      lines_.push_back({level, std::string(message)});
    });
  }
  ~CapturedLog() { SetLogHandler(nullptr); }

  std::vector<Line> lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Line> lines_ ABSL_GUARDED_BY(mu_);
};

template <typename Options>
void ExpectUnknownKeyIgnoredWarnedAndListed(const char* what) {
  SCOPED_TRACE(what);
  CapturedLog log;
  std::vector<std::string> unused = {"left over"};
  absl::StatusOr<Options> parsed = Options::FromProperties(
      {{"schema.registry.url", "http://registry:8081"},
       {"client.id", "billing"}},
      UnknownKeys::kWarn, &unused);
  ASSERT_OK(parsed);
  EXPECT_THAT(unused, ElementsAre("schema.registry.url"));
  std::vector<CapturedLog::Line> lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, LogLevel::kWarning);
  EXPECT_EQ(lines[0].message,
            absl::StrCat("The configuration 'schema.registry.url' was "
                         "supplied but isn't a known ",
                         what, " config."));
}

TEST(UnknownKeysTest, ClientsIgnoreAnUnknownKeyWithAWarningAndListIt) {
  ExpectUnknownKeyIgnoredWarnedAndListed<ProducerOptions>("producer");
  ExpectUnknownKeyIgnoredWarnedAndListed<ConsumerOptions>("consumer");
}

TEST(UnknownKeysTest, TheEngineIgnoresAnUnknownKeyWithAWarningAndListsIt) {
  CapturedLog log;
  std::vector<std::string> unused;
  auto o = EngineOptions::FromProperties(
      {{"log.dirs", "/var/lib/kafka"}, {"num.partitions", "3"}},
      UnknownKeys::kWarn, &unused);
  ASSERT_OK(o);
  EXPECT_EQ(o->default_partitions, 3);
  EXPECT_THAT(unused, ElementsAre("log.dirs"));
  ASSERT_EQ(log.lines().size(), 1u);
  EXPECT_THAT(log.lines()[0].message, HasSubstr("'log.dirs'"));
}

TEST(UnknownKeysTest, WarningIsTheDefaultAndKnownKeysStillApply) {
  CapturedLog log;
  auto o = ProducerOptions::FromProperties({{"linger.ms", "7"},
                                            {"linger.mss", "5"},
                                            {"my.app.batch", "x"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->linger, absl::Milliseconds(7));
  std::vector<CapturedLog::Line> lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);  // One line per key, in key order.
  EXPECT_THAT(lines[0].message, HasSubstr("'linger.mss'"));
  EXPECT_THAT(lines[1].message, HasSubstr("'my.app.batch'"));
}

TEST(UnknownKeysTest, StrictModeRefusesAnUnknownKeyNamingTheKnownOnes) {
  CapturedLog log;
  const Properties props = {{"enable.auto.comit", "true"}};
  ASSERT_OK(ConsumerOptions::FromProperties(props));
  std::vector<std::string> unused = {"left over"};
  auto strict =
      ConsumerOptions::FromProperties(props, UnknownKeys::kReject, &unused);
  EXPECT_THAT(strict, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(strict.status().message());
  EXPECT_THAT(message, HasSubstr("unknown consumer configuration "
                                 "\"enable.auto.comit\""));
  EXPECT_THAT(message, HasSubstr("known: "));
  EXPECT_THAT(message, HasSubstr("enable.auto.commit"));

  auto producer = ProducerOptions::FromProperties({{"linger.mss", "5"}},
                                                  UnknownKeys::kReject);
  EXPECT_THAT(producer, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(producer.status().message()),
              HasSubstr("\"linger.mss\""));
  auto engine = EngineOptions::FromProperties({{"log.dirs", "/tmp"}},
                                              UnknownKeys::kReject);
  EXPECT_THAT(engine, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("\"log.dirs\""));
  // Keys brook refuses are not offered as known ones.
  EXPECT_THAT(std::string(engine.status().message()),
              Not(HasSubstr("log.retention.hours")));
  // Only the lenient parse above warned.
  EXPECT_EQ(log.lines().size(), 1u);
}

TEST(UnknownKeysTest, TopicConfigsStayStrictWhileClientsAreLenient) {
  CapturedLog log;
  const Properties props = {{"retention.mss", "1000"}};
  // As Kafka's broker (InvalidConfigurationException "Unknown topic config
  // name"): a topic config is stored and would never be applied.
  auto topic = TopicConfig::FromProperties(props);
  EXPECT_THAT(topic, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(std::string(topic.status().message()),
              HasSubstr("\"retention.mss\""));
  EXPECT_OK(ProducerOptions::FromProperties(props));
  EXPECT_OK(ConsumerOptions::FromProperties(props));
  EXPECT_OK(EngineOptions::FromProperties(props));
}

TEST(UnknownKeysTest, ABadValueIsRefusedInBothModesWithoutWarnings) {
  CapturedLog log;
  for (UnknownKeys mode : {UnknownKeys::kWarn, UnknownKeys::kReject}) {
    std::vector<std::string> unused;
    // The unknown key sorts first, so a strict parser meets it first; the
    // lenient one passes it and then refuses the value.
    auto o = ProducerOptions::FromProperties(
        {{"aaa.application.key", "1"}, {"linger.ms", "-5"}}, mode, &unused);
    EXPECT_THAT(o, StatusIs(ErrorCode::kInvalidConfig));
    if (mode == UnknownKeys::kWarn) {
      EXPECT_THAT(std::string(o.status().message()),
                  HasSubstr("invalid value \"-5\" for configuration "
                            "linger.ms"));
    }
    auto c = ConsumerOptions::FromProperties({{"max.poll.records", "0"}},
                                             mode, &unused);
    EXPECT_THAT(c, StatusIs(ErrorCode::kInvalidConfig));
    EXPECT_THAT(std::string(c.status().message()),
                HasSubstr("invalid value \"0\" for configuration "
                          "max.poll.records"));
  }
  // A refused config logs nothing: its keys were never "supplied".
  EXPECT_THAT(log.lines().size(), 0u);
  // And the lenient parse did reach the value.
  auto o = ProducerOptions::FromProperties(
      {{"aaa.application.key", "1"}, {"linger.ms", "-5"}});
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("\"-5\""));
}

// Keys of Kafka's ProducerConfig / ConsumerConfig that only matter over a
// network: accepted without a warning and not listed as unused.
TEST(KafkaKeysTest, NetworkOnlyKeysAreIgnoredInProcessWithoutWarnings) {
  CapturedLog log;
  std::vector<std::string> unused = {"left over"};
  auto p = ProducerOptions::FromProperties(
      {{"bootstrap.servers", "kafka:9092"},
       {"compression.gzip.level", "9"},
       {"compression.lz4.level", "9"},
       {"compression.zstd.level", "3"},
       {"partitioner.adaptive.partitioning.enable", "false"},
       {"partitioner.availability.timeout.ms", "100"},
       {"transaction.timeout.ms", "60000"},
       {"request.timeout.ms", "30000"},
       {"retries", "5"},
       {"metadata.recovery.strategy", "rebootstrap"},
       {"security.protocol", "SASL_SSL"}},
      UnknownKeys::kReject, &unused);
  ASSERT_OK(p);
  EXPECT_THAT(unused, IsEmpty());
  auto c = ConsumerOptions::FromProperties(
      {{"bootstrap.servers", "kafka:9092"},
       {"fetch.min.bytes", "1024"},
       {"fetch.max.wait.ms", "100"},
       {"fetch.max.bytes", "52428800"},
       {"max.partition.fetch.bytes", "1048576"},
       {"client.rack", "eu-west-1a"},
       {"group.protocol", "classic"},
       {"group.remote.assignor", ""},
       {"request.timeout.ms", "30000"},
       {"default.api.timeout.ms", "60000"},
       {"enable.auto.commit", "false"}},
      UnknownKeys::kReject, &unused);
  ASSERT_OK(c);
  EXPECT_FALSE(c->enable_auto_commit);  // Implemented, not ignored.
  EXPECT_THAT(unused, IsEmpty());
  // Kafka compares group.protocol without regard to case.
  EXPECT_OK(ConsumerOptions::FromProperties({{"group.protocol", "CLASSIC"}}));
  auto e = EngineOptions::FromProperties(
      {{"log.segment.bytes", "1073741824"}, {"log.roll.hours", "168"}},
      UnknownKeys::kReject, &unused);
  ASSERT_OK(e);
  EXPECT_THAT(unused, IsEmpty());
  EXPECT_THAT(log.lines().size(), 0u);
}

// Expects `key` = `value` to be refused, in both modes, with a message
// naming the key and containing `why`.
template <typename Options>
void ExpectRefused(const std::string& key, const std::string& value,
                   const std::string& why) {
  for (UnknownKeys mode : {UnknownKeys::kWarn, UnknownKeys::kReject}) {
    absl::StatusOr<Options> o = Options::FromProperties({{key, value}}, mode);
    EXPECT_THAT(o, StatusIs(ErrorCode::kInvalidConfig)) << key;
    const std::string message(o.status().message());
    EXPECT_THAT(message, HasSubstr(absl::StrCat("for configuration ", key)));
    EXPECT_THAT(message, HasSubstr(why)) << key;
  }
}

TEST(KafkaKeysTest, KeysWhoseFeatureIsMissingAreRefused) {
  CapturedLog log;
  ExpectRefused<ProducerOptions>("transactional.id", "orders-tx",
                                 "transactions are not supported");
  // Kafka refuses an empty one too (NonEmptyString).
  ExpectRefused<ProducerOptions>("transactional.id", "",
                                 "transactions are not supported");
  ExpectRefused<ConsumerOptions>("group.protocol", "consumer",
                                 "(KIP-848) is not supported");
  ExpectRefused<ConsumerOptions>("group.protocol", "CONSUMER",
                                 "(KIP-848) is not supported");
  ExpectRefused<ConsumerOptions>("group.protocol", "modern",
                                 "allowed values are classic, consumer");
  ExpectRefused<ConsumerOptions>("group.remote.assignor", "uniform",
                                 "group.protocol=consumer (KIP-848)");
  // The broker's defaults for topic configs: brook sets them per topic.
  ExpectRefused<EngineOptions>("log.retention.hours", "24",
                               "set retention.ms in each topic's TopicConfig");
  ExpectRefused<EngineOptions>("log.cleanup.policy", "compact",
                               "set cleanup.policy in each topic's");
  ExpectRefused<EngineOptions>("message.max.bytes", "2000000",
                               "set max.message.bytes in each topic's");
  EXPECT_THAT(log.lines().size(), 0u);
}

TEST(LogHandlerTest, TheHandlerCanBeReplacedAndTheDefaultRestored) {
  std::vector<std::string> first, second;
  SetLogHandler([&](LogLevel, absl::string_view m) {
    first.emplace_back(m);
  });
  ASSERT_OK(ProducerOptions::FromProperties({{"one.key", "1"}}));
  SetLogHandler([&](LogLevel, absl::string_view m) {
    second.emplace_back(m);
  });
  ASSERT_OK(ProducerOptions::FromProperties({{"two.key", "2"}}));
  SetLogHandler(nullptr);
  EXPECT_EQ(first.size(), 1u);
  EXPECT_THAT(first[0], HasSubstr("'one.key'"));
  EXPECT_EQ(second.size(), 1u);
  EXPECT_THAT(second[0], HasSubstr("'two.key'"));

  // The default writes one line to stderr.
  ::testing::internal::CaptureStderr();
  ASSERT_OK(ConsumerOptions::FromProperties({{"three.key", "3"}}));
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "brook WARN: The configuration 'three.key' was supplied but "
            "isn't a known consumer config.\n");
  EXPECT_EQ(first.size(), 1u);
  EXPECT_EQ(second.size(), 1u);
}

TEST(LogHandlerTest, HandlersCanBeReplacedWhileOtherThreadsLog) {
  constexpr int kThreads = 4;
  constexpr int kParses = 200;
  std::atomic<int> handled{0};
  auto counting = [&](LogLevel level, absl::string_view message) {
    if (level == LogLevel::kWarning &&
        message.find("'thread.key'") != absl::string_view::npos) {
      handled.fetch_add(1);
    }
  };
  SetLogHandler(counting);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < kParses; ++i) {
        EXPECT_OK(ConsumerOptions::FromProperties({{"thread.key", "1"}}));
      }
    });
  }
  for (int i = 0; i < 100; ++i) SetLogHandler(counting);
  for (std::thread& t : threads) t.join();
  SetLogHandler(nullptr);
  // Every message reached exactly one of the (equivalent) handlers.
  EXPECT_EQ(handled.load(), kThreads * kParses);
}

}  // namespace
}  // namespace brook
