#include "client/topic_pattern.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {

absl::StatusOr<TopicPattern> TopicPattern::Compile(absl::string_view regex) {
  auto re = std::make_shared<std::regex>();
  // std::regex reports a bad pattern only by throwing: the exception
  // becomes a Status here and goes no further.
  try {
    re->assign(regex.begin(), regex.end(), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Error(ErrorCode::kInvalidRequest,
                 absl::StrCat("SubscribePattern: invalid regex '", regex,
                              "': ", e.what()));
  }
  return TopicPattern(std::string(regex), std::move(re));
}

bool TopicPattern::Matches(absl::string_view topic) const {
  return std::regex_match(topic.begin(), topic.end(), *re_);
}

std::vector<std::string> TopicPattern::Filter(
    std::vector<std::string> topics) const {
  std::vector<std::string> matched;
  for (std::string& t : topics) {
    if (std::regex_match(t, *re_)) matched.push_back(std::move(t));
  }
  std::sort(matched.begin(), matched.end());
  return matched;
}

}  // namespace brook
