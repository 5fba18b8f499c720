// How consume prints a record: the value alone (text, like
// kafka-console-consumer) or one JSON object per line.
#ifndef BROOK_TOOLS_BROOK_RECORD_FORMAT_H_
#define BROOK_TOOLS_BROOK_RECORD_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "brook/record.h"

namespace brook {
namespace cli {

enum class RecordFormat { kText, kJson };

// Appends `bytes` to `out` as a JSON string literal, quotes included. '"'
// and '\' get a backslash; control characters (U+0000..U+001F) become
// \u00XX; valid UTF-8 is copied; every byte that is not part of a valid
// UTF-8 sequence becomes \u00XX of its value.
void AppendJsonString(absl::string_view bytes, std::string* out);

// Appends `record` and a newline to `out` in `format`. Text: the value, or
// "null" for a null value. JSON: {"topic","partition","offset","timestamp"
// (Unix ms),"key","value","headers":[{"key","value"}]}, nulls as null.
void AppendRecord(const ConsumerRecord& record, RecordFormat format,
                  std::string* out);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_RECORD_FORMAT_H_
