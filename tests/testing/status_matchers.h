// Test helpers for absl::Status: EXPECT_OK / ASSERT_OK, an IsOk() matcher
// and a StatusIs(ErrorCode) matcher. The macros are gmock matcher
// assertions, so the expression is evaluated exactly once and a failure
// prints the status it returned (as LevelDB's and Abseil's status matchers).
#ifndef BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
#define BROOK_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "brook/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace brook {
namespace testing_internal {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace testing_internal

// Matches an OK absl::Status or absl::StatusOr; otherwise explains with the
// status and its brook::ErrorCode.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& s = ::brook::testing_internal::GetStatus(arg);
  if (!s.ok()) {
    *result_listener << "status is " << s << " (code "
                     << ::brook::ErrorCodeName(::brook::GetErrorCode(s))
                     << ")";
  }
  return s.ok();
}

// Matches an OK absl::StatusOr whose value matches `inner`.
MATCHER_P(IsOkAndHolds, inner,
          negation ? "is not OK or holds another value"
                   : "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

// Matches an absl::Status or absl::StatusOr whose brook::ErrorCode is `code`.
MATCHER_P(StatusIs, code,
          std::string("has error code ") +
              std::string(::brook::ErrorCodeName(code))) {
  const absl::Status& s = ::brook::testing_internal::GetStatus(arg);
  *result_listener << "status is " << s << " (code "
                   << ::brook::ErrorCodeName(::brook::GetErrorCode(s)) << ")";
  return ::brook::GetErrorCode(s) == code;
}

}  // namespace brook

// Evaluate `expr` once; on failure print the status it returned.
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::brook::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::brook::IsOk())

#endif  // BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
