// The status assertions evaluate their expression once, and a failure names
// the status the expression returned.
#include "testing/status_matchers.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "brook/error.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace brook {
namespace {

int calls = 0;

// Fails the first time it is called and succeeds afterwards: a macro that
// evaluates its expression again would print the second, OK result.
absl::Status FailsOnce() {
  return ++calls == 1 ? Error(ErrorCode::kTimeout, "first call failed")
                      : absl::OkStatus();
}

absl::StatusOr<int> FailsOnceOr() {
  if (++calls == 1) return Error(ErrorCode::kClosed, "first call failed");
  return 7;
}

TEST(StatusMatchersTest, ExpectOkEvaluatesOnceAndPrintsTheFailure) {
  calls = 0;
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(FailsOnce()), "first call failed");
  EXPECT_EQ(calls, 1);
}

TEST(StatusMatchersTest, AssertOkEvaluatesOnceAndPrintsTheFailure) {
  calls = 0;
  EXPECT_FATAL_FAILURE(ASSERT_OK(FailsOnceOr()), "first call failed");
  EXPECT_EQ(calls, 1);
}

TEST(StatusMatchersTest, FailureNamesTheErrorCode) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_OK(Error(ErrorCode::kUnknownTopicOrPartition, "no such topic")),
      "UnknownTopicOrPartition");
}

TEST(StatusMatchersTest, OkPassesOnce) {
  calls = 1;  // Every later call succeeds.
  EXPECT_OK(FailsOnce());
  ASSERT_OK(FailsOnceOr());
  EXPECT_EQ(calls, 3);
}

TEST(StatusMatchersTest, StatusIsMatchesTheCode) {
  EXPECT_THAT(Error(ErrorCode::kTimeout, "slow"), StatusIs(ErrorCode::kTimeout));
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(Error(ErrorCode::kClosed, "closed"), ::testing::Not(IsOk()));
}

}  // namespace
}  // namespace brook
