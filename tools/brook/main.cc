// brook: the command-line tool. Parses the global flags, dispatches to one
// command, and turns its status into one stderr line and an exit code.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "assign.h"
#include "cli_status.h"
#include "client_open.h"
#include "commands.h"
#include "stdout_writer.h"
#include "usage.h"

namespace brook {
namespace cli {
namespace {

// Global flags come before the command: "brook --data DIR topics list",
// "brook --bootstrap-server HOST:PORT topics list".
absl::Status Run(absl::Span<const std::string> args) {
  Target target;
  size_t i = 0;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return WriteStdout(MainHelp());
    if (arg == "--data") {
      if (i + 1 >= args.size()) return UsageError("flag --data needs a value");
      target.data_dir = args[i + 1];
      i += 2;
    } else if (arg.rfind("--data=", 0) == 0) {
      target.data_dir = arg.substr(7);
      ++i;
    } else if (arg == "--bootstrap-server") {
      if (i + 1 >= args.size()) {
        return UsageError("flag --bootstrap-server needs a value");
      }
      target.bootstrap_servers = args[i + 1];
      i += 2;
    } else if (arg.rfind("--bootstrap-server=", 0) == 0) {
      target.bootstrap_servers = arg.substr(19);
      ++i;
    } else {
      return UsageError(absl::StrCat("unknown flag ", arg));
    }
  }
  if (i == args.size()) return UsageError("no command given");
  const std::string& command = args[i];
  absl::Span<const std::string> rest = args.subspan(i + 1);
  if (command == "topics") return RunTopics(rest, target);
  if (command == "groups") return RunGroups(rest, target);
  if (command == "produce") return RunProduce(rest, target);
  if (command == "consume") return RunConsume(rest, target);
  if (command == "partition") return RunPartition(rest);
  if (command == "delete-records") return RunDeleteRecords(rest, target);
  if (command == "salvage") return RunSalvage(rest, target);
  if (command == "help") return WriteStdout(MainHelp());
  return UsageError(absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace
}  // namespace cli
}  // namespace brook

int main(int argc, char** argv) {
  // A closed stdout is an error to handle (stdout_writer.h), not a kill.
  signal(SIGPIPE, SIG_IGN);
  // produce reads stdin line by line; C stdio sync would make that slow.
  std::ios::sync_with_stdio(false);
  // assign reads JSON and writes JSON, reporting its own errors.
  if (argc > 1 && std::string(argv[1]) == "assign") {
    return brook::cli::RunAssignCommand(argc - 1, argv + 1);
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  const absl::Status status = brook::cli::Run(args);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", brook::cli::ErrorLine(status).c_str());
  }
  return brook::cli::ExitCodeFor(status);
}
