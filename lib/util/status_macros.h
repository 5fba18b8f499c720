// BROOK_RETURN_IF_ERROR and BROOK_ASSIGN_OR_RETURN: early returns for
// absl::Status and absl::StatusOr, which the Abseil LTS we build on lacks.
#ifndef BROOK_LIB_UTIL_STATUS_MACROS_H_
#define BROOK_LIB_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BROOK_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status brook_status_ = (expr);         \
    if (!brook_status_.ok()) return brook_status_; \
  } while (0)

#define BROOK_STATUS_CONCAT_INNER_(a, b) a##b
#define BROOK_STATUS_CONCAT_(a, b) BROOK_STATUS_CONCAT_INNER_(a, b)

#define BROOK_ASSIGN_OR_RETURN(lhs, expr) \
  BROOK_ASSIGN_OR_RETURN_IMPL_(           \
      BROOK_STATUS_CONCAT_(brook_statusor_, __LINE__), lhs, expr)

#define BROOK_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#endif  // BROOK_LIB_UTIL_STATUS_MACROS_H_
