#include "assign.h"

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "brook/admin.h"
#include "brook/assignor.h"
#include "brook/error.h"
#include "json_min.h"

namespace brook {
namespace cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

constexpr char kUsage[] =
    "usage: brook assign --strategy range|roundrobin|sticky|"
    "cooperative-sticky\n"
    "\n"
    "Reads a group as JSON on stdin and prints the assignment Kafka's\n"
    "assignor of that name computes, as JSON on stdout.\n"
    "\n"
    "input:  {\"topics\": {\"t1\": 3},\n"
    "         \"members\": [{\"id\": \"c1\", \"topics\": [\"t1\"],\n"
    "           \"owned\": [{\"topic\": \"t1\", \"partition\": 0}],\n"
    "           \"generation\": 3, \"instance_id\": \"i-1\"}]}\n"
    "        (owned, generation and instance_id are optional)\n"
    "output: {\"c1\": [{\"topic\": \"t1\", \"partition\": 0}, ...]}\n";

int Fail(int code, absl::string_view message) {
  std::string line = absl::StrReplaceAll(message, {{"\n", " "}});
  std::fprintf(stderr, "brook: error: %s\n", line.c_str());
  return code;
}

absl::Status BadInput(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// Checks that `value` has type `type`; `what` names it in the error.
absl::Status Expect(const JsonValue& value, JsonValue::Type type,
                    absl::string_view what) {
  if (value.type() == type) return absl::OkStatus();
  return BadInput(absl::StrCat(what, " must be ", JsonValue::TypeName(type),
                               ", not ", JsonValue::TypeName(value.type())));
}

// The member object's field `key`, or nullptr if absent or null.
const JsonValue* Field(const JsonValue& object, absl::string_view key) {
  const JsonValue* value = object.Find(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

absl::StatusOr<GroupMember> ParseMember(const JsonValue& json, size_t index) {
  const std::string where = absl::StrCat("members[", index, "]");
  absl::Status s = Expect(json, JsonValue::Type::kObject, where);
  if (!s.ok()) return s;
  GroupMember member;

  const JsonValue* id = Field(json, "id");
  if (id == nullptr) return BadInput(absl::StrCat(where, " has no \"id\""));
  s = Expect(*id, JsonValue::Type::kString, absl::StrCat(where, ".id"));
  if (!s.ok()) return s;
  member.member_id = id->string_value();

  if (const JsonValue* topics = Field(json, "topics")) {
    s = Expect(*topics, JsonValue::Type::kArray,
               absl::StrCat(where, ".topics"));
    if (!s.ok()) return s;
    for (const JsonValue& topic : topics->array()) {
      s = Expect(topic, JsonValue::Type::kString,
                 absl::StrCat(where, ".topics[]"));
      if (!s.ok()) return s;
      member.topics.push_back(topic.string_value());
    }
  }

  if (const JsonValue* owned = Field(json, "owned")) {
    s = Expect(*owned, JsonValue::Type::kArray, absl::StrCat(where, ".owned"));
    if (!s.ok()) return s;
    for (const JsonValue& item : owned->array()) {
      const std::string item_where = absl::StrCat(where, ".owned[]");
      s = Expect(item, JsonValue::Type::kObject, item_where);
      if (!s.ok()) return s;
      const JsonValue* topic = Field(item, "topic");
      const JsonValue* partition = Field(item, "partition");
      if (topic == nullptr || partition == nullptr) {
        return BadInput(
            absl::StrCat(item_where, " needs \"topic\" and \"partition\""));
      }
      s = Expect(*topic, JsonValue::Type::kString,
                 absl::StrCat(item_where, ".topic"));
      if (!s.ok()) return s;
      s = Expect(*partition, JsonValue::Type::kInt,
                 absl::StrCat(item_where, ".partition"));
      if (!s.ok()) return s;
      // A partition number no topic can have is out of range: ignored, like
      // any other owned partition that does not exist.
      const int64_t p = partition->int_value();
      if (p < 0 || p > INT32_MAX) continue;
      member.owned_partitions.emplace_back(topic->string_value(),
                                           static_cast<int32_t>(p));
    }
  }

  if (const JsonValue* generation = Field(json, "generation")) {
    s = Expect(*generation, JsonValue::Type::kInt,
               absl::StrCat(where, ".generation"));
    if (!s.ok()) return s;
    const int64_t g = generation->int_value();
    if (g < INT32_MIN || g > INT32_MAX) {
      return BadInput(
          absl::StrCat(where, ".generation ", g, " does not fit in 32 bits"));
    }
    member.generation = static_cast<int32_t>(g);
  }

  if (const JsonValue* instance = Field(json, "instance_id")) {
    s = Expect(*instance, JsonValue::Type::kString,
               absl::StrCat(where, ".instance_id"));
    if (!s.ok()) return s;
    member.group_instance_id = instance->string_value();
  }
  return member;
}

absl::StatusOr<GroupSubscription> ParseInput(absl::string_view text) {
  absl::StatusOr<JsonValue> json = JsonValue::Parse(text);
  if (!json.ok()) return json.status();
  absl::Status s = Expect(*json, JsonValue::Type::kObject, "the input");
  if (!s.ok()) return s;
  GroupSubscription group;
  int64_t total_partitions = 0;

  if (const JsonValue* topics = Field(*json, "topics")) {
    s = Expect(*topics, JsonValue::Type::kObject, "\"topics\"");
    if (!s.ok()) return s;
    for (const auto& [name, count] : topics->object()) {
      s = Expect(count, JsonValue::Type::kInt,
                 absl::StrCat("the partition count of topic ", name));
      if (!s.ok()) return s;
      if (count.int_value() < 0 ||
          count.int_value() > kMaxPartitionsPerTopic) {
        return BadInput(absl::StrCat("topic ", name, " has ", count.int_value(),
                                     " partitions; a topic has 0 to ",
                                     kMaxPartitionsPerTopic));
      }
      total_partitions += count.int_value();
      if (total_partitions > kMaxPartitionsPerTopic) {
        return BadInput(absl::StrCat("the topics have more than ",
                                     kMaxPartitionsPerTopic,
                                     " partitions in all"));
      }
      group.partitions_per_topic[name] =
          static_cast<int32_t>(count.int_value());
    }
  }

  const JsonValue* members = Field(*json, "members");
  if (members == nullptr) return BadInput("the input has no \"members\"");
  s = Expect(*members, JsonValue::Type::kArray, "\"members\"");
  if (!s.ok()) return s;
  for (size_t i = 0; i < members->array().size(); ++i) {
    absl::StatusOr<GroupMember> member = ParseMember(members->array()[i], i);
    if (!member.ok()) return member.status();
    group.members.push_back(*std::move(member));
  }
  return group;
}

std::string FormatAssignment(const GroupSubscription& group,
                             const GroupAssignment& assignment) {
  std::string out = "{";
  bool first_member = true;
  for (const GroupMember& member : group.members) {
    if (!first_member) out += ", ";
    first_member = false;
    absl::StrAppend(&out, JsonQuote(member.member_id), ": [");
    auto it = assignment.find(member.member_id);
    if (it != assignment.end()) {
      bool first = true;
      for (const TopicPartition& tp : it->second) {
        if (!first) out += ", ";
        first = false;
        absl::StrAppend(&out, "{\"topic\": ", JsonQuote(tp.topic),
                        ", \"partition\": ", tp.partition, "}");
      }
    }
    out += "]";
  }
  out += "}\n";
  return out;
}

}  // namespace

int RunAssignCommand(int argc, char** argv) {
  std::string strategy;
  bool have_strategy = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
    }
    if (arg == "--strategy") {
      if (i + 1 >= argc) return Fail(kExitBadInput, "--strategy needs a value");
      strategy = argv[++i];
      have_strategy = true;
    } else if (absl::StartsWith(arg, "--strategy=")) {
      strategy = std::string(arg.substr(sizeof("--strategy=") - 1));
      have_strategy = true;
    } else {
      return Fail(kExitBadInput,
                  absl::StrCat("assign: unexpected argument \"", arg,
                               "\" (see brook assign --help)"));
    }
  }
  if (!have_strategy) {
    return Fail(kExitBadInput,
                "assign needs --strategy range|roundrobin|sticky|"
                "cooperative-sticky");
  }
  if (AssignorByName(strategy) == nullptr) {
    return Fail(kExitBadInput,
                absl::StrCat("unknown --strategy \"", strategy,
                             "\"; expected range, roundrobin, sticky or "
                             "cooperative-sticky"));
  }
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  if (std::cin.bad()) return Fail(kExitFailed, "cannot read stdin");
  absl::StatusOr<std::string> out = AssignFromJson(strategy, input);
  if (!out.ok()) {
    const bool bad_input =
        out.status().code() == absl::StatusCode::kInvalidArgument;
    return Fail(bad_input ? kExitBadInput : kExitFailed,
                out.status().message());
  }
  if (std::fwrite(out->data(), 1, out->size(), stdout) != out->size() ||
      std::fflush(stdout) != 0) {
    return Fail(kExitFailed, "cannot write the assignment to stdout");
  }
  return kExitOk;
}

absl::StatusOr<std::string> AssignFromJson(absl::string_view strategy,
                                           absl::string_view input) {
  const std::shared_ptr<Assignor> assignor = AssignorByName(strategy);
  if (assignor == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown strategy \"", strategy, "\""));
  }
  absl::StatusOr<GroupSubscription> group = ParseInput(input);
  if (!group.ok()) return group.status();
  absl::StatusOr<GroupAssignment> assignment = assignor->Assign(*group);
  if (!assignment.ok()) {
    // A group the assignor refuses (kInvalidRequest) is bad input.
    if (GetErrorCode(assignment.status()) == ErrorCode::kInvalidRequest) {
      return absl::InvalidArgumentError(assignment.status().message());
    }
    return absl::InternalError(assignment.status().message());
  }
  return FormatAssignment(*group, *assignment);
}

}  // namespace cli
}  // namespace brook
