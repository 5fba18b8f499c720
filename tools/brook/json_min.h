// A minimal JSON reader and string writer for the CLI's JSON input formats
// (brook assign): objects, arrays, strings with escapes, integers, null,
// true and false. Numbers with a fraction or exponent are rejected.
#ifndef BROOK_TOOLS_BROOK_JSON_MIN_H_
#define BROOK_TOOLS_BROOK_JSON_MIN_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {
namespace cli {

// A parsed JSON value. A plain value type; thread-compatible.
class JsonValue {
 public:
  enum class Type { kNull, kBool, kInt, kString, kArray, kObject };

  // Parses one JSON document (surrounding whitespace allowed). Returns
  // kInvalidArgument with the byte offset of the first problem.
  static absl::StatusOr<JsonValue> Parse(absl::string_view text);

  JsonValue() = default;

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool bool_value() const { return bool_; }
  int64_t int_value() const { return int_; }
  // UTF-8; \u escapes of lone surrogates are kept as 3-byte sequences.
  const std::string& string_value() const { return string_; }
  const std::vector<JsonValue>& array() const { return array_; }
  // Members in document order, duplicates included.
  const std::vector<std::pair<std::string, JsonValue>>& object() const {
    return object_;
  }
  // The value of the last member named `key` (as in most JSON readers), or
  // nullptr. REQUIRES: type() == kObject.
  const JsonValue* Find(absl::string_view key) const;

  // "array", "string", ... for error messages.
  static absl::string_view TypeName(Type type);

 private:
  friend class JsonParser;

  Type type_ = Type::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  std::string string_;
  std::vector<JsonValue> array_;
  std::vector<std::pair<std::string, JsonValue>> object_;
};

// `text` as a JSON string literal, quotes included. Non-ASCII characters are
// written as \u escapes of their UTF-16 code units, so the output is ASCII.
std::string JsonQuote(absl::string_view text);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_JSON_MIN_H_
