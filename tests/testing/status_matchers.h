// Test helpers for absl::Status: EXPECT_OK / ASSERT_OK and a
// StatusIs(ErrorCode) matcher.
#ifndef BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
#define BROOK_TESTS_TESTING_STATUS_MATCHERS_H_

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

#define EXPECT_OK(expr)                                        \
  EXPECT_TRUE(::brook::testing_internal::GetStatus(expr).ok()) \
      << ::brook::testing_internal::GetStatus(expr)
#define ASSERT_OK(expr)                                        \
  ASSERT_TRUE(::brook::testing_internal::GetStatus(expr).ok()) \
      << ::brook::testing_internal::GetStatus(expr)

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

#endif  // BROOK_TESTS_TESTING_STATUS_MATCHERS_H_
