// brook assign: runs one of Kafka's consumer partition assignors on a group
// described in JSON, so applications (and the conformance suite) can see
// which member a Kafka group would give each partition.
#ifndef BROOK_TOOLS_BROOK_ASSIGN_H_
#define BROOK_TOOLS_BROOK_ASSIGN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace brook {
namespace cli {

// brook assign --strategy range|roundrobin|sticky|cooperative-sticky
//
// Reads on stdin
//   {"topics": {"t1": 3, ...},
//    "members": [{"id": "c1", "topics": ["t1"],
//                 "owned": [{"topic": "t1", "partition": 0}],  (optional)
//                 "generation": 3,                              (optional)
//                 "instance_id": "i-1"}, ...]}                  (optional)
// and writes {"c1": [{"topic": "t1", "partition": 0}, ...], ...} on stdout:
// every member, each list sorted by topic then partition.
//
// argv[0] is the command's own name ("assign"); the flags follow. Returns the
// process exit status: 0 on success, 2 for a bad command line or bad input,
// 1 if the assignment itself fails; failures print one line on stderr.
int RunAssignCommand(int argc, char** argv);

// The assignment of the group `input` describes (the JSON above) by the
// assignor named `strategy`, as the JSON RunAssignCommand prints.
// InvalidArgument for bad input (malformed JSON, a wrong type, more than
// kMaxPartitionsPerTopic partitions in all, a group the assignor refuses).
absl::StatusOr<std::string> AssignFromJson(absl::string_view strategy,
                                           absl::string_view input);

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_ASSIGN_H_
