#include "brook/error.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace brook {
namespace {

// The payload key under which a status carries its brook::ErrorCode.
constexpr absl::string_view kPayloadUrl = "brook.dev/ErrorCode";

absl::StatusCode CanonicalCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return absl::StatusCode::kOk;
    case ErrorCode::kOffsetOutOfRange:
      return absl::StatusCode::kOutOfRange;
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kGroupIdNotFound:
      return absl::StatusCode::kNotFound;
    case ErrorCode::kCorruptMessage:
      return absl::StatusCode::kDataLoss;
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kOffsetMetadataTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidPartitions:
    case ErrorCode::kInvalidConfig:
    case ErrorCode::kInvalidTopic:
    case ErrorCode::kInvalidGroupId:
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kInvalidTimestamp:
    case ErrorCode::kInvalidRecord:
    case ErrorCode::kSerialization:
      return absl::StatusCode::kInvalidArgument;
    case ErrorCode::kIllegalGeneration:
    case ErrorCode::kRebalanceInProgress:
    case ErrorCode::kConcurrentModification:
      return absl::StatusCode::kAborted;
    case ErrorCode::kUnknownMemberId:
    case ErrorCode::kInconsistentGroupProtocol:
    case ErrorCode::kIllegalState:
    case ErrorCode::kNoOffsetForPartition:
    case ErrorCode::kCommitFailed:
    case ErrorCode::kNonEmptyGroup:
    case ErrorCode::kInvalidTxnState:
    case ErrorCode::kProducerFenced:
    case ErrorCode::kFencedInstanceId:
    case ErrorCode::kDirectoryInUse:
    case ErrorCode::kClosed:
      return absl::StatusCode::kFailedPrecondition;
    case ErrorCode::kTopicAlreadyExists:
      return absl::StatusCode::kAlreadyExists;
    case ErrorCode::kTimeout:
      return absl::StatusCode::kDeadlineExceeded;
    case ErrorCode::kKafkaStorageError:
      return absl::StatusCode::kUnavailable;
    case ErrorCode::kWakeup:
    case ErrorCode::kInterrupted:
      return absl::StatusCode::kCancelled;
    case ErrorCode::kUnknown:
      return absl::StatusCode::kUnknown;
  }
  return absl::StatusCode::kUnknown;
}

}  // namespace

absl::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return "None";
    case ErrorCode::kUnknown:
      return "Unknown";
    case ErrorCode::kOffsetOutOfRange:
      return "OffsetOutOfRange";
    case ErrorCode::kCorruptMessage:
      return "CorruptMessage";
    case ErrorCode::kUnknownTopicOrPartition:
      return "UnknownTopicOrPartition";
    case ErrorCode::kMessageTooLarge:
      return "RecordTooLarge";
    case ErrorCode::kOffsetMetadataTooLarge:
      return "OffsetMetadataTooLarge";
    case ErrorCode::kGroupIdNotFound:
      return "GroupIdNotFound";
    case ErrorCode::kIllegalGeneration:
      return "IllegalGeneration";
    case ErrorCode::kInconsistentGroupProtocol:
      return "InconsistentGroupProtocol";
    case ErrorCode::kInvalidGroupId:
      return "InvalidGroupId";
    case ErrorCode::kUnknownMemberId:
      return "UnknownMemberId";
    case ErrorCode::kRebalanceInProgress:
      return "RebalanceInProgress";
    case ErrorCode::kTopicAlreadyExists:
      return "TopicAlreadyExists";
    case ErrorCode::kInvalidPartitions:
      return "InvalidPartitions";
    case ErrorCode::kInvalidRequest:
      return "InvalidRequest";
    case ErrorCode::kInvalidTopic:
      return "InvalidTopic";
    case ErrorCode::kInvalidConfig:
      return "InvalidConfig";
    case ErrorCode::kRecordListTooLarge:
      return "RecordListTooLarge";
    case ErrorCode::kInvalidTimestamp:
      return "InvalidTimestamp";
    case ErrorCode::kInvalidRecord:
      return "InvalidRecord";
    case ErrorCode::kProducerFenced:
      return "ProducerFenced";
    case ErrorCode::kFencedInstanceId:
      return "FencedInstanceId";
    case ErrorCode::kInvalidTxnState:
      return "InvalidTxnState";
    case ErrorCode::kNonEmptyGroup:
      return "NonEmptyGroup";
    case ErrorCode::kKafkaStorageError:
      return "KafkaStorageError";
    case ErrorCode::kTimeout:
      return "Timeout";
    case ErrorCode::kWakeup:
      return "Wakeup";
    case ErrorCode::kSerialization:
      return "Serialization";
    case ErrorCode::kConcurrentModification:
      return "ConcurrentModification";
    case ErrorCode::kIllegalState:
      return "IllegalState";
    case ErrorCode::kNoOffsetForPartition:
      return "NoOffsetForPartition";
    case ErrorCode::kCommitFailed:
      return "CommitFailed";
    case ErrorCode::kDirectoryInUse:
      return "DirectoryInUse";
    case ErrorCode::kClosed:
      return "Closed";
    case ErrorCode::kInterrupted:
      return "Interrupted";
  }
  return "Unknown";
}

absl::Status Error(ErrorCode code, absl::string_view message) {
  absl::Status status(CanonicalCode(code), message);
  if (!status.ok()) {
    status.SetPayload(kPayloadUrl,
                      absl::Cord(std::to_string(static_cast<int>(code))));
  }
  return status;
}

ErrorCode GetErrorCode(const absl::Status& status) {
  if (status.ok()) return ErrorCode::kNone;
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  int value = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &value)) {
    return ErrorCode::kUnknown;
  }
  return static_cast<ErrorCode>(value);
}

bool IsRetriable(const absl::Status& status) {
  switch (GetErrorCode(status)) {
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kRebalanceInProgress:
    case ErrorCode::kTimeout:
    case ErrorCode::kKafkaStorageError:
      return true;
    default:
      return false;
  }
}

}  // namespace brook
