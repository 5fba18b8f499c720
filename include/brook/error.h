// Errors. Every fallible brook call returns absl::Status or absl::StatusOr<T>.
// A status carries a canonical absl code, so generic code works, and a
// brook::ErrorCode numbered like the Kafka protocol, so callers can branch on
// Kafka's names without parsing messages.
#ifndef BROOK_ERROR_H_
#define BROOK_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

// Kafka protocol error numbers where Kafka has one; brook-local conditions
// (client-side exceptions in Kafka's Java client) use negative numbers.
// Persisted nowhere, but kept stable because users may log them.
enum class ErrorCode : int {
  kNone = 0,
  kUnknown = -1,
  kOffsetOutOfRange = 1,
  // Damaged or missing stored data (a damaged file, a lost CURRENT or
  // MANIFEST, acknowledged records missing from the log). Not retriable.
  kCorruptMessage = 2,
  kCorruption = kCorruptMessage,  // The same code, by brook's name for it.
  kUnknownTopicOrPartition = 3,
  kMessageTooLarge = 10,  // Kafka's RecordTooLarge on the producer side.
  kOffsetMetadataTooLarge = 12,  // Over offset.metadata.max.bytes.
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kRebalanceInProgress = 27,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidRequest = 42,
  kInvalidTopic = 17,
  kInvalidConfig = 40,
  kRecordListTooLarge = 18,
  kInvalidTimestamp = 32,
  // A record the topic cannot take: one without a key sent to a compacted
  // topic.
  kInvalidRecord = 87,
  kProducerFenced = 90,
  kFencedInstanceId = 82,  // Another member took this group.instance.id.
  kInvalidTxnState = 48,
  kNonEmptyGroup = 68,  // The group still has active members.
  kGroupIdNotFound = 69,  // No such group (no members, no offsets).
  // The data directory's storage failed: no space left, no file descriptors
  // left, an I/O error. Retriable, as in Kafka: writes resume by themselves
  // once the resource is back (the message says what to free).
  kKafkaStorageError = 56,
  // Errors of a real cluster (the Kafka backend), Kafka's numbers. The
  // retriable ones (IsRetriable) clear by themselves once the cluster
  // settles (a new leader, a coordinator loaded, a broker back).
  kLeaderNotAvailable = 5,
  kNotLeaderOrFollower = 6,
  kRequestTimedOut = 7,
  kBrokerNotAvailable = 8,
  kNetworkException = 13,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kNotEnoughReplicas = 19,
  kNotEnoughReplicasAfterAppend = 20,
  kTopicAuthorizationFailed = 29,
  kGroupAuthorizationFailed = 30,
  kClusterAuthorizationFailed = 31,
  kUnsupportedVersion = 35,
  kInvalidReplicationFactor = 38,
  kPolicyViolation = 44,
  kSaslAuthenticationFailed = 58,
  // Client-side conditions (Kafka raises these as exceptions in the client).
  kTimeout = -100,
  kWakeup = -101,
  kSerialization = -102,
  kConcurrentModification = -103,
  kIllegalState = -104,
  kNoOffsetForPartition = -105,
  kCommitFailed = -106,
  kDirectoryInUse = -107,  // Another process holds the data directory.
  kClosed = -108,          // The object (or its engine) was closed.
  kInterrupted = -109,     // A pending send was abandoned at Close().
  // The backend cannot do what was asked (e.g. FreezeConsumer on a real
  // cluster's consumer, a custom assignor on the Kafka backend); the
  // message names the call or setting.
  kUnsupported = -110,
};

// Kafka's name of `code`, e.g. "UnknownTopicOrPartition". A Kafka protocol
// number brook has no name for (a cluster may return any) gives
// "KafkaError(<number>)".
absl::string_view ErrorCodeName(ErrorCode code);

// Builds a status with the canonical code that matches `code` and `code`
// attached as a payload.
absl::Status Error(ErrorCode code, absl::string_view message);

// The brook code attached to `status`: kNone for OK, kUnknown when the status
// did not come from brook.
ErrorCode GetErrorCode(const absl::Status& status);

// True where Kafka marks the error retriable: Timeout, RebalanceInProgress,
// UnknownTopicOrPartition, KafkaStorageError, and the cluster's
// LeaderNotAvailable, NotLeaderOrFollower, RequestTimedOut, NetworkException,
// CoordinatorLoadInProgress, CoordinatorNotAvailable, NotCoordinator,
// NotEnoughReplicas(AfterAppend). CorruptMessage is not: in brook it means
// local storage corruption, which a retry cannot cure (Kafka retries it because
// a network may corrupt one transfer).
bool IsRetriable(const absl::Status& status);

}  // namespace brook

#endif  // BROOK_ERROR_H_
