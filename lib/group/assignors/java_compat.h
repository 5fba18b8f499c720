// The few pieces of Java semantics Kafka's assignors depend on, so brook's
// assignors can give Kafka's exact results: String ordering and hashing (over
// UTF-16 code units), TopicPartition.hashCode, and the iteration order of
// java.util.HashMap / HashSet, which decides some of Kafka's tie-breaks.
#ifndef BROOK_LIB_GROUP_ASSIGNORS_JAVA_COMPAT_H_
#define BROOK_LIB_GROUP_ASSIGNORS_JAVA_COMPAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace brook {
namespace assignors {

// The UTF-16 code units Java would hold for the UTF-8 text `utf8`. Bytes that
// are not valid UTF-8 become U+FFFD, as in new String(bytes, UTF_8); encoded
// surrogates (WTF-8) decode to themselves.
std::u16string JavaChars(absl::string_view utf8);

// String.hashCode.
int32_t JavaStringHash(absl::string_view utf8);

// String.compareTo: negative, zero or positive.
int JavaStringCompare(absl::string_view a, absl::string_view b);

// Kafka's TopicPartition.hashCode, given the topic's String.hashCode.
int32_t JavaTopicPartitionHash(int32_t topic_hash, int32_t partition);

// The order in which a java.util.HashMap built with the default constructor
// iterates its keys after they were put in the order of `key_hashes` (all
// keys distinct): indexes into `key_hashes`. Bins ordered by spread hash at
// the final table size, insertion order within a bin, the table doubling
// whenever the size passes 3/4 of it or a bin grows past 8 in a table smaller
// than 64. (Kafka's assignors never see enough colliding keys for a bin to be
// turned into a tree, so that case keeps list order.)
std::vector<size_t> JavaHashMapOrder(const std::vector<int32_t>& key_hashes);

// A java.util.HashSet of ints (standing for objects whose hashCode the caller
// supplies), tracking only what decides iteration order. Kafka's sticky
// assignor takes "the first element" of such sets.
class JavaHashSet {
 public:
  // Adds `key` unless present. Returns true if it was added.
  bool Add(int key, int32_t hash);
  // Removes `key` if present. Returns true if it was there.
  bool Remove(int key, int32_t hash);
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // The element an iterator returns first. REQUIRES: !empty().
  int First() const;

 private:
  void Resize();

  // Bins of (key, spread hash); empty until the first Add, like Java's table.
  std::vector<std::vector<std::pair<int, uint32_t>>> table_;
  size_t size_ = 0;
  size_t threshold_ = 0;
};

}  // namespace assignors
}  // namespace brook

#endif  // BROOK_LIB_GROUP_ASSIGNORS_JAVA_COMPAT_H_
