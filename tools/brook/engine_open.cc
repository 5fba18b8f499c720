#include "engine_open.h"

#include "absl/strings/str_cat.h"
#include "cli_status.h"

namespace brook {
namespace cli {

absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(
    const std::optional<std::string>& data_dir, absl::string_view command,
    Access access, absl::string_view action) {
  if (!data_dir.has_value() || data_dir->empty()) {
    return UsageError(absl::StrCat("'", command, "' needs --data DIR"),
                      command);
  }
  if (access == Access::kRead) {
    EngineOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    return Engine::Open(options, *data_dir);
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(EngineOptions{}, *data_dir);
  if (GetErrorCode(engine.status()) != ErrorCode::kDirectoryInUse) {
    return engine;
  }
  // brook's message carries RocksDB's lock-file text; the user needs only to
  // know which directory and why.
  return Error(ErrorCode::kDirectoryInUse,
               absl::StrCat("data directory ", *data_dir,
                            " is in use by another process; 'brook ", action,
                            "' cannot run until that process closes it "
                            "(read-only commands such as 'topics list' and "
                            "'groups describe' can)"));
}

}  // namespace cli
}  // namespace brook
