// Checks both backends' producers make: of ProducerOptions at creation
// (the struct's own rules, as its properties parse, and Kafka's
// delivery.timeout.ms against linger.ms), and of each record's size at
// Send.
#ifndef BROOK_LIB_UTIL_PRODUCER_CHECKS_H_
#define BROOK_LIB_UTIL_PRODUCER_CHECKS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "brook/options.h"
#include "brook/record.h"

namespace brook {

// Checks `o` and completes what depends on other settings: a
// delivery.timeout.ms left at its default below linger.ms + 30 s becomes
// that sum, as Kafka's ProducerConfig.configureDeliveryTimeout does with its
// default request.timeout.ms. InvalidConfig naming the key otherwise.
absl::Status CompleteProducerOptions(ProducerOptions& o);

// MessageTooLarge as Kafka's producer words it: `serialized` bytes over
// `limit`, the value of `limit_name`.
absl::Status RecordTooLarge(size_t serialized, absl::string_view limit_name,
                            int64_t limit);

// Kafka's producer-side size checks of `record`: an upper bound of it in a
// batch of its own against max.request.size and buffer.memory.
absl::Status CheckRecordSize(const ProducerRecord& record,
                             const ProducerOptions& o);

}  // namespace brook

#endif  // BROOK_LIB_UTIL_PRODUCER_CHECKS_H_
