// librdkafka's error codes as brook::Error statuses. Kafka's protocol
// errors (positive numbers) keep their number, since brook::ErrorCode uses
// Kafka's numbering; librdkafka's own (negative) codes map as SCALE-OUT.md
// §1.7 lays out. The message keeps librdkafka's text.
#ifndef BROOK_LIB_KAFKA_KAFKA_ERRORS_H_
#define BROOK_LIB_KAFKA_KAFKA_ERRORS_H_

#include <librdkafka/rdkafka.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "brook/error.h"

namespace brook {

// The brook code of `err` (kNone for RD_KAFKA_RESP_ERR_NO_ERROR).
ErrorCode KafkaErrorCode(rd_kafka_resp_err_t err);

// OK for NO_ERROR; otherwise Error(KafkaErrorCode(err), "<context>: <text>")
// where <text> is `detail` when given, else librdkafka's rd_kafka_err2str.
absl::Status KafkaStatus(rd_kafka_resp_err_t err, absl::string_view context,
                         const char* detail = nullptr);

// As KafkaStatus for an rd_kafka_error_t (OK when null); does not take
// ownership.
absl::Status KafkaStatus(const rd_kafka_error_t* error,
                         absl::string_view context);

}  // namespace brook

#endif  // BROOK_LIB_KAFKA_KAFKA_ERRORS_H_
