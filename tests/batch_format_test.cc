// Tests of the record batch format (lib/log/batch_format.h): round trips of
// every field, sizes, LogAppendTime rewriting, and malformed input, which
// must give an error and never crash or read out of bounds.
#include "log/batch_format.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "brook/error.h"
#include "brook/record.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"
#include "util/coding.h"

namespace brook {
namespace {

struct TestRecord {
  int64_t timestamp_ms;
  Bytes key;
  Bytes value;
  std::vector<Header> headers;
};

std::string Build(const std::vector<TestRecord>& records) {
  BatchBuilder builder;
  for (const TestRecord& r : records) {
    builder.Add(r.timestamp_ms, r.key, r.value, r.headers);
  }
  return builder.Finish();
}

// Decodes the next record of `reader` into an owning copy.
absl::Status ReadRecord(BatchReader& reader, int64_t base,
                        ConsumerRecord* out) {
  RecordView view;
  std::vector<HeaderView> headers;
  absl::Status s = reader.ReadView(base, &view, &headers);
  if (!s.ok()) return s;
  view.headers = headers;
  *out = view.ToRecord();
  return absl::OkStatus();
}

// Decodes every record of `batch` with base offset `base`.
absl::Status ReadAllRecords(absl::string_view batch, int64_t base,
                            std::vector<ConsumerRecord>* out) {
  BatchReader reader;
  absl::Status s = reader.Init(batch);
  if (!s.ok()) return s;
  while (!reader.done()) {
    ConsumerRecord r;
    s = ReadRecord(reader, base, &r);
    if (!s.ok()) return s;
    out->push_back(std::move(r));
  }
  return absl::OkStatus();
}

std::vector<TestRecord> Sample() {
  const int64_t t0 = 1767225600000;
  return {
      {t0, std::string("key"), std::string("value"), {}},
      {t0 + 5, std::nullopt, std::nullopt, {}},
      {t0 + 1, std::string(), std::string(), {}},  // Earlier than the previous.
      {t0 + 1000,
       std::string("k\0ey", 4),
       std::string("\xff\x00\x01", 3),
       {Header{"h1", std::string("v1")}, Header{"null", std::nullopt},
        Header{"", std::string()}, Header{"h1", std::string("again")}}},
      {t0 - 86400000,
       std::nullopt,
       std::string(300, 'x'),
       {Header{"only", std::nullopt}}},
      {t0, std::string(200, 'k'), std::nullopt, {}},
  };
}

TEST(BatchFormatTest, RoundTripsEveryField) {
  const std::vector<TestRecord> in = Sample();
  const std::string batch = Build(in);
  EXPECT_EQ(BatchOffsetSpan(batch), static_cast<int32_t>(in.size()));
  std::vector<ConsumerRecord> out;
  ASSERT_OK(ReadAllRecords(batch, 1000, &out));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("record ", i));
    EXPECT_EQ(out[i].offset, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(out[i].timestamp, absl::FromUnixMillis(in[i].timestamp_ms));
    EXPECT_EQ(out[i].timestamp_type, TimestampType::kCreateTime);
    EXPECT_EQ(out[i].key, in[i].key);
    EXPECT_EQ(out[i].value, in[i].value);
    EXPECT_EQ(out[i].headers, in[i].headers);
  }
  // Null and empty stay distinct.
  EXPECT_FALSE(out[1].key.has_value());
  EXPECT_FALSE(out[1].value.has_value());
  ASSERT_TRUE(out[2].key.has_value());
  EXPECT_TRUE(out[2].key->empty());
  ASSERT_TRUE(out[2].value.has_value());
  EXPECT_TRUE(out[2].value->empty());
  EXPECT_FALSE(out[3].headers[1].value.has_value());
  ASSERT_TRUE(out[3].headers[2].value.has_value());
}

TEST(BatchFormatTest, BaseOffsetZeroAndLarge) {
  const std::string batch = Build(Sample());
  for (int64_t base : {int64_t{0}, int64_t{1} << 40}) {
    std::vector<ConsumerRecord> out;
    ASSERT_OK(ReadAllRecords(batch, base, &out));
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].offset, base + static_cast<int64_t>(i));
    }
  }
}

TEST(BatchFormatTest, HeaderLayout) {
  const std::vector<TestRecord> in = Sample();
  const std::string batch = Build(in);
  ASSERT_GE(batch.size(), kBatchHeaderSize);
  EXPECT_EQ(static_cast<uint8_t>(batch[0]), kBatchMagic);
  EXPECT_EQ(batch[1] & kLogAppendTimeAttribute, 0);
  EXPECT_EQ(DecodeFixed32BE(batch.data() + 2), in.size());
  // First timestamp, then the maximum one.
  EXPECT_EQ(static_cast<int64_t>(DecodeFixed64BE(batch.data() + 6)),
            in[0].timestamp_ms);
  EXPECT_EQ(static_cast<int64_t>(DecodeFixed64BE(batch.data() + 14)),
            in[3].timestamp_ms);
  // No producer id / epoch / sequence.
  EXPECT_EQ(static_cast<int64_t>(DecodeFixed64BE(batch.data() + 22)), -1);
  EXPECT_EQ(static_cast<uint8_t>(batch[30]), 0xff);
  EXPECT_EQ(static_cast<uint8_t>(batch[31]), 0xff);
  EXPECT_EQ(static_cast<int32_t>(DecodeFixed32BE(batch.data() + 32)), -1);
}

TEST(BatchFormatTest, EncodedRecordSizeMatchesWhatTheBuilderWrites) {
  BatchBuilder builder;
  EXPECT_EQ(builder.size_bytes(), kBatchHeaderSize);
  EXPECT_EQ(builder.count(), 0);
  int64_t first_ts = 0;
  int32_t delta = 0;
  for (const TestRecord& r : Sample()) {
    if (delta == 0) first_ts = r.timestamp_ms;
    const size_t before = builder.size_bytes();
    builder.Add(r.timestamp_ms, r.key, r.value, r.headers);
    EXPECT_EQ(builder.size_bytes() - before,
              EncodedRecordSize(r.timestamp_ms, first_ts, delta, r.key, r.value,
                                r.headers))
        << "record " << delta;
    ++delta;
    EXPECT_EQ(builder.count(), delta);
    EXPECT_EQ(builder.first_timestamp_ms(), first_ts);
  }
  // Finish writes the header in place: no size change.
  const size_t size = builder.size_bytes();
  EXPECT_EQ(builder.Finish().size(), size);
}

TEST(BatchFormatTest, EmptyBatch) {
  BatchBuilder builder;
  const std::string batch = builder.Finish();
  EXPECT_EQ(batch.size(), kBatchHeaderSize);
  EXPECT_EQ(BatchOffsetSpan(batch), 0);
  BatchReader reader;
  ASSERT_OK(reader.Init(batch));
  EXPECT_EQ(reader.span(), 0);
  EXPECT_TRUE(reader.done());
}

TEST(BatchFormatTest, SkipThenRead) {
  const std::vector<TestRecord> in = Sample();
  const std::string batch = Build(in);
  BatchReader reader;
  ASSERT_OK(reader.Init(batch));
  EXPECT_EQ(reader.span(), static_cast<int32_t>(in.size()));
  EXPECT_EQ(reader.next_delta(), 0);
  ASSERT_OK(reader.Skip());
  ASSERT_OK(reader.Skip());
  ASSERT_OK(reader.Skip());
  EXPECT_EQ(reader.next_delta(), 3);
  ConsumerRecord r;
  ASSERT_OK(ReadRecord(reader, 50, &r));
  EXPECT_EQ(r.offset, 53);
  EXPECT_EQ(r.key, in[3].key);
  EXPECT_EQ(r.headers, in[3].headers);
  EXPECT_EQ(r.timestamp, absl::FromUnixMillis(in[3].timestamp_ms));
  ASSERT_OK(reader.Skip());
  ASSERT_OK(ReadRecord(reader, 50, &r));
  EXPECT_EQ(r.offset, 55);
  EXPECT_TRUE(reader.done());
}

TEST(BatchFormatTest, ACompactedBatchKeepsItsSpanAndRecordOffsets) {
  const std::vector<TestRecord> in = Sample();
  const std::string batch = Build(in);
  // Keep records 1 and 3 of the sample, byte for byte.
  std::vector<std::string> kept_bytes;
  BatchReader reader;
  ASSERT_OK(reader.Init(batch));
  for (int i = 0; !reader.done(); ++i) {
    ASSERT_OK(reader.Skip());
    if (i == 1 || i == 3) kept_bytes.emplace_back(reader.last_record());
  }
  const std::vector<absl::string_view> kept(kept_bytes.begin(),
                                            kept_bytes.end());
  for (const int64_t horizon : {int64_t{-1}, int64_t{1234}}) {
    const std::string compacted = EncodeCompactedBatch(batch, kept, horizon);
    EXPECT_EQ(BatchOffsetSpan(compacted), static_cast<int32_t>(in.size()));
    EXPECT_EQ(BatchMaxTimestamp(compacted), BatchMaxTimestamp(batch));
    ASSERT_OK(reader.Init(compacted));
    EXPECT_TRUE(reader.compacted());
    EXPECT_EQ(reader.delete_horizon_ms(), horizon);
    EXPECT_EQ(reader.span(), static_cast<int32_t>(in.size()));
    EXPECT_EQ(reader.next_delta(), 1);
    ConsumerRecord r;
    ASSERT_OK(ReadRecord(reader, 100, &r));
    EXPECT_EQ(r.offset, 101);
    EXPECT_EQ(r.key, in[1].key);
    EXPECT_EQ(r.timestamp, absl::FromUnixMillis(in[1].timestamp_ms));
    EXPECT_EQ(reader.next_delta(), 3);
    ASSERT_OK(reader.Skip());
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(reader.next_delta(), reader.span());
  }
  // Nothing kept: an empty batch that still spans its offsets.
  const std::string empty = EncodeCompactedBatch(batch, {}, -1);
  ASSERT_OK(reader.Init(empty));
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.span(), static_cast<int32_t>(in.size()));
}

TEST(BatchFormatTest, ReadIntoRecordWithStaleFieldsOverwritesThem) {
  const std::string batch = Build({{1, std::nullopt, std::nullopt, {}}});
  ConsumerRecord r;
  r.key = "stale key";
  r.value = "stale value";
  r.headers = {Header{"stale", std::string("h")}};
  r.timestamp_type = TimestampType::kLogAppendTime;
  BatchReader reader;
  ASSERT_OK(reader.Init(batch));
  ASSERT_OK(ReadRecord(reader, 0, &r));
  EXPECT_FALSE(r.key.has_value());
  EXPECT_FALSE(r.value.has_value());
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.timestamp_type, TimestampType::kCreateTime);
}

TEST(BatchFormatTest, LargeRecordsAndManyRecords) {
  std::vector<TestRecord> in;
  in.push_back({1, std::string(70000, 'k'), std::string(1 << 20, 'v'), {}});
  for (int i = 0; i < 1000; ++i) {
    in.push_back({1 + i,
                  absl::StrCat(i),
                  absl::StrCat("value-", i),
                  {Header{"i", absl::StrCat(i)}}});
  }
  const std::string batch = Build(in);
  std::vector<ConsumerRecord> out;
  ASSERT_OK(ReadAllRecords(batch, 0, &out));
  ASSERT_EQ(out.size(), in.size());
  EXPECT_EQ(out[0].key->size(), 70000u);
  EXPECT_EQ(out[0].value->size(), 1u << 20);
  for (size_t i = 1; i < in.size(); ++i) {
    ASSERT_EQ(out[i].value, in[i].value);
    ASSERT_EQ(out[i].headers, in[i].headers);
    ASSERT_EQ(out[i].offset, static_cast<int64_t>(i));
  }
}

TEST(BatchFormatTest, ExtremeTimestamps) {
  const std::vector<TestRecord> in = {
      {0, std::nullopt, std::string("epoch"), {}},
      {4102444800000, std::nullopt, std::string("2100"), {}},  // Big delta.
      {-1, std::nullopt, std::string("no timestamp"), {}},     // Kafka's -1.
  };
  std::vector<ConsumerRecord> out;
  ASSERT_OK(ReadAllRecords(Build(in), 0, &out));
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].timestamp, absl::FromUnixMillis(in[i].timestamp_ms)) << i;
  }
}

TEST(BatchFormatTest, SetLogAppendTimeRewritesEveryTimestamp) {
  const std::vector<TestRecord> in = Sample();
  std::string batch = Build(in);
  const int64_t append_ms = 1800000000123;
  SetLogAppendTime(&batch, append_ms);
  EXPECT_NE(batch[1] & kLogAppendTimeAttribute, 0);
  EXPECT_EQ(BatchOffsetSpan(batch), static_cast<int32_t>(in.size()));
  std::vector<ConsumerRecord> out;
  ASSERT_OK(ReadAllRecords(batch, 7, &out));
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("record ", i));
    EXPECT_EQ(out[i].timestamp, absl::FromUnixMillis(append_ms));
    EXPECT_EQ(out[i].timestamp_type, TimestampType::kLogAppendTime);
    // Everything else is unchanged.
    EXPECT_EQ(out[i].offset, 7 + static_cast<int64_t>(i));
    EXPECT_EQ(out[i].key, in[i].key);
    EXPECT_EQ(out[i].value, in[i].value);
    EXPECT_EQ(out[i].headers, in[i].headers);
  }
}

// --- Malformed input --------------------------------------------------------

void ExpectDataLoss(const absl::Status& s, const std::string& context) {
  EXPECT_FALSE(s.ok()) << context;
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << context << ": " << s;
}

TEST(BatchFormatTest, ShortOrWrongHeaderIsDataLoss) {
  BatchReader reader;
  ExpectDataLoss(reader.Init(""), "empty");
  ExpectDataLoss(reader.Init(std::string(kBatchHeaderSize - 1, '\x02')),
                 "short");
  std::string batch = Build(Sample());
  batch[0] = 1;  // Old magic.
  ExpectDataLoss(reader.Init(batch), "magic 1");
  batch[0] = static_cast<char>(0xff);
  ExpectDataLoss(reader.Init(batch), "magic 255");
  EXPECT_EQ(BatchOffsetSpan(batch), 0);
  EXPECT_EQ(BatchOffsetSpan(""), 0);
  EXPECT_EQ(BatchOffsetSpan("\x02"), 0);
}

TEST(BatchFormatTest, NegativeRecordCountIsDataLoss) {
  std::string batch = Build(Sample());
  EncodeFixed32BE(batch.data() + 2, 0x80000000u);
  BatchReader reader;
  ExpectDataLoss(reader.Init(batch), "count 2^31");
}

TEST(BatchFormatTest, EveryTruncationFailsToReadAllRecords) {
  const std::string batch = Build(Sample());
  for (size_t len = 0; len < batch.size(); ++len) {
    const std::string cut = batch.substr(0, len);
    std::vector<ConsumerRecord> out;
    absl::Status s = ReadAllRecords(cut, 0, &out);
    ExpectDataLoss(s, absl::StrCat("truncated to ", len, " of ", batch.size()));
  }
}

TEST(BatchFormatTest, CountLargerThanRecordsIsDataLoss) {
  std::string batch = Build(Sample());
  EncodeFixed32BE(batch.data() + 2, 1000);
  std::vector<ConsumerRecord> out;
  ExpectDataLoss(ReadAllRecords(batch, 0, &out), "count 1000");
  EXPECT_EQ(out.size(), Sample().size());
  // Skipping runs out the same way.
  BatchReader reader;
  ASSERT_OK(reader.Init(batch));
  absl::Status s;
  for (int i = 0; i < 1000 && s.ok(); ++i) s = reader.Skip();
  ExpectDataLoss(s, "skip past the end");
}

// A batch with one hand-written record body.
std::string OneRecordBatch(const std::string& body) {
  BatchBuilder builder;
  std::string batch = builder.Finish();
  EncodeFixed32BE(batch.data() + 2, 1);
  PutVarint32(&batch, static_cast<int32_t>(body.size()));
  batch += body;
  return batch;
}

TEST(BatchFormatTest, MalformedRecordFieldsAreDataLoss) {
  struct Case {
    std::string name;
    std::string body;
  };
  std::vector<Case> cases;
  auto prefix = [] {
    std::string b;
    b.push_back(0);      // attributes
    PutVarint64(&b, 0);  // timestamp delta
    PutVarint32(&b, 0);  // offset delta
    return b;
  };
  {
    std::string b = prefix();
    PutVarint32(&b, -2);  // key length below -1
    cases.push_back({"key length -2", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, 50);  // key longer than the record
    b += "abc";
    cases.push_back({"key overruns", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, -1);
    PutVarint32(&b, 1000);  // value longer than the record
    cases.push_back({"value overruns", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, -1);
    PutVarint32(&b, -1);
    PutVarint32(&b, -3);  // negative header count
    cases.push_back({"negative header count", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, -1);
    PutVarint32(&b, -1);
    PutVarint32(&b, 5);  // five headers, none present
    cases.push_back({"missing headers", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, -1);
    PutVarint32(&b, -1);
    PutVarint32(&b, 1);
    PutVarint32(&b, -1);  // header key length -1 (keys are never null)
    cases.push_back({"null header key", b});
  }
  {
    std::string b = prefix();
    PutVarint32(&b, -1);
    PutVarint32(&b, -1);
    PutVarint32(&b, 1);
    PutVarint32(&b, 1);
    b += "k";
    PutVarint32(&b, 99);  // header value overruns
    cases.push_back({"header value overruns", b});
  }
  {
    std::string b;
    b.push_back(0);
    b.append(11, static_cast<char>(0xff));  // a varint that never ends
    cases.push_back({"endless varint", b});
  }
  for (const Case& c : cases) {
    std::vector<ConsumerRecord> out;
    ExpectDataLoss(ReadAllRecords(OneRecordBatch(c.body), 0, &out), c.name);
    // ReadView leaves the caller's header list as it was.
    const std::string batch = OneRecordBatch(c.body);
    BatchReader reader;
    ASSERT_OK(reader.Init(batch));
    RecordView view;
    std::vector<HeaderView> headers = {HeaderView{"earlier", std::nullopt}};
    EXPECT_FALSE(reader.ReadView(0, &view, &headers).ok()) << c.name;
    EXPECT_EQ(headers.size(), 1u) << c.name;
  }
  // Zero-length record and a record length past the end.
  {
    BatchBuilder builder;
    std::string batch = builder.Finish();
    EncodeFixed32BE(batch.data() + 2, 1);
    PutVarint32(&batch, 0);
    std::vector<ConsumerRecord> out;
    ExpectDataLoss(ReadAllRecords(batch, 0, &out), "zero-length record");
  }
  {
    BatchBuilder builder;
    std::string batch = builder.Finish();
    EncodeFixed32BE(batch.data() + 2, 1);
    PutVarint32(&batch, -5);
    std::vector<ConsumerRecord> out;
    ExpectDataLoss(ReadAllRecords(batch, 0, &out), "negative record length");
    BatchReader reader;
    ASSERT_OK(reader.Init(batch));
    ExpectDataLoss(reader.Skip(), "skip negative record length");
  }
}

// Random corruption must never crash or read out of bounds (run under ASan
// in CI); whatever decodes is a well-formed record.
TEST(BatchFormatTest, RandomCorruptionNeverCrashes) {
  const std::string good = Build(Sample());
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  std::uniform_int_distribution<size_t> pos(kBatchHeaderSize, good.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string batch = good;
    const int flips = 1 + trial % 4;
    for (int i = 0; i < flips; ++i)
      batch[pos(rng)] = static_cast<char>(byte(rng));
    if (trial % 3 == 0) batch.resize(pos(rng));
    std::vector<ConsumerRecord> out;
    absl::Status s = ReadAllRecords(batch, 0, &out);
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    }
    EXPECT_LE(out.size(), Sample().size());
  }
}

// A damaged key or record can make base offset + delta overflow: DataLoss,
// not undefined behaviour (found by fuzz/batch_decoder_fuzzer.cc).
TEST(BatchFormatTest, OverflowingOffsetIsDataLoss) {
  const std::string batch = Build(Sample());
  std::vector<ConsumerRecord> out;
  EXPECT_THAT(ReadAllRecords(batch, INT64_MAX, &out),
              StatusIs(ErrorCode::kCorruption));
}

// Errors carry a brook::ErrorCode (STYLE.md, Errors); a corrupt batch is
// Kafka's CorruptMessage.
TEST(BatchFormatTest, CorruptionCarriesCorruptMessageCode) {
  BatchReader reader;
  EXPECT_THAT(reader.Init("short"), StatusIs(ErrorCode::kCorruptMessage));
  std::string batch = Build(Sample());
  batch.resize(batch.size() - 3);
  std::vector<ConsumerRecord> out;
  EXPECT_THAT(ReadAllRecords(batch, 0, &out),
              StatusIs(ErrorCode::kCorruptMessage));
}

}  // namespace
}  // namespace brook
