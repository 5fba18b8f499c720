// What every example shares: how an error is printed, and a main() that runs
// the example in the data directory given on the command line, or in a fresh
// temporary one that is removed afterwards (so running twice works).
#ifndef BROOK_EXAMPLES_EXAMPLE_MAIN_H_
#define BROOK_EXAMPLES_EXAMPLE_MAIN_H_

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "brook/error.h"

namespace example {

// "Kafka-name: message", e.g. "UnknownTopicOrPartition: topic x ...".
inline std::string Describe(const absl::Status& status) {
  return absl::StrCat(brook::ErrorCodeName(brook::GetErrorCode(status)), ": ",
                      status.message());
}

// Runs `run` on argv[1], or on a new temporary directory that is removed
// afterwards; prints a failure and returns the process exit code.
inline int RunInDataDir(
    int argc, char** argv, const char* name,
    absl::FunctionRef<absl::Status(const std::string&)> run) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    dir = (std::filesystem::temp_directory_path() /
           absl::StrCat("brook-", name, "-XXXXXX"))
              .string();
    if (mkdtemp(dir.data()) == nullptr) {
      absl::FPrintF(stderr, "%s: cannot create %s\n", name, dir);
      return 1;
    }
  }
  // `run` returns only after every brook object is gone, so the directory
  // is no longer open when it is removed.
  const absl::Status status = run(dir);
  if (argc <= 1) {
    std::error_code ignored;  // Best effort: a leftover temp dir is harmless.
    std::filesystem::remove_all(dir, ignored);
  }
  if (!status.ok()) {
    absl::FPrintF(stderr, "%s: %s\n", name, Describe(status));
    return 1;
  }
  return 0;
}

}  // namespace example

#endif  // BROOK_EXAMPLES_EXAMPLE_MAIN_H_
