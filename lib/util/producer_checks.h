// Checks of ProducerOptions that both backends' producers make at
// creation: the struct's own rules (as its properties parse) and Kafka's
// delivery.timeout.ms against linger.ms.
#ifndef BROOK_LIB_UTIL_PRODUCER_CHECKS_H_
#define BROOK_LIB_UTIL_PRODUCER_CHECKS_H_

#include "absl/status/status.h"
#include "brook/options.h"

namespace brook {

// Checks `o` and completes what depends on other settings: a
// delivery.timeout.ms left at its default below linger.ms + 30 s becomes
// that sum, as Kafka's ProducerConfig.configureDeliveryTimeout does with its
// default request.timeout.ms. InvalidConfig naming the key otherwise.
absl::Status CompleteProducerOptions(ProducerOptions& o);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_PRODUCER_CHECKS_H_
