#include "bench_util.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace brook {
namespace bench {

std::string ThreadCount(int threads) {
  return absl::StrFormat("%d thread%s", threads, threads == 1 ? "" : "s");
}

Metric SyncSendRate(absl::string_view id_prefix, absl::string_view label_prefix,
                    int threads, double sends, double seconds) {
  Metric m;
  m.id = absl::StrFormat("%s_%dt", id_prefix, threads);
  m.label = absl::StrFormat("%s, %s", label_prefix, ThreadCount(threads));
  m.unit = "sends/s";
  m.value = sends / seconds;
  return m;
}

Dataset::Dataset(int64_t records, int key_bytes, int value_bytes)
    : records_(records), key_bytes_(key_bytes), value_bytes_(value_bytes) {
  // Zero-padded decimal counters: distinct, fixed width, sorted like the
  // records. The caller checks that key_bytes holds the largest counter.
  keys_.resize(static_cast<size_t>(records_) * key_bytes_);
  for (int64_t i = 0; i < records_; ++i) {
    char* out = keys_.data() + i * key_bytes_;
    int64_t n = i;
    for (int d = key_bytes_ - 1; d >= 0; --d) {
      out[d] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
  }
  // Pseudo-random printable bytes from a fixed seed (xorshift64): the same
  // values every run, and not trivially compressible.
  values_.resize(static_cast<size_t>(kValuePool) * value_bytes_);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (char& c : values_) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(' ' + x % 95);
  }
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least q of the values at or
  // below it.
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

double PeakRssMib() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return usage.ru_maxrss / 1024.0;  // Linux reports KiB.
}

double CpuSeconds() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

int64_t ProcessWrittenBytes() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return -1;
  char line[128];
  int64_t written = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    long long v;
    if (std::sscanf(line, "wchar: %lld", &v) == 1) written = v;
  }
  std::fclose(f);
  return written;
}

}  // namespace bench
}  // namespace brook
