#include "group/assignors/java_compat.h"

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace brook {
namespace assignors {
namespace {

// java.util.HashMap's constants.
constexpr size_t kDefaultCapacity = 16;
constexpr size_t kTreeifyThreshold = 8;
constexpr size_t kMinTreeifyCapacity = 64;

// HashMap.hash(): the high half folded into the low half.
uint32_t Spread(int32_t hash) {
  const uint32_t h = static_cast<uint32_t>(hash);
  return h ^ (h >> 16);
}

// Decodes one UTF-8 sequence at `s[*i]`, advancing *i. Returns U+FFFD for a
// malformed sequence (consuming one byte). Surrogate code points encoded as
// three bytes are accepted, so lone surrogates from JSON escapes round-trip.
uint32_t DecodeOne(absl::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  size_t len;
  uint32_t cp;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::u16string JavaChars(absl::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    const uint32_t cp = DecodeOne(utf8, &i);
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

int32_t JavaStringHash(absl::string_view utf8) {
  uint32_t h = 0;
  if (IsAscii(utf8)) {
    for (char c : utf8) h = 31 * h + static_cast<uint8_t>(c);
  } else {
    for (char16_t c : JavaChars(utf8)) h = 31 * h + c;
  }
  return static_cast<int32_t>(h);
}

int JavaStringCompare(absl::string_view a, absl::string_view b) {
  // For ASCII, byte order is code-unit order. Otherwise compare UTF-16 code
  // units: a supplementary character (a surrogate pair) sorts before U+E000
  // in Java, unlike in UTF-8 byte order.
  if (IsAscii(a) && IsAscii(b)) return a.compare(b);
  const std::u16string ua = JavaChars(a);
  const std::u16string ub = JavaChars(b);
  return ua.compare(ub);
}

int32_t JavaTopicPartitionHash(int32_t topic_hash, int32_t partition) {
  // result = 31 + partition; result = 31 * result + topic.hashCode()
  const uint32_t result = 31u + static_cast<uint32_t>(partition);
  return static_cast<int32_t>(31u * result + static_cast<uint32_t>(topic_hash));
}

std::vector<size_t> JavaHashMapOrder(const std::vector<int32_t>& key_hashes) {
  std::vector<std::vector<std::pair<size_t, uint32_t>>> table(kDefaultCapacity);
  size_t threshold = kDefaultCapacity * 3 / 4;
  size_t size = 0;
  const auto resize = [&] {
    const size_t new_cap = table.size() * 2;
    std::vector<std::vector<std::pair<size_t, uint32_t>>> next(new_cap);
    for (const auto& bin : table) {
      for (const auto& node : bin) {
        next[node.second & (new_cap - 1)].push_back(node);
      }
    }
    table = std::move(next);
    threshold *= 2;
  };
  for (size_t i = 0; i < key_hashes.size(); ++i) {
    const uint32_t h = Spread(key_hashes[i]);
    auto& bin = table[h & (table.size() - 1)];
    bin.emplace_back(i, h);
    // putVal's treeifyBin call resizes instead while the table is small.
    if (bin.size() > kTreeifyThreshold && table.size() < kMinTreeifyCapacity) {
      resize();
    }
    if (++size > threshold) resize();
  }
  std::vector<size_t> order;
  order.reserve(key_hashes.size());
  for (const auto& bin : table) {
    for (const auto& node : bin) order.push_back(node.first);
  }
  return order;
}

bool JavaHashSet::Add(int key, int32_t hash) {
  if (table_.empty()) {
    table_.resize(kDefaultCapacity);
    threshold_ = kDefaultCapacity * 3 / 4;
  }
  const uint32_t h = Spread(hash);
  auto& bin = table_[h & (table_.size() - 1)];
  for (const auto& node : bin) {
    if (node.first == key) return false;
  }
  bin.emplace_back(key, h);
  if (bin.size() > kTreeifyThreshold && table_.size() < kMinTreeifyCapacity) {
    Resize();
  }
  if (++size_ > threshold_) Resize();
  return true;
}

bool JavaHashSet::Remove(int key, int32_t hash) {
  if (table_.empty()) return false;
  auto& bin = table_[Spread(hash) & (table_.size() - 1)];
  for (auto it = bin.begin(); it != bin.end(); ++it) {
    if (it->first == key) {
      bin.erase(it);
      --size_;
      return true;
    }
  }
  return false;
}

int JavaHashSet::First() const {
  for (const auto& bin : table_) {
    if (!bin.empty()) return bin.front().first;
  }
  assert(false && "First() on an empty JavaHashSet");
  return -1;
}

void JavaHashSet::Resize() {
  const size_t new_cap = table_.size() * 2;
  std::vector<std::vector<std::pair<int, uint32_t>>> next(new_cap);
  for (const auto& bin : table_) {
    for (const auto& node : bin) {
      next[node.second & (new_cap - 1)].push_back(node);
    }
  }
  table_ = std::move(next);
  threshold_ *= 2;
}

}  // namespace assignors
}  // namespace brook
