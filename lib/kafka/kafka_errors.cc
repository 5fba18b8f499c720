#include "kafka/kafka_errors.h"

#include "absl/strings/str_cat.h"

namespace brook {

ErrorCode KafkaErrorCode(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return ErrorCode::kNone;
  // Kafka's protocol numbers are brook's (error.h); ErrorCodeName names
  // the ones brook has no constant for.
  if (err > 0) return static_cast<ErrorCode>(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return ErrorCode::kTimeout;
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
      return ErrorCode::kInterrupted;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return ErrorCode::kUnknownTopicOrPartition;
    case RD_KAFKA_RESP_ERR__STATE:
      return ErrorCode::kIllegalState;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return ErrorCode::kInvalidRequest;
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
      return ErrorCode::kNoOffsetForPartition;
    case RD_KAFKA_RESP_ERR__DESTROY:
      return ErrorCode::kClosed;
    case RD_KAFKA_RESP_ERR__FENCED:
      return ErrorCode::kProducerFenced;
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED:
      return ErrorCode::kCommitFailed;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
      return ErrorCode::kNetworkException;
    case RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return ErrorCode::kUnsupported;
    case RD_KAFKA_RESP_ERR__INVALID_TYPE:
      return ErrorCode::kInvalidConfig;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return ErrorCode::kSaslAuthenticationFailed;
    default:
      return ErrorCode::kUnknown;
  }
}

absl::Status KafkaStatus(rd_kafka_resp_err_t err, absl::string_view context,
                         const char* detail) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  const char* text =
      detail != nullptr && *detail != '\0' ? detail : rd_kafka_err2str(err);
  return Error(KafkaErrorCode(err),
               context.empty() ? std::string(text)
                               : absl::StrCat(context, ": ", text));
}

absl::Status KafkaStatus(const rd_kafka_error_t* error,
                         absl::string_view context) {
  if (error == nullptr) return absl::OkStatus();
  return KafkaStatus(rd_kafka_error_code(error), context,
                     rd_kafka_error_string(error));
}

}  // namespace brook
