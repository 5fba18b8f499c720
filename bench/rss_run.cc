#include "rss_run.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "brook_workloads.h"

extern char** environ;

namespace brook {
namespace bench {

namespace {

// Where the child leaves its peak RSS. The child measures itself: getrusage
// and wait4 carry the parent's high-water mark across exec on Linux, while
// /proc/self/status's VmHWM belongs to the new address space alone.
std::string ResultPath(const std::string& dir) { return dir + ".rss-kib"; }

// VmHWM of this process in KiB, or -1.
double PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      double kib = -1;
      std::istringstream(line.substr(6)) >> kib;
      return kib;
    }
  }
  return -1;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunIsolatedRss(const RunEnv& env) {
  const Config& c = *env.config;
  std::vector<std::string> args = {"/proc/self/exe",
                                   kRssChildFlag,
                                   env.dir,
                                   absl::StrCat(c.records),
                                   absl::StrCat(c.key_bytes),
                                   absl::StrCat(c.value_bytes),
                                   absl::StrCat(c.partitions)};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int err =
      posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (err != 0) {
    return absl::InternalError(
        absl::StrCat("posix_spawn: ", std::strerror(err)));
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) {
    return absl::InternalError(absl::StrCat("waitpid: ", std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("the RSS child failed (wait status ", status, ")"));
  }
  double kib = 0;
  {
    std::ifstream in(ResultPath(env.dir));
    if (!(in >> kib) || kib <= 0) {
      return absl::InternalError("the RSS child wrote no result");
    }
  }
  std::remove(ResultPath(env.dir).c_str());
  Metric m;
  m.id = "peak_rss_1m_run_mib";
  m.label = "peak RSS, produce+consume run in its own process";
  m.unit = "MiB";
  m.value = kib / 1024.0;
  return std::vector<Metric>{m};
}

int RssChildMain(int argc, char** argv) {
  Config config;
  int64_t records = 0;
  if (argc != 6 || !absl::SimpleAtoi(argv[2], &records) ||
      !absl::SimpleAtoi(argv[3], &config.key_bytes) ||
      !absl::SimpleAtoi(argv[4], &config.value_bytes) ||
      !absl::SimpleAtoi(argv[5], &config.partitions)) {
    std::fprintf(stderr, "brook-bench: bad %s arguments\n", kRssChildFlag);
    return 2;
  }
  config.records = records;
  const Dataset data(config.records, config.key_bytes, config.value_bytes);
  absl::StatusOr<std::vector<Metric>> result =
      RunConsume(RunEnv{&config, &data, argv[1]});
  if (!result.ok()) {
    std::fprintf(stderr, "brook-bench: %s\n",
                 result.status().ToString().c_str());
    return 1;
  }
  std::ofstream out(ResultPath(argv[1]));
  out << PeakRssKib() << "\n";
  return out.good() ? 0 : 1;
}

}  // namespace bench
}  // namespace brook
