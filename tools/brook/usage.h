// The help texts of the brook CLI, one per command, printed by --help. Kept
// together so the wording stays consistent and every flag is described in
// one place.
#ifndef BROOK_TOOLS_BROOK_USAGE_H_
#define BROOK_TOOLS_BROOK_USAGE_H_

#include "absl/strings/string_view.h"

namespace brook {
namespace cli {

absl::string_view MainHelp();
absl::string_view TopicsHelp();
absl::string_view GroupsHelp();
absl::string_view ProduceHelp();
absl::string_view ConsumeHelp();
absl::string_view PartitionHelp();
absl::string_view SalvageHelp();
absl::string_view DeleteRecordsHelp();

}  // namespace cli
}  // namespace brook

#endif  // BROOK_TOOLS_BROOK_USAGE_H_
