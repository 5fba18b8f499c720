// Tests of Consumer::PollRecords: the same records as Poll (nulls, headers,
// timestamps), views that stay valid after later polls, a move, Close, a
// topic deletion and the engine's Close, and positions that advance as
// Poll's do.
#include "brook/consumer_records.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "brook/consumer.h"
#include "brook/engine.h"
#include "brook/error.h"
#include "brook/producer.h"
#include "gtest/gtest.h"
#include "testing/producer_testing.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

ConsumerOptions Earliest(int max_poll_records = 500) {
  ConsumerOptions o;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.enable_auto_commit = false;
  o.max_poll_records = max_poll_records;
  return o;
}

// Record i of the test data: every third has a null key, every fifth a null
// value, every other one headers (one with a null value).
ProducerRecord Make(const std::string& topic, int32_t partition, int i) {
  ProducerRecord r;
  r.topic = topic;
  r.partition = partition;
  if (i % 3 != 0) r.key = absl::StrCat("key-", i, "-long-enough-to-allocate");
  if (i % 5 != 0) r.value = absl::StrCat("value-", i, std::string(100, 'v'));
  if (i % 2 == 0) {
    r.headers = {Header{"h1", std::string("a") + std::to_string(i)},
                 Header{"h2", std::nullopt}};
  }
  r.timestamp = absl::FromUnixMillis(1'000'000 + i);
  return r;
}

bool SameRecord(const RecordView& v, const ConsumerRecord& r) {
  if (v.topic != r.topic || v.partition != r.partition ||
      v.offset != r.offset || v.timestamp != r.timestamp ||
      v.timestamp_type != r.timestamp_type ||
      v.key.has_value() != r.key.has_value() ||
      v.value.has_value() != r.value.has_value() ||
      v.headers.size() != r.headers.size()) {
    return false;
  }
  if (v.key && *v.key != *r.key) return false;
  if (v.value && *v.value != *r.value) return false;
  for (size_t i = 0; i < v.headers.size(); ++i) {
    const HeaderView& h = v.headers[i];
    const Header& o = r.headers[i];
    if (h.key != o.key || h.value.has_value() != o.value.has_value() ||
        (h.value && *h.value != *o.value)) {
      return false;
    }
  }
  return true;
}

class ConsumerRecordsTest : public InMemoryEngineTest {
 protected:
  void SetUp() override {
    InMemoryEngineTest::SetUp();
    ASSERT_OK(engine_->admin().CreateTopic("t", 2));
  }

  // Sends `n` records of Make() to each of t-0 and t-1.
  void Fill(int n) {
    std::unique_ptr<Producer> producer = NewProducer(Immediate());
    ASSERT_NE(producer, nullptr);
    for (int i = 0; i < n; ++i) {
      for (int32_t p = 0; p < 2; ++p) producer->Send(Make("t", p, i));
    }
    ASSERT_OK(producer->Flush());
  }

  // A consumer assigned t-0 and t-1.
  std::unique_ptr<Consumer> NewAssigned(const ConsumerOptions& options) {
    std::unique_ptr<Consumer> consumer = NewConsumer(options);
    if (consumer != nullptr) {
      EXPECT_OK(consumer->Assign({{"t", 0}, {"t", 1}}));
    }
    return consumer;
  }
};

TEST_F(ConsumerRecordsTest, SameRecordsAsPoll) {
  Fill(300);
  std::unique_ptr<Consumer> owned = NewAssigned(Earliest(70));
  std::unique_ptr<Consumer> borrowed = NewAssigned(Earliest(70));
  int total = 0;
  for (;;) {
    auto a = owned->Poll(absl::ZeroDuration());
    auto b = borrowed->PollRecords(absl::ZeroDuration());
    ASSERT_OK(a);
    ASSERT_OK(b);
    ASSERT_EQ(a->size(), b->size());
    if (a->empty()) break;
    for (size_t i = 0; i < a->size(); ++i) {
      ASSERT_TRUE(SameRecord((*b)[i], (*a)[i]))
          << "record " << i << ": " << (*a)[i].topic << "-" << (*a)[i].partition
          << "@" << (*a)[i].offset;
    }
    total += static_cast<int>(a->size());
  }
  EXPECT_EQ(total, 600);
  for (int32_t p = 0; p < 2; ++p) {
    auto pos = borrowed->Position({"t", p});
    ASSERT_OK(pos);
    EXPECT_EQ(*pos, 300);
  }
}

TEST_F(ConsumerRecordsTest, ViewsHoldTheirValuesAndNullsAndHeaders) {
  Fill(4);
  std::unique_ptr<Consumer> c = NewAssigned(Earliest());
  auto records = c->PollRecords(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 8u);
  for (const RecordView& r : *records) {
    const int i = static_cast<int>(r.offset);
    const ProducerRecord sent = Make("t", r.partition, i);
    EXPECT_EQ(r.topic, "t");
    EXPECT_EQ(r.timestamp, *sent.timestamp);
    EXPECT_EQ(r.key.has_value(), sent.key.has_value()) << i;
    if (r.key) {
      EXPECT_EQ(*r.key, *sent.key);
    }
    EXPECT_EQ(r.value.has_value(), sent.value.has_value()) << i;
    if (r.value) {
      EXPECT_EQ(*r.value, *sent.value);
    }
    EXPECT_EQ(r.serialized_key_size(),
              sent.key ? static_cast<int32_t>(sent.key->size()) : -1);
    EXPECT_EQ(r.serialized_value_size(),
              sent.value ? static_cast<int32_t>(sent.value->size()) : -1);
    ASSERT_EQ(r.headers.size(), sent.headers.size()) << i;
    for (size_t h = 0; h < r.headers.size(); ++h) {
      EXPECT_EQ(r.headers[h].key, sent.headers[h].key);
      EXPECT_EQ(r.headers[h].value.has_value(),
                sent.headers[h].value.has_value());
      if (r.headers[h].value) {
        EXPECT_EQ(*r.headers[h].value, *sent.headers[h].value);
      }
    }
    const ConsumerRecord copy = r.ToRecord();
    EXPECT_TRUE(SameRecord(r, copy));
  }
}

// Copies of a poll's keys and values, to compare against later.
std::vector<std::optional<std::string>> Values(const ConsumerRecords& rs) {
  std::vector<std::optional<std::string>> out;
  for (const RecordView& r : rs) {
    out.push_back(r.value ? std::optional<std::string>(std::string(*r.value))
                          : std::nullopt);
  }
  return out;
}

TEST_F(ConsumerRecordsTest, ViewsOutliveLaterPollsSeeksAndAMove) {
  Fill(8000);  // More than one fetch (1 MiB) per partition.
  std::unique_ptr<Consumer> c = NewAssigned(Earliest(100));
  auto first = c->PollRecords(absl::ZeroDuration());
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 100u);
  const std::vector<std::optional<std::string>> expected = Values(*first);
  // Read on well past the fetched data, and seek away, so that the
  // consumer drops the batches the first poll points into.
  for (;;) {
    auto more = c->PollRecords(absl::ZeroDuration());
    ASSERT_OK(more);
    if (more->empty()) break;
  }
  ASSERT_OK(c->Seek({"t", 0}, 1500));
  ASSERT_OK(c->PollRecords(absl::ZeroDuration()));
  ConsumerRecords moved = *std::move(first);
  EXPECT_EQ(Values(moved), expected);
  EXPECT_EQ(moved.ToRecords().size(), 100u);
}

TEST_F(ConsumerRecordsTest, ViewsOutliveTheConsumerTheTopicAndTheEngine) {
  Fill(10);
  std::unique_ptr<Consumer> c = NewAssigned(Earliest());
  auto records = c->PollRecords(absl::ZeroDuration());
  ASSERT_OK(records);
  ASSERT_EQ(records->size(), 20u);
  const std::vector<std::optional<std::string>> expected = Values(*records);
  ASSERT_OK(c->Close());
  c.reset();
  ASSERT_OK(engine_->admin().DeleteTopic("t"));
  ASSERT_OK(engine_->Close());
  engine_.reset();
  EXPECT_EQ(Values(*records), expected);
  for (const RecordView& r : *records) EXPECT_EQ(r.topic, "t");
}

TEST_F(ConsumerRecordsTest, EmptyPollAndErrorsAsPoll) {
  std::unique_ptr<Consumer> c = NewAssigned(Earliest());
  auto none = c->PollRecords(absl::ZeroDuration());
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(none->size(), 0u);
  c->Wakeup();
  EXPECT_EQ(GetErrorCode(c->PollRecords(absl::Seconds(1)).status()),
            ErrorCode::kWakeup);
  auto unassigned = engine_->CreateConsumer(Earliest());
  ASSERT_OK(unassigned);
  EXPECT_EQ(
      GetErrorCode((*unassigned)->PollRecords(absl::ZeroDuration()).status()),
      ErrorCode::kIllegalState);
}

TEST(ConsumerRecordsTypeTest, BackendsBuildOneFromViewsAndOwners) {
  auto bytes = std::make_shared<const std::string>("k1v1");
  const absl::string_view all(*bytes);
  std::vector<HeaderView> headers = {
      HeaderView{all.substr(0, 1), std::nullopt}};
  std::vector<RecordView> records(1);
  records[0].topic = all.substr(0, 1);
  records[0].key = all.substr(0, 2);
  records[0].value = all.substr(2, 2);
  records[0].headers = absl::MakeConstSpan(headers.data(), 1);
  ConsumerRecords rs(std::move(records), std::move(headers), {bytes});
  bytes.reset();  // The ConsumerRecords owns the bytes now.
  ASSERT_EQ(rs.size(), 1u);
  const std::vector<ConsumerRecord> copies = rs.ToRecords();
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].key, "k1");
  EXPECT_EQ(copies[0].value, "v1");
  ASSERT_EQ(copies[0].headers.size(), 1u);
  EXPECT_EQ(copies[0].headers[0].key, "k");
  EXPECT_EQ(copies[0].headers[0].value, std::nullopt);
}

}  // namespace
}  // namespace brook
