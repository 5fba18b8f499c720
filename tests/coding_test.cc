// Tests of the zig-zag varints of Kafka's record format: round trips at
// every length boundary (the inline one- and two-byte forms and the rest),
// and malformed or short input.
#include "util/coding.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

TEST(CodingTest, Varint32RoundTrips) {
  const int32_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            -65,
                            8191,
                            -8192,
                            8192,
                            -8193,
                            1 << 20,
                            -(1 << 20),
                            std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::min()};
  for (int32_t v : values) {
    std::string buf;
    PutVarint32(&buf, v);
    EXPECT_EQ(static_cast<int>(buf.size()), VarintLength32(v)) << v;
    buf.append("tail");
    absl::string_view in(buf);
    int32_t got = 0;
    ASSERT_TRUE(GetVarint32(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_EQ(in, "tail") << v;
    // With nothing after it (the inline path needs two bytes of input).
    buf.resize(buf.size() - 4);
    absl::string_view exact(buf);
    ASSERT_TRUE(GetVarint32(&exact, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(exact.empty());
  }
}

TEST(CodingTest, Varint64RoundTrips) {
  const int64_t values[] = {0,
                            1,
                            -1,
                            63,
                            -64,
                            64,
                            int64_t{1} << 40,
                            -(int64_t{1} << 40),
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    std::string buf;
    PutVarint64(&buf, v);
    EXPECT_EQ(static_cast<int>(buf.size()), VarintLength64(v)) << v;
    absl::string_view in(buf);
    int64_t got = 0;
    ASSERT_TRUE(GetVarint64(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, MalformedVarintsFail) {
  int32_t v32;
  int64_t v64;
  absl::string_view empty;
  EXPECT_FALSE(GetVarint32(&empty, &v32));
  EXPECT_FALSE(GetVarint64(&empty, &v64));
  // A continuation bit with nothing after it.
  absl::string_view cut("\x80", 1);
  EXPECT_FALSE(GetVarint32(&cut, &v32));
  absl::string_view cut2("\x80\x80", 2);
  EXPECT_FALSE(GetVarint32(&cut2, &v32));
  EXPECT_FALSE(GetVarint64(&cut2, &v64));
  // Six bytes for a 32-bit varint, and five that overflow 32 bits.
  absl::string_view too_long("\x80\x80\x80\x80\x80\x01", 6);
  EXPECT_FALSE(GetVarint32(&too_long, &v32));
  absl::string_view too_big("\xff\xff\xff\xff\x7f", 5);
  EXPECT_FALSE(GetVarint32(&too_big, &v32));
  // Eleven bytes for a 64-bit one.
  const std::string eleven = std::string(10, '\x80') + "\x01";
  absl::string_view in64(eleven);
  EXPECT_FALSE(GetVarint64(&in64, &v64));
}

}  // namespace
}  // namespace brook
