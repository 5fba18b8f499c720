// A SubscribePattern regex, as Kafka's pattern subscription: it matches
// whole topic names (std::regex_match, ECMAScript grammar). Backends match
// it against their topic list at subscribe time and again every
// metadata.max.age.ms.
#ifndef BROOK_LIB_CLIENT_TOPIC_PATTERN_H_
#define BROOK_LIB_CLIENT_TOPIC_PATTERN_H_

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {

// A value; thread-compatible.
class TopicPattern {
 public:
  // InvalidRequest naming the regex when it does not compile.
  static absl::StatusOr<TopicPattern> Compile(absl::string_view regex);

  const std::string& regex() const { return source_; }
  // `topic` matches as a whole.
  bool Matches(absl::string_view topic) const;
  // The topics of `topics` that match, sorted.
  std::vector<std::string> Filter(std::vector<std::string> topics) const;

 private:
  TopicPattern(std::string source, std::shared_ptr<const std::regex> re)
      : source_(std::move(source)), re_(std::move(re)) {}

  std::string source_;
  std::shared_ptr<const std::regex> re_;  // Immutable, shared by copies.
};

}  // namespace brook

#endif  // BROOK_LIB_CLIENT_TOPIC_PATTERN_H_
