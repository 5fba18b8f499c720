// Tests of brook's errors: Error() builds a status with the canonical absl
// code of STYLE.md's table and the brook::ErrorCode as a payload;
// GetErrorCode reads it back; IsRetriable follows Kafka; codes keep Kafka's
// protocol numbers.
#include "brook/error.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace brook {
namespace {

// Every code, for loops.
const std::vector<ErrorCode>& AllCodes() {
  static const auto* codes = new std::vector<ErrorCode>{
      ErrorCode::kNone,
      ErrorCode::kUnknown,
      ErrorCode::kOffsetOutOfRange,
      ErrorCode::kCorruptMessage,
      ErrorCode::kUnknownTopicOrPartition,
      ErrorCode::kMessageTooLarge,
      ErrorCode::kIllegalGeneration,
      ErrorCode::kInconsistentGroupProtocol,
      ErrorCode::kInvalidGroupId,
      ErrorCode::kUnknownMemberId,
      ErrorCode::kRebalanceInProgress,
      ErrorCode::kTopicAlreadyExists,
      ErrorCode::kInvalidPartitions,
      ErrorCode::kInvalidRequest,
      ErrorCode::kInvalidTopic,
      ErrorCode::kInvalidConfig,
      ErrorCode::kRecordListTooLarge,
      ErrorCode::kInvalidTimestamp,
      ErrorCode::kInvalidRecord,
      ErrorCode::kProducerFenced,
      ErrorCode::kFencedInstanceId,
      ErrorCode::kInvalidTxnState,
      ErrorCode::kNonEmptyGroup,
      ErrorCode::kKafkaStorageError,
      ErrorCode::kTimeout,
      ErrorCode::kWakeup,
      ErrorCode::kSerialization,
      ErrorCode::kConcurrentModification,
      ErrorCode::kIllegalState,
      ErrorCode::kNoOffsetForPartition,
      ErrorCode::kCommitFailed,
      ErrorCode::kDirectoryInUse,
      ErrorCode::kClosed,
      ErrorCode::kInterrupted,
  };
  return *codes;
}

TEST(ErrorTest, CanonicalCodesFollowTheStyleTable) {
  const std::vector<std::pair<ErrorCode, absl::StatusCode>> table = {
      {ErrorCode::kOffsetOutOfRange, absl::StatusCode::kOutOfRange},
      {ErrorCode::kUnknownTopicOrPartition, absl::StatusCode::kNotFound},
      {ErrorCode::kMessageTooLarge, absl::StatusCode::kInvalidArgument},
      {ErrorCode::kInvalidPartitions, absl::StatusCode::kInvalidArgument},
      {ErrorCode::kInvalidConfig, absl::StatusCode::kInvalidArgument},
      {ErrorCode::kIllegalGeneration, absl::StatusCode::kAborted},
      {ErrorCode::kRebalanceInProgress, absl::StatusCode::kAborted},
      {ErrorCode::kUnknownMemberId, absl::StatusCode::kFailedPrecondition},
      {ErrorCode::kNonEmptyGroup, absl::StatusCode::kFailedPrecondition},
      {ErrorCode::kFencedInstanceId, absl::StatusCode::kFailedPrecondition},
      {ErrorCode::kTopicAlreadyExists, absl::StatusCode::kAlreadyExists},
      {ErrorCode::kWakeup, absl::StatusCode::kCancelled},
      // After Close(), calls return kFailedPrecondition (STYLE.md, Ownership).
      {ErrorCode::kClosed, absl::StatusCode::kFailedPrecondition},
      // Corruption is kDataLoss (STYLE.md, Errors).
      {ErrorCode::kCorruptMessage, absl::StatusCode::kDataLoss},
      {ErrorCode::kTimeout, absl::StatusCode::kDeadlineExceeded},
      {ErrorCode::kInvalidTopic, absl::StatusCode::kInvalidArgument},
      // A storage failure that may pass (disk full): try again later.
      {ErrorCode::kKafkaStorageError, absl::StatusCode::kUnavailable},
  };
  for (const auto& [code, canonical] : table) {
    absl::Status s = Error(code, "message");
    EXPECT_EQ(s.code(), canonical) << ErrorCodeName(code);
  }
}

TEST(ErrorTest, EveryCodeRoundTripsThroughAStatus) {
  for (ErrorCode code : AllCodes()) {
    if (code == ErrorCode::kNone) continue;
    absl::Status s = Error(code, "topic orders partition 7 has 4 partitions");
    EXPECT_FALSE(s.ok()) << ErrorCodeName(code);
    EXPECT_EQ(GetErrorCode(s), code) << ErrorCodeName(code);
    EXPECT_EQ(s.message(), "topic orders partition 7 has 4 partitions");
    EXPECT_THAT(s, StatusIs(code));
    // Also through a StatusOr.
    absl::StatusOr<int> or_value = s;
    EXPECT_EQ(GetErrorCode(or_value.status()), code);
  }
}

TEST(ErrorTest, CodeSurvivesCopiesAndMoves) {
  absl::Status s = Error(ErrorCode::kTimeout, "slow");
  absl::Status copy = s;
  absl::Status moved = std::move(copy);
  EXPECT_EQ(GetErrorCode(moved), ErrorCode::kTimeout);
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kTimeout);
}

TEST(ErrorTest, ErrorWithNoneIsOk) {
  EXPECT_TRUE(Error(ErrorCode::kNone, "fine").ok());
}

TEST(ErrorTest, GetErrorCodeOfForeignStatuses) {
  EXPECT_EQ(GetErrorCode(absl::OkStatus()), ErrorCode::kNone);
  EXPECT_EQ(GetErrorCode(absl::InternalError("rocksdb said no")),
            ErrorCode::kUnknown);
  EXPECT_EQ(GetErrorCode(absl::NotFoundError("x")), ErrorCode::kUnknown);
  // A payload under another URL is not brook's.
  absl::Status other = absl::InternalError("x");
  other.SetPayload("example.com/code", absl::Cord("3"));
  EXPECT_EQ(GetErrorCode(other), ErrorCode::kUnknown);
}

TEST(ErrorTest, IsRetriable) {
  // CorruptMessage (retriable over Kafka's network, permanent on a local
  // disk) and OffsetOutOfRange are left to the implementation.
  for (ErrorCode code :
       {ErrorCode::kTimeout, ErrorCode::kRebalanceInProgress,
        ErrorCode::kUnknownTopicOrPartition, ErrorCode::kKafkaStorageError}) {
    EXPECT_TRUE(IsRetriable(Error(code, "x"))) << ErrorCodeName(code);
  }
  for (ErrorCode code :
       {ErrorCode::kInvalidConfig, ErrorCode::kMessageTooLarge,
        ErrorCode::kTopicAlreadyExists, ErrorCode::kInvalidPartitions,
        ErrorCode::kInvalidTopic, ErrorCode::kWakeup, ErrorCode::kClosed,
        ErrorCode::kSerialization, ErrorCode::kIllegalState,
        ErrorCode::kInvalidGroupId, ErrorCode::kConcurrentModification,
        ErrorCode::kNoOffsetForPartition, ErrorCode::kCommitFailed,
        ErrorCode::kProducerFenced, ErrorCode::kDirectoryInUse,
        ErrorCode::kFencedInstanceId, ErrorCode::kNonEmptyGroup,
        ErrorCode::kUnknown}) {
    EXPECT_FALSE(IsRetriable(Error(code, "x"))) << ErrorCodeName(code);
  }
  EXPECT_FALSE(IsRetriable(absl::OkStatus()));
  EXPECT_FALSE(IsRetriable(absl::UnavailableError("not from brook")));
}

TEST(ErrorTest, KafkaProtocolNumbers) {
  EXPECT_EQ(static_cast<int>(ErrorCode::kNone), 0);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnknown), -1);
  EXPECT_EQ(static_cast<int>(ErrorCode::kOffsetOutOfRange), 1);
  EXPECT_EQ(static_cast<int>(ErrorCode::kCorruptMessage), 2);
  EXPECT_EQ(ErrorCode::kCorruption, ErrorCode::kCorruptMessage);
  EXPECT_EQ(static_cast<int>(ErrorCode::kKafkaStorageError), 56);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnknownTopicOrPartition), 3);
  EXPECT_EQ(static_cast<int>(ErrorCode::kMessageTooLarge), 10);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidTopic), 17);
  EXPECT_EQ(static_cast<int>(ErrorCode::kRecordListTooLarge), 18);
  EXPECT_EQ(static_cast<int>(ErrorCode::kIllegalGeneration), 22);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInconsistentGroupProtocol), 23);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidGroupId), 24);
  EXPECT_EQ(static_cast<int>(ErrorCode::kUnknownMemberId), 25);
  EXPECT_EQ(static_cast<int>(ErrorCode::kRebalanceInProgress), 27);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidTimestamp), 32);
  EXPECT_EQ(static_cast<int>(ErrorCode::kTopicAlreadyExists), 36);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidPartitions), 37);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidConfig), 40);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidRequest), 42);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidTxnState), 48);
  EXPECT_EQ(static_cast<int>(ErrorCode::kNonEmptyGroup), 68);
  EXPECT_EQ(static_cast<int>(ErrorCode::kFencedInstanceId), 82);
  EXPECT_EQ(static_cast<int>(ErrorCode::kInvalidRecord), 87);
  EXPECT_EQ(static_cast<int>(ErrorCode::kProducerFenced), 90);
  // Client-side conditions are negative, so they never clash with Kafka's.
  for (ErrorCode code :
       {ErrorCode::kTimeout, ErrorCode::kWakeup, ErrorCode::kSerialization,
        ErrorCode::kConcurrentModification, ErrorCode::kIllegalState,
        ErrorCode::kNoOffsetForPartition, ErrorCode::kCommitFailed,
        ErrorCode::kDirectoryInUse, ErrorCode::kClosed,
        ErrorCode::kInterrupted}) {
    EXPECT_LT(static_cast<int>(code), 0) << ErrorCodeName(code);
  }
}

TEST(ErrorTest, NamesAreKafkasAndDistinct) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNone), "None");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnknownTopicOrPartition),
            "UnknownTopicOrPartition");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kOffsetOutOfRange), "OffsetOutOfRange");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kTopicAlreadyExists),
            "TopicAlreadyExists");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidConfig), "InvalidConfig");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNoOffsetForPartition),
            "NoOffsetForPartition");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kWakeup), "Wakeup");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kTimeout), "Timeout");
  std::set<std::string> names;
  for (ErrorCode code : AllCodes()) {
    const std::string name(ErrorCodeName(code));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
  }
  // An unknown number still has a name.
  EXPECT_FALSE(ErrorCodeName(static_cast<ErrorCode>(12345)).empty());
}

TEST(ErrorTest, StatusIsMatcherDistinguishesCodes) {
  absl::Status s = Error(ErrorCode::kInvalidConfig, "bad");
  EXPECT_THAT(s, StatusIs(ErrorCode::kInvalidConfig));
  EXPECT_THAT(s, ::testing::Not(StatusIs(ErrorCode::kInvalidTopic)));
  EXPECT_THAT(absl::OkStatus(), StatusIs(ErrorCode::kNone));
}

}  // namespace
}  // namespace brook
