// Behaviours where brook once differed from Kafka's Java client, broker or
// tools, each checked against what Kafka does: argument checks of Poll and
// ProducerRecord, the producer's size bounds and delivery timeout default,
// offset metadata size, commits from outside an active group, group
// deletion, topic name collisions, the default partition count, and lag.

#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "brook/brook.h"
#include "brook/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "log/batch_format.h"
#include "testing/group_testing.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

using ::testing::HasSubstr;

class KafkaFidelityTest : public InMemoryEngineTest {
 protected:
  // A consumer of group "g" subscribed to `topic`, joined (one Poll).
  std::unique_ptr<Consumer> GroupMember(const std::string& topic) {
    ConsumerOptions o;
    o.group_id = "g";
    o.enable_auto_commit = false;
    std::unique_ptr<Consumer> c = NewConsumer(o);
    if (c == nullptr) return nullptr;
    EXPECT_OK(c->Subscribe({topic}));
    EXPECT_OK(c->Poll(absl::ZeroDuration()));
    return c;
  }

  // A consumer with group.id "g" that assigns `tp` itself.
  std::unique_ptr<Consumer> Standalone(const TopicPartition& tp) {
    ConsumerOptions o;
    o.group_id = "g";
    o.enable_auto_commit = false;
    std::unique_ptr<Consumer> c = NewConsumer(o);
    if (c != nullptr) {
      EXPECT_OK(c->Assign({tp}));
    }
    return c;
  }

  int64_t CommittedOf(const TopicPartition& tp) {
    auto offsets = engine_->admin().ListGroupOffsets("g");
    EXPECT_OK(offsets);
    if (!offsets.ok()) return -2;
    for (const GroupPartitionOffset& o : *offsets) {
      if (o.partition == tp) return o.committed_offset;
    }
    return -1;
  }
};

// Kafka's Timer refuses a negative timeout (IllegalArgumentException).
TEST_F(KafkaFidelityTest, PollRefusesANegativeTimeout) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  std::unique_ptr<Consumer> c = NewConsumer(ConsumerOptions());
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->Assign({TopicPartition("t", 0)}));
  EXPECT_THAT(c->Poll(absl::Milliseconds(-1)),
              StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_THAT(c->PollRecords(absl::Milliseconds(-1)),
              StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_OK(c->Poll(absl::ZeroDuration()));
}

// ProducerRecord refuses a timestamp before the epoch.
TEST_F(KafkaFidelityTest, SendRefusesANegativeTimestamp) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ProducerRecord r("t", std::string("v"));
  r.timestamp = absl::FromUnixMillis(-1);
  auto md = producer->Send(r).Get();
  EXPECT_THAT(md, StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_THAT(std::string(md.status().message()),
              HasSubstr("Invalid timestamp: -1"));
  r.timestamp = absl::FromUnixMillis(0);
  EXPECT_OK(producer->Send(r).Get());
  EXPECT_EQ(EndOffset("t", 0), 1);
}

// KafkaProducer.ensureValidRecordSize compares max.request.size with the
// record's upper bound in a batch of its own: 61 + 21 + key, value and
// headers with their length varints.
TEST_F(KafkaFidelityTest, MaxRequestSizeCountsKafkasBatchOverhead) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  // A 100-byte value, no key: 61 + 21 + 1 (null key) + 2 + 100 (the
  // value's zigzag varint length, its bytes) + 1 (no headers) = 186 bytes.
  EXPECT_EQ(KafkaBatchSizeUpperBound(std::nullopt, std::string(100, 'x'), {}),
            186u);
  ProducerOptions o = Immediate();
  o.max_request_size = 150;
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string(100, 'x'))).Get(),
              StatusIs(ErrorCode::kMessageTooLarge));
  o.max_request_size = 185;
  producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string(100, 'x'))).Get(),
              StatusIs(ErrorCode::kMessageTooLarge));
  o.max_request_size = 186;
  producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  EXPECT_OK(producer->Send(ProducerRecord("t", std::string(100, 'x'))).Get());

  // At the default 1 MiB: 61 + 21 + 1 + (3 + 1048500) + 1 > 1048576.
  auto defaults = NewProducer(Immediate());
  ASSERT_NE(defaults, nullptr);
  auto md =
      defaults->Send(ProducerRecord("t", std::string(1048500, 'x'))).Get();
  EXPECT_THAT(md, StatusIs(ErrorCode::kMessageTooLarge));
  EXPECT_THAT(std::string(md.status().message()),
              HasSubstr("max.request.size"));
  EXPECT_OK(
      defaults->Send(ProducerRecord("t", std::string(1048400, 'x'))).Get());
}

// Kafka's broker compares the batch (its 61-byte header included) with the
// topic's max.message.bytes.
TEST_F(KafkaFidelityTest, MaxMessageBytesCountsKafkasBatchHeader) {
  TopicConfig config;
  config.max_message_bytes = 200;
  ASSERT_OK(engine_->admin().CreateTopic("t", 1, config));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  // Record: length 2 + attributes, deltas 3 + null key 1 + value 2 + 130 +
  // headers 1 = 139 bytes; with 61 it is 200, the limit.
  EXPECT_OK(producer->Send(ProducerRecord("t", std::string(130, 'x'))).Get());
  EXPECT_THAT(producer->Send(ProducerRecord("t", std::string(131, 'x'))).Get(),
              StatusIs(ErrorCode::kMessageTooLarge));
}

// ProducerConfig.configureDeliveryTimeout: a delivery.timeout.ms left at
// its default follows a larger linger.ms instead of refusing the producer.
TEST_F(KafkaFidelityTest, LingerAloneRaisesTheDefaultDeliveryTimeout) {
  ProducerOptions o;
  o.linger = absl::Seconds(200);
  EXPECT_OK(engine_->CreateProducer(o));
  auto props = ProducerOptions::FromProperties({{"linger.ms", "200000"}});
  ASSERT_OK(props);
  EXPECT_OK(engine_->CreateProducer(*props));
  // An explicit, inconsistent pair is still refused.
  o.delivery_timeout = absl::Seconds(100);
  EXPECT_THAT(engine_->CreateProducer(o), StatusIs(ErrorCode::kInvalidConfig));
}

TEST_F(KafkaFidelityTest, LingerPastTheDefaultDeliveryTimeoutStillDelivers) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ProducerOptions o;
  o.acks = Acks::kLeader;
  o.linger = absl::Seconds(200);
  auto producer = NewProducer(o);
  ASSERT_NE(producer, nullptr);
  SendFuture f = producer->Send(ProducerRecord("t", std::string("v")));
  // Past the default 120 s and past the linger: written, not expired.
  clock_.Advance(absl::Seconds(201));
  EXPECT_OK(f.Get());
}

// offset.metadata.max.bytes (4096): the coordinator stores the other
// offsets of the commit and answers OFFSET_METADATA_TOO_LARGE for these.
TEST_F(KafkaFidelityTest, CommitRefusesMetadataOverTheLimit) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  std::unique_ptr<Consumer> c = Standalone(TopicPartition("t", 0));
  ASSERT_NE(c, nullptr);
  OffsetMap offsets;
  offsets[TopicPartition("t", 0)] =
      OffsetAndMetadata(0, std::string(4097, 'm'));
  offsets[TopicPartition("t", 1)] =
      OffsetAndMetadata(0, std::string(4096, 'm'));
  absl::Status s = c->CommitSync(offsets);
  EXPECT_THAT(s, StatusIs(ErrorCode::kOffsetMetadataTooLarge));
  EXPECT_THAT(std::string(s.message()), HasSubstr("t-0"));
  EXPECT_EQ(CommittedOf(TopicPartition("t", 0)), -1);
  EXPECT_EQ(CommittedOf(TopicPartition("t", 1)), 0);
}

TEST_F(KafkaFidelityTest, OffsetMetadataLimitIsAnEngineProperty) {
  auto o = EngineOptions::FromProperties({{"offset.metadata.max.bytes", "10"}});
  ASSERT_OK(o);
  EXPECT_EQ(o->offset_metadata_max_bytes, 10);
  EXPECT_EQ(o->ToProperties().at("offset.metadata.max.bytes"), "10");
  EXPECT_EQ(EngineOptions().offset_metadata_max_bytes, 4096);
  EXPECT_THAT(
      EngineOptions::FromProperties({{"offset.metadata.max.bytes", "-1"}}),
      StatusIs(ErrorCode::kInvalidConfig));
  OpenEngine(*o);
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  std::unique_ptr<Consumer> c = Standalone(TopicPartition("t", 0));
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(c->CommitSync({{TopicPartition("t", 0),
                              OffsetAndMetadata(0, std::string(11, 'm'))}}),
              StatusIs(ErrorCode::kOffsetMetadataTooLarge));
}

// A consumer using assign() commits without a generation: Kafka's
// coordinator accepts that only while the group is empty.
TEST_F(KafkaFidelityTest, StandaloneCommitIsRefusedWhileTheGroupHasMembers) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  const TopicPartition tp("t", 0);
  std::unique_ptr<Consumer> member = GroupMember("t");
  ASSERT_NE(member, nullptr);
  ASSERT_OK(member->CommitSync({{tp, OffsetAndMetadata(2)}}));
  std::unique_ptr<Consumer> outsider = Standalone(tp);
  ASSERT_NE(outsider, nullptr);
  EXPECT_THAT(outsider->CommitSync({{tp, OffsetAndMetadata(5)}}),
              StatusIs(ErrorCode::kCommitFailed));
  EXPECT_EQ(CommittedOf(tp), 2);
  // Once the group is empty, the same commit is accepted.
  ASSERT_OK(member->Close());
  EXPECT_OK(outsider->CommitSync({{tp, OffsetAndMetadata(5)}}));
  EXPECT_EQ(CommittedOf(tp), 5);
}

// DeleteGroups of an unknown group: GROUP_ID_NOT_FOUND.
TEST_F(KafkaFidelityTest, DeletingAGroupThatDoesNotExistFails) {
  EXPECT_THAT(engine_->admin().DeleteGroup("nobody"),
              StatusIs(ErrorCode::kGroupIdNotFound));
  EXPECT_EQ(ErrorCodeName(ErrorCode::kGroupIdNotFound), "GroupIdNotFound");
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  std::unique_ptr<Consumer> c = Standalone(TopicPartition("t", 0));
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->CommitSync({{TopicPartition("t", 0), OffsetAndMetadata(0)}}));
  EXPECT_OK(engine_->admin().DeleteGroup("g"));
  EXPECT_THAT(engine_->admin().DeleteGroup("g"),
              StatusIs(ErrorCode::kGroupIdNotFound));
}

// Kafka refuses a name that differs from an existing one only by '.'
// against '_' (their metric names would be the same).
TEST_F(KafkaFidelityTest, TopicNamesCollidingOnDotAndUnderscoreAreRefused) {
  Admin& admin = engine_->admin();
  ASSERT_OK(admin.CreateTopic("foo_bar", 1));
  absl::Status s = admin.CreateTopic("foo.bar", 1);
  EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidTopic));
  EXPECT_EQ(s.message(),
            "Topic 'foo.bar' collides with existing topic: foo_bar");
  ASSERT_OK(admin.CreateTopic("a.b_c", 1));
  EXPECT_THAT(admin.CreateTopic("a_b.c", 1),
              StatusIs(ErrorCode::kInvalidTopic));
  // Within one CreateTopics call too; unrelated names are fine.
  std::vector<absl::Status> both =
      admin.CreateTopics({NewTopic{"x.y", 1, {}}, NewTopic{"x_y", 1, {}},
                          NewTopic{"x-y", 1, {}}});
  EXPECT_OK(both[0]);
  EXPECT_THAT(both[1], StatusIs(ErrorCode::kInvalidTopic));
  EXPECT_OK(both[2]);
  // Deleting one frees the other name.
  ASSERT_OK(admin.DeleteTopic("foo_bar"));
  EXPECT_OK(admin.CreateTopic("foo.bar", 1));
}

// KIP-464: a partition count of -1 takes num.partitions.
TEST_F(KafkaFidelityTest, PartitionCountMinusOneTakesTheDefault) {
  EngineOptions o;
  o.default_partitions = 3;
  OpenEngine(o);
  ASSERT_OK(engine_->admin().CreateTopic("t", -1));
  auto d = engine_->admin().DescribeTopic("t");
  ASSERT_OK(d);
  EXPECT_EQ(d->partitions.size(), 3u);
  std::vector<absl::Status> created =
      engine_->admin().CreateTopics({NewTopic{"u", -1, {}}});
  EXPECT_OK(created[0]);
  EXPECT_EQ(engine_->admin().DescribeTopic("u")->partitions.size(), 3u);
  EXPECT_THAT(engine_->admin().CreateTopic("v", -2),
              StatusIs(ErrorCode::kInvalidPartitions));
  EXPECT_THAT(engine_->admin().CreateTopic("v", 0),
              StatusIs(ErrorCode::kInvalidPartitions));
}

// kafka-consumer-groups.sh prints log end - committed, unclamped.
TEST_F(KafkaFidelityTest, LagPastTheLogEndIsNegative) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  ASSERT_OK(producer->Send(ProducerRecord("t", std::string("v"))).Get());
  std::unique_ptr<Consumer> c = Standalone(TopicPartition("t", 0));
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->CommitSync({{TopicPartition("t", 0), OffsetAndMetadata(4)}}));
  auto offsets = engine_->admin().ListGroupOffsets("g");
  ASSERT_OK(offsets);
  ASSERT_EQ(offsets->size(), 1u);
  EXPECT_EQ((*offsets)[0].log_end_offset, 1);
  EXPECT_EQ((*offsets)[0].lag, -3);
}

TEST_F(KafkaFidelityTest, MembersHaveAHost) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  std::unique_ptr<Consumer> member = GroupMember("t");
  ASSERT_NE(member, nullptr);
  auto d = engine_->admin().DescribeGroup("g");
  ASSERT_OK(d);
  ASSERT_EQ(d->members.size(), 1u);
  EXPECT_EQ(d->members[0].host, "/localhost");
}

// Kafka's seek is not checked until a fetch: position() returns the target.
TEST_F(KafkaFidelityTest, SeekPastTheEndIsReturnedUntilAFetchResetsIt) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(producer->Send(ProducerRecord("t", std::to_string(i))).Get());
  }
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kEarliest;
  std::unique_ptr<Consumer> c = NewConsumer(o);
  ASSERT_NE(c, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(c->Assign({tp}));
  ASSERT_OK(c->Seek(tp, 1000));
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(1000));
  // The fetch finds it out of range: auto.offset.reset (earliest).
  auto records = c->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_EQ(records->size(), 10u);
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(10));

  o.auto_offset_reset = OffsetReset::kNone;
  std::unique_ptr<Consumer> strict = NewConsumer(o);
  ASSERT_NE(strict, nullptr);
  ASSERT_OK(strict->Assign({tp}));
  ASSERT_OK(strict->Seek(tp, 1000));
  EXPECT_THAT(strict->Position(tp), IsOkAndHolds(1000));
  EXPECT_THAT(strict->Poll(absl::ZeroDuration()),
              StatusIs(ErrorCode::kOffsetOutOfRange));
}

// seekToEnd / seekToBeginning "evaluate lazily": records appended before
// the position is asked for count.
TEST_F(KafkaFidelityTest, SeekToEndIsEvaluatedLazily) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  auto send = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(producer->Send(ProducerRecord("t", std::string("v"))).Get());
    }
  };
  send(5);
  std::unique_ptr<Consumer> c = NewConsumer(ConsumerOptions());
  ASSERT_NE(c, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(c->Assign({tp}));
  ASSERT_OK(c->SeekToEnd({tp}));
  send(3);
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(8));

  // SeekToBeginning after DeleteRecords moved the log start.
  ASSERT_OK(c->SeekToBeginning({}));
  ASSERT_OK(engine_->admin().DeleteRecords({{tp, 2}}));
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(2));

  // A pending reset is not committed as a position.
  ConsumerOptions grouped;
  grouped.group_id = "g";
  grouped.enable_auto_commit = false;
  std::unique_ptr<Consumer> g = NewConsumer(grouped);
  ASSERT_NE(g, nullptr);
  ASSERT_OK(g->Assign({tp}));
  ASSERT_OK(g->Seek(tp, 4));
  ASSERT_OK(g->SeekToEnd({tp}));
  ASSERT_OK(g->CommitSync());
  EXPECT_EQ(CommittedOf(tp), -1);
  send(1);
  auto records = g->Poll(absl::ZeroDuration());
  ASSERT_OK(records);
  EXPECT_TRUE(records->empty());
  EXPECT_THAT(g->Position(tp), IsOkAndHolds(9));
}

// wakeup() makes the next blocking call throw WakeupException, whichever
// it is.
TEST_F(KafkaFidelityTest, APendingWakeupIsRaisedByTheNextBlockingCall) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  ConsumerOptions o;
  o.group_id = "g";
  o.enable_auto_commit = false;
  std::unique_ptr<Consumer> c = NewConsumer(o);
  ASSERT_NE(c, nullptr);
  const TopicPartition tp("t", 0);
  ASSERT_OK(c->Assign({tp}));
  const OffsetMap offsets = {{tp, OffsetAndMetadata(0)}};

  c->Wakeup();
  EXPECT_THAT(c->CommitSync(offsets), StatusIs(ErrorCode::kWakeup));
  EXPECT_OK(c->CommitSync(offsets));  // Raised once.
  EXPECT_EQ(CommittedOf(tp), 0);

  c->Wakeup();
  EXPECT_THAT(c->Committed({tp}), StatusIs(ErrorCode::kWakeup));
  EXPECT_OK(c->Committed({tp}));

  c->Wakeup();
  EXPECT_THAT(c->EndOffsets({tp}), StatusIs(ErrorCode::kWakeup));
  c->Wakeup();
  EXPECT_THAT(c->BeginningOffsets({tp}), StatusIs(ErrorCode::kWakeup));
  c->Wakeup();
  EXPECT_THAT(c->OffsetsForTimes({{tp, absl::UnixEpoch()}}),
              StatusIs(ErrorCode::kWakeup));

  // Position blocks only when it must look the position up.
  ASSERT_OK(c->SeekToBeginning({tp}));
  c->Wakeup();
  EXPECT_THAT(c->Position(tp), StatusIs(ErrorCode::kWakeup));
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(0));
  c->Wakeup();
  EXPECT_THAT(c->Position(tp), IsOkAndHolds(0));  // Known: no wait.
  EXPECT_THAT(c->Poll(absl::ZeroDuration()), StatusIs(ErrorCode::kWakeup));

  // Nothing to commit: nothing to wait for, as Kafka's commitSync({}).
  c->Wakeup();
  EXPECT_OK(c->CommitSync(OffsetMap()));
  EXPECT_THAT(c->Poll(absl::ZeroDuration()), StatusIs(ErrorCode::kWakeup));
}

// KafkaConsumer.offsetsForTimes.
TEST_F(KafkaFidelityTest, OffsetsForTimesFindsTheFirstRecordAtOrAfter) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  auto producer = NewProducer(Immediate());
  ASSERT_NE(producer, nullptr);
  const TopicPartition tp0("t", 0), tp1("t", 1);
  for (int64_t ms : {1000, 2000, 2000, 3000, 1500}) {
    ProducerRecord r("t", std::string("v"));
    r.partition = 0;
    r.timestamp = absl::FromUnixMillis(ms);
    ASSERT_OK(producer->Send(r).Get());
  }
  std::unique_ptr<Consumer> c = NewConsumer(ConsumerOptions());
  ASSERT_NE(c, nullptr);
  // Not assigned: offsetsForTimes needs no assignment.
  auto found = c->OffsetsForTimes({{tp0, absl::FromUnixMillis(1800)},
                                   {tp1, absl::FromUnixMillis(0)}});
  ASSERT_OK(found);
  ASSERT_EQ(found->size(), 2u);
  ASSERT_TRUE(found->at(tp0).has_value());
  EXPECT_EQ(found->at(tp0)->offset, 1);
  EXPECT_EQ(found->at(tp0)->timestamp, absl::FromUnixMillis(2000));
  EXPECT_FALSE(found->at(tp1).has_value());  // Empty partition: null.
  auto late = c->OffsetsForTimes({{tp0, absl::FromUnixMillis(3001)}});
  ASSERT_OK(late);
  EXPECT_FALSE(late->at(tp0).has_value());
  auto exact = c->OffsetsForTimes({{tp0, absl::FromUnixMillis(3000)}});
  ASSERT_OK(exact);
  EXPECT_EQ(exact->at(tp0)->offset, 3);
  // Below the log start: the first record still there.
  ASSERT_OK(engine_->admin().DeleteRecords({{tp0, 2}}));
  auto after_delete = c->OffsetsForTimes({{tp0, absl::FromUnixMillis(0)}});
  ASSERT_OK(after_delete);
  EXPECT_EQ(after_delete->at(tp0)->offset, 2);

  EXPECT_THAT(c->OffsetsForTimes({{tp0, absl::FromUnixMillis(-1)}}),
              StatusIs(ErrorCode::kInvalidRequest));
  EXPECT_THAT(c->OffsetsForTimes({{TopicPartition("t", 2), absl::Now()}}),
              StatusIs(ErrorCode::kUnknownTopicOrPartition));
}

// A live group can hit the sticky assignors' empty-subscription case: a
// member whose pattern matches nothing joins with no topics.
TEST_F(KafkaFidelityTest, APatternMatchingNothingGetsNoPartitionsFromSticky) {
  ASSERT_OK(engine_->admin().CreateTopic("t2", 5));
  for (const char* strategy : {"sticky", "cooperative-sticky"}) {
    ConsumerOptions o;
    o.group_id = std::string("g-") + strategy;
    o.enable_auto_commit = false;
    o.assignment_strategies = {strategy};
    std::unique_ptr<Consumer> none = NewConsumer(o);
    std::unique_ptr<Consumer> some = NewConsumer(o);
    ASSERT_NE(none, nullptr);
    ASSERT_NE(some, nullptr);
    ASSERT_OK(none->SubscribePattern("nomatch.*"));
    ASSERT_OK(some->Subscribe({"t2"}));
    for (int round = 0; round < 6; ++round) {
      ASSERT_OK(none->Poll(absl::ZeroDuration()));
      ASSERT_OK(some->Poll(absl::ZeroDuration()));
    }
    EXPECT_THAT(none->Assignment(), IsOkAndHolds(::testing::IsEmpty()))
        << strategy;
    EXPECT_THAT(some->Assignment(), IsOkAndHolds(::testing::SizeIs(5)))
        << strategy;
  }
}

// ConsumerConfig's default client.id: "consumer-<group.id>-<N>", the
// instance id for a static member.
TEST_F(KafkaFidelityTest, DefaultClientIdsAreKafkas) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  std::unique_ptr<Consumer> no_group = NewConsumer(ConsumerOptions());
  ASSERT_NE(no_group, nullptr);
  std::unique_ptr<Consumer> member = GroupMember("t");
  ASSERT_NE(member, nullptr);
  ConsumerOptions o;
  o.group_id = "g";
  o.group_instance_id = "inst";
  std::unique_ptr<Consumer> fixed = NewConsumer(o);
  ASSERT_NE(fixed, nullptr);
  ASSERT_OK(fixed->Subscribe({"t"}));
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(member->Poll(absl::ZeroDuration()));
    ASSERT_OK(fixed->Poll(absl::ZeroDuration()));
  }
  auto d = engine_->admin().DescribeGroup("g");
  ASSERT_OK(d);
  std::vector<std::string> client_ids;
  for (const MemberDescription& m : d->members) {
    client_ids.push_back(m.client_id);
  }
  // The group-less consumer took number 1.
  EXPECT_THAT(client_ids, ::testing::UnorderedElementsAre("consumer-g-2",
                                                         "consumer-g-inst"));
  // Member ids: client.id (instance id when static), "-", a Kafka Uuid.
  for (const MemberDescription& m : d->members) {
    if (m.group_instance_id.empty()) {
      EXPECT_THAT(m.member_id,
                  ::testing::MatchesRegex(
                      "consumer-g-2-[A-Za-z0-9_][A-Za-z0-9_-]{21}"));
    } else {
      EXPECT_THAT(m.member_id, ::testing::MatchesRegex(
                                   "inst-[A-Za-z0-9_][A-Za-z0-9_-]{21}"));
    }
  }
}

// The first thing a Kafka user porting a test hits: Send(...).Get() with the
// default linger.ms on a ManualClock. It fails, saying why, instead of
// hanging; a clock advanced by another thread still completes it.
TEST_F(KafkaFidelityTest, GetOnALingeringRecordOfAStillManualClockFails) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 1));
  auto producer = NewProducer(ProducerOptions());  // linger.ms=5
  ASSERT_NE(producer, nullptr);
  const absl::Time start = absl::Now();
  auto md = producer->Send(ProducerRecord("t", std::string("v"))).Get();
  EXPECT_THAT(md, StatusIs(ErrorCode::kIllegalState));
  EXPECT_THAT(std::string(md.status().message()), HasSubstr("linger.ms"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  // The record is not lost: advancing the clock writes it.
  clock_.Advance(absl::Milliseconds(5));
  ASSERT_OK(producer->Flush());
  EXPECT_EQ(EndOffset("t", 0), 1);

  SendFuture f = producer->Send(ProducerRecord("t", std::string("w")));
  std::thread advancer([this] {
    absl::SleepFor(absl::Milliseconds(300));
    clock_.Advance(absl::Milliseconds(5));
  });
  EXPECT_OK(f.Get());
  advancer.join();

  auto for_tests = NewProducer(testing::ProducerOptionsForTests());
  ASSERT_NE(for_tests, nullptr);
  EXPECT_OK(for_tests->Send(ProducerRecord("t", std::string("x"))).Get());
  EXPECT_EQ(EndOffset("t", 0), 3);
}

// Records the listener calls into a vector the test keeps.
class EventListener : public ConsumerRebalanceListener {
 public:
  explicit EventListener(std::shared_ptr<std::vector<std::string>> events)
      : events_(std::move(events)) {}
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override {
    events_->push_back("revoked:" + std::to_string(p.size()));
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    events_->push_back("assigned:" + std::to_string(p.size()));
  }

 private:
  std::shared_ptr<std::vector<std::string>> events_;
};

TEST_F(KafkaFidelityTest, ASharedListenerLivesAsLongAsItsConsumerNeedsIt) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  ConsumerOptions o;
  o.group_id = "g";
  std::unique_ptr<Consumer> c = NewConsumer(o);
  ASSERT_NE(c, nullptr);
  auto events = std::make_shared<std::vector<std::string>>();
  // nullptr still picks the pointer overload: existing calls compile.
  ASSERT_OK(c->Subscribe({"t"}, nullptr));
  ASSERT_OK(c->Subscribe({"t"}, std::make_shared<EventListener>(events)));
  ASSERT_OK(c->Poll(absl::ZeroDuration()));
  c.reset();  // The destructor leaves the group: the listener is told.
  EXPECT_THAT(*events, ::testing::ElementsAre("assigned:2", "revoked:2"));
}

// A listener destroyed before its consumer is never called: the consumer
// logs an error (release builds) or aborts (debug builds) instead of a
// use-after-free.
TEST_F(KafkaFidelityTest, AListenerDestroyedTooEarlyIsNotCalled) {
  ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  ConsumerOptions o;
  o.group_id = "g";
  auto events = std::make_shared<std::vector<std::string>>();
  auto run = [&] {
    std::unique_ptr<Consumer> c = NewConsumer(o);
    auto listener = std::make_unique<EventListener>(events);
    ASSERT_OK(c->Subscribe({"t"}, listener.get()));
    ASSERT_OK(c->Poll(absl::ZeroDuration()));
    listener.reset();
    ASSERT_OK(c->Close());
  };
#ifdef NDEBUG
  std::vector<std::string> logged;
  SetLogHandler([&](LogLevel level, absl::string_view message) {
    if (level == LogLevel::kError) logged.emplace_back(message);
  });
  run();
  SetLogHandler(nullptr);
  EXPECT_THAT(*events, ::testing::ElementsAre("assigned:2"));
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_THAT(logged[0], HasSubstr("destroyed"));
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // The engine has threads.
  EXPECT_DEATH(run(), "destroyed");
#endif
}

}  // namespace
}  // namespace brook
