#include "brook/error.h"

#include <map>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

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
    case ErrorCode::kInvalidReplicationFactor:
    case ErrorCode::kPolicyViolation:
      return absl::StatusCode::kInvalidArgument;
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kBrokerNotAvailable:
    case ErrorCode::kNetworkException:
    case ErrorCode::kCoordinatorLoadInProgress:
    case ErrorCode::kCoordinatorNotAvailable:
    case ErrorCode::kNotCoordinator:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
      return absl::StatusCode::kUnavailable;
    case ErrorCode::kRequestTimedOut:
      return absl::StatusCode::kDeadlineExceeded;
    case ErrorCode::kTopicAuthorizationFailed:
    case ErrorCode::kGroupAuthorizationFailed:
    case ErrorCode::kClusterAuthorizationFailed:
      return absl::StatusCode::kPermissionDenied;
    case ErrorCode::kSaslAuthenticationFailed:
      return absl::StatusCode::kUnauthenticated;
    case ErrorCode::kUnsupportedVersion:
    case ErrorCode::kUnsupported:
      return absl::StatusCode::kUnimplemented;
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
  return absl::StatusCode::kUnknown;  // A protocol number without a name.
}

// "KafkaError(<n>)" for protocol numbers without a name here; the strings
// live as long as the process (a few distinct numbers at most).
absl::string_view KafkaErrorName(int number) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* names = new std::map<int, std::string>();
  absl::MutexLock lock(&mu);
  auto [it, inserted] = names->try_emplace(number);
  if (inserted) it->second = absl::StrCat("KafkaError(", number, ")");
  return it->second;
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
    case ErrorCode::kLeaderNotAvailable:
      return "LeaderNotAvailable";
    case ErrorCode::kNotLeaderOrFollower:
      return "NotLeaderOrFollower";
    case ErrorCode::kRequestTimedOut:
      return "RequestTimedOut";
    case ErrorCode::kBrokerNotAvailable:
      return "BrokerNotAvailable";
    case ErrorCode::kNetworkException:
      return "NetworkException";
    case ErrorCode::kCoordinatorLoadInProgress:
      return "CoordinatorLoadInProgress";
    case ErrorCode::kCoordinatorNotAvailable:
      return "CoordinatorNotAvailable";
    case ErrorCode::kNotCoordinator:
      return "NotCoordinator";
    case ErrorCode::kNotEnoughReplicas:
      return "NotEnoughReplicas";
    case ErrorCode::kNotEnoughReplicasAfterAppend:
      return "NotEnoughReplicasAfterAppend";
    case ErrorCode::kTopicAuthorizationFailed:
      return "TopicAuthorizationFailed";
    case ErrorCode::kGroupAuthorizationFailed:
      return "GroupAuthorizationFailed";
    case ErrorCode::kClusterAuthorizationFailed:
      return "ClusterAuthorizationFailed";
    case ErrorCode::kUnsupportedVersion:
      return "UnsupportedVersion";
    case ErrorCode::kInvalidReplicationFactor:
      return "InvalidReplicationFactor";
    case ErrorCode::kPolicyViolation:
      return "PolicyViolation";
    case ErrorCode::kSaslAuthenticationFailed:
      return "SaslAuthenticationFailed";
    case ErrorCode::kUnsupported:
      return "Unsupported";
  }
  return KafkaErrorName(static_cast<int>(code));
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
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kRequestTimedOut:
    case ErrorCode::kNetworkException:
    case ErrorCode::kCoordinatorLoadInProgress:
    case ErrorCode::kCoordinatorNotAvailable:
    case ErrorCode::kNotCoordinator:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
      return true;
    default:
      return false;
  }
}

}  // namespace brook
