#include "util/producer_checks.h"

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "util/record_size.h"

namespace brook {

absl::Status CompleteProducerOptions(ProducerOptions& o) {
  // The struct obeys the rules (and gives the messages) of its properties.
  absl::Status s = ProducerOptions::FromProperties(o.ToProperties()).status();
  if (!s.ok()) return s;
  // Kafka's ProducerConfig.configureDeliveryTimeout, with its default
  // request.timeout.ms.
  constexpr absl::Duration kKafkaRequestTimeout = absl::Seconds(30);
  if (o.delivery_timeout == ProducerOptions::kDefaultDeliveryTimeout &&
      o.delivery_timeout < o.linger + kKafkaRequestTimeout) {
    o.delivery_timeout = o.linger + kKafkaRequestTimeout;
  }
  if (o.delivery_timeout < o.linger) {
    return Error(ErrorCode::kInvalidConfig,
                 "delivery.timeout.ms must be at least linger.ms");
  }
  return absl::OkStatus();
}

absl::Status RecordTooLarge(size_t serialized, absl::string_view limit_name,
                            int64_t limit) {
  return Error(ErrorCode::kMessageTooLarge,
               absl::StrCat("The message is ", serialized,
                            " bytes when serialized which is larger than ",
                            limit, ", which is the value of the ", limit_name,
                            " configuration."));
}

absl::Status CheckRecordSize(const ProducerRecord& record,
                             const ProducerOptions& o) {
  const size_t bound =
      KafkaBatchSizeUpperBound(record.key, record.value, record.headers);
  if (bound > static_cast<size_t>(o.max_request_size)) {
    return RecordTooLarge(bound, "max.request.size", o.max_request_size);
  }
  if (static_cast<int64_t>(bound) > o.buffer_memory) {
    return RecordTooLarge(bound, "buffer.memory", o.buffer_memory);
  }
  return absl::OkStatus();
}

}  // namespace brook
