#include "util/producer_checks.h"

#include "brook/error.h"

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

}  // namespace brook
