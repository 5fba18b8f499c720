#include "client_open.h"

#include "absl/strings/str_cat.h"
#include "cli_status.h"

namespace brook {
namespace cli {

void Target::Update(const ParsedFlags& flags) {
  if (flags.Has("data")) data_dir = flags.Get("data");
  if (flags.Has("bootstrap-server")) {
    bootstrap_servers = flags.Get("bootstrap-server");
  }
}

namespace {

absl::StatusOr<std::unique_ptr<Engine>> OpenEngine(const std::string& data_dir,
                                                   Access access,
                                                   absl::string_view action) {
  if (access == Access::kRead) {
    EngineOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    return Engine::Open(options, data_dir);
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(EngineOptions{}, data_dir);
  if (GetErrorCode(engine.status()) != ErrorCode::kDirectoryInUse) {
    return engine;
  }
  // brook's message carries RocksDB's lock-file text; the user needs only to
  // know which directory and why.
  return Error(ErrorCode::kDirectoryInUse,
               absl::StrCat("data directory ", data_dir,
                            " is in use by another process; 'brook ", action,
                            "' cannot run until that process closes it "
                            "(read-only commands such as 'topics list' and "
                            "'groups describe' can)"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> OpenClient(const Target& target,
                                                   absl::string_view command,
                                                   Access access,
                                                   absl::string_view action) {
  const bool dir = target.data_dir.has_value() && !target.data_dir->empty();
  const bool cluster = target.bootstrap_servers.has_value() &&
                       !target.bootstrap_servers->empty();
  if (dir && cluster) {
    return UsageError(
        absl::StrCat("'", command,
                     "' takes --data DIR or --bootstrap-server HOST:PORT, "
                     "not both"),
        command);
  }
  if (cluster) {
    // librdkafka logs connection trouble ("1/1 brokers are down", retries)
    // to stderr on its own, which would break the CLI's one error line per
    // failure: the command reports what failed through its status instead.
    return Client::Open({{"bootstrap.servers", *target.bootstrap_servers},
                         {"log_level", "0"}});
  }
  if (!dir) {
    return UsageError(absl::StrCat("'", command,
                                   "' needs --data DIR or "
                                   "--bootstrap-server HOST:PORT"),
                      command);
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      OpenEngine(*target.data_dir, access, action);
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<Client>(*std::move(engine));
}

}  // namespace cli
}  // namespace brook
