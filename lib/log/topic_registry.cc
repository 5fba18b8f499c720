#include "log/topic_registry.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "brook/admin.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "util/status_macros.h"
#include "util/topic_name.h"

namespace brook {
namespace {

constexpr absl::string_view kTopicPrefix = "topic/";
constexpr absl::string_view kSeqKey = "topic-seq";

std::string MetaKey(absl::string_view name) {
  return absl::StrCat(kTopicPrefix, name);
}

// RocksDB codec for a topic's compression.type.
std::string CodecFor(const TopicConfig& config) {
  const std::string& c = config.compression_type;
  if (c == "gzip") return "zlib";
  if (c == "snappy" || c == "lz4" || c == "zstd") return c;
  return "none";  // producer, uncompressed, none.
}

std::string EncodeTopic(int32_t partitions, const std::string& family,
                        const TopicConfig& config) {
  std::string out =
      absl::StrCat("partitions=", partitions, "\nfamily=", family, "\n");
  for (const auto& [k, v] : config.ToProperties()) {
    absl::StrAppend(&out, k, "=", v, "\n");
  }
  return out;
}

absl::Status DecodeTopic(absl::string_view name, absl::string_view value,
                         int32_t* partitions, std::string* family,
                         TopicConfig* config) {
  Properties props;
  *partitions = 0;
  for (absl::string_view line :
       absl::StrSplit(value, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (kv.first == "partitions") {
      if (!absl::SimpleAtoi(kv.second, partitions)) *partitions = 0;
    } else if (kv.first == "family") {
      *family = std::string(kv.second);
    } else {
      props[std::string(kv.first)] = std::string(kv.second);
    }
  }
  absl::StatusOr<TopicConfig> parsed = TopicConfig::FromProperties(props);
  if (*partitions <= 0 || family->empty() || !parsed.ok()) {
    return Error(ErrorCode::kCorruption,
                 absl::StrCat("topic ", name,
                              ": its metadata record is damaged; delete "
                              "the topic to remove it"));
  }
  if (*partitions > kMaxPartitionsPerTopic) {
    // Stored by a version without the limit: holding it would take
    // gigabytes of memory.
    return Error(ErrorCode::kCorruption,
                 absl::StrCat("topic ", name, " has ", *partitions,
                              " partitions, more than the ",
                              kMaxPartitionsPerTopic,
                              " a topic may have; delete the topic to "
                              "remove it"));
  }
  *config = *std::move(parsed);
  return absl::OkStatus();
}

// The sequence number in a family's name ("topic.<seq>.<name>"), or -1.
int64_t FamilySeq(absl::string_view family) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(family, absl::MaxSplits('.', 2));
  int64_t seq;
  if (parts.size() != 3 || parts[0] != "topic" ||
      !absl::SimpleAtoi(parts[1], &seq)) {
    return -1;
  }
  return seq;
}

// Sets each partition's log start, end and high watermark from what
// storage holds. CorruptMessage when a partition's last batch cannot be read
// (never resume behind it: the next append would overwrite it under the
// same key).
absl::Status RecoverPartitions(Store* store, Topic* topic) {
  absl::Status damaged;
  BROOK_RETURN_IF_ERROR(store->ScanPartitionEnds(
      topic->cf(), kBatchHeaderSize,
      [&](int32_t p, const Store::PartitionEnds& ends) {
        if (!damaged.ok() || p >= topic->num_partitions()) return;
        const int32_t count = BatchRecordCount(ends.last_head);
        if (count <= 0) {
          damaged = Error(
              ErrorCode::kCorruption,
              absl::StrCat("topic ", topic->name(), " partition ", p,
                           ": the last batch (base offset ",
                           ends.last_base_offset, ") is damaged"));
          return;
        }
        PartitionState& state = topic->partition(p);
        state.log_start.store(ends.first_base_offset);
        state.next_offset = ends.last_base_offset + count;
        state.high_watermark.store(state.next_offset);
      }));
  return damaged;
}

}  // namespace

absl::Status UnknownTopic(absl::string_view name) {
  return Error(ErrorCode::kUnknownTopicOrPartition,
               absl::StrCat("topic ", name, " does not exist"));
}

absl::Status UnknownPartition(const Topic& topic, int32_t partition) {
  return Error(
      ErrorCode::kUnknownTopicOrPartition,
      absl::StrCat("topic ", topic.name(), " has ", topic.num_partitions(),
                   topic.num_partitions() == 1 ? " partition" : " partitions",
                   "; partition ", partition, " does not exist"));
}

absl::StatusOr<std::unique_ptr<TopicRegistry>> TopicRegistry::Recover(
    Store* store) {
  std::unique_ptr<TopicRegistry> registry(new TopicRegistry(store));
  std::map<std::string, ColumnFamilyRef> families = store->TakeOpenedFamilies();

  struct Found {
    std::string name;
    int32_t partitions = 0;
    std::string family;
    TopicConfig config;
    absl::Status problem;
  };
  std::vector<Found> found;
  BROOK_RETURN_IF_ERROR(store->ScanMeta(
      kTopicPrefix, [&](absl::string_view key, absl::string_view value) {
        Found f;
        f.name = std::string(key.substr(kTopicPrefix.size()));
        f.problem =
            DecodeTopic(f.name, value, &f.partitions, &f.family, &f.config);
        found.push_back(std::move(f));
      }));

  BROOK_ASSIGN_OR_RETURN(std::optional<std::string> seq,
                         store->GetMeta(kSeqKey));
  absl::MutexLock lock(&registry->mu_);
  int64_t next_seq = 0;
  if (seq) absl::SimpleAtoi(*seq, &next_seq);  // Damaged: derived below.
  // Never reuse a family's sequence number, whatever the stored counter
  // says: a re-created topic must get a new family.
  for (const auto& [name, cf] : families) {
    next_seq = std::max(next_seq, FamilySeq(name) + 1);
  }
  for (const Found& f : found) {
    next_seq = std::max(next_seq, FamilySeq(f.family) + 1);
  }
  registry->next_seq_ = next_seq;

  for (Found& f : found) {
    ColumnFamilyRef cf;
    if (auto it = families.find(f.family); it != families.end()) {
      cf = std::move(it->second);
      families.erase(it);
    } else if (f.problem.ok()) {
      f.problem = Error(ErrorCode::kCorruption,
                        absl::StrCat("topic ", f.name, ": its column family ",
                                     f.family,
                                     " is missing; delete the topic to "
                                     "remove it"));
    }
    if (f.problem.ok()) {
      if (!store->read_only()) {
        BROOK_RETURN_IF_ERROR(store->SetCompression(*cf, CodecFor(f.config)));
      }
      auto topic = std::make_shared<Topic>(f.name, f.partitions, f.config, cf);
      f.problem = RecoverPartitions(store, topic.get());
      if (f.problem.ok()) {
        registry->topics_.emplace(f.name, std::move(topic));
        continue;
      }
    }
    // Only damage sets a topic aside; a storage failure fails the open.
    if (GetErrorCode(f.problem) != ErrorCode::kCorruption) return f.problem;
    registry->unreadable_.emplace(
        f.name, UnreadableTopic{std::move(f.problem), std::move(cf)});
  }
  // Families left over belong to creations interrupted before their meta
  // record was written, or deletions interrupted after it was removed (or,
  // read-only, under way in the process that holds the directory).
  if (store->read_only()) return registry;
  for (auto& [name, cf] : families) {
    BROOK_RETURN_IF_ERROR(store->DropFamily(*cf));
  }
  return registry;
}

absl::Status TopicRegistry::Refresh(bool* advanced) {
  std::vector<std::shared_ptr<Topic>> topics;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  *advanced = false;
  absl::Status first_error;
  for (const std::shared_ptr<Topic>& topic : topics) {
    // A partition that cannot be read keeps what was known; the others
    // still move on.
    first_error.Update(store_->ScanPartitionEnds(
        topic->cf(), kBatchHeaderSize,
        [&](int32_t p, const Store::PartitionEnds& ends) {
          if (p >= topic->num_partitions()) return;
          const int32_t count = BatchRecordCount(ends.last_head);
          if (count <= 0) return;
          PartitionState& state = topic->partition(p);
          state.log_start.store(ends.first_base_offset,
                                std::memory_order_release);
          const int64_t end = ends.last_base_offset + count;
          if (end > state.high_watermark.load(std::memory_order_acquire)) {
            state.high_watermark.store(end, std::memory_order_release);
            *advanced = true;
          }
        }));
  }
  return first_error;
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::Create(
    absl::string_view name, int32_t partitions, const TopicConfig& config) {
  BROOK_RETURN_IF_ERROR(ValidateTopicName(name));
  if (partitions <= 0 || partitions > kMaxPartitionsPerTopic) {
    return Error(ErrorCode::kInvalidPartitions,
                 absl::StrCat("topic ", name, ": partition count must be in [1, ",
                              kMaxPartitionsPerTopic, "], got ", partitions));
  }
  // Validate the config through its own parser, so a struct filled by hand
  // obeys the same rules as properties.
  BROOK_RETURN_IF_ERROR(
      TopicConfig::FromProperties(config.ToProperties()).status());

  absl::MutexLock lock(&mu_);
  if (topics_.contains(name)) {
    return Error(ErrorCode::kTopicAlreadyExists,
                 absl::StrCat("topic ", name, " already exists"));
  }
  if (unreadable_.contains(name)) {
    return Error(ErrorCode::kTopicAlreadyExists,
                 absl::StrCat("topic ", name,
                              " already exists but cannot be read; delete it "
                              "first"));
  }
  const int64_t seq = next_seq_++;
  const std::string family = absl::StrCat("topic.", seq, ".", name);
  BROOK_ASSIGN_OR_RETURN(ColumnFamilyRef cf,
                         store_->CreateFamily(family, CodecFor(config)));
  // All or nothing: everything the topic needs in memory exists before its
  // record is stored. The family exists before the record naming it: a
  // crash in between leaves an orphan family that Recover drops.
  auto topic = std::make_shared<Topic>(std::string(name), partitions, config,
                                       cf);
  StoreWriteBatch batch;
  batch.PutMeta(MetaKey(name), EncodeTopic(partitions, family, config));
  batch.PutMeta(kSeqKey, absl::StrCat(next_seq_));
  absl::Status s = store_->Write(&batch, /*sync=*/true);
  if (!s.ok()) {
    store_->DropFamily(*cf).IgnoreError();  // Reported: the write failure.
    return s;
  }
  topics_.emplace(std::string(name), topic);
  return topic;
}

absl::StatusOr<TopicRegistry::Removed> TopicRegistry::Remove(
    absl::string_view name, StoreWriteBatch* also) {
  absl::MutexLock lock(&mu_);
  Removed removed;
  if (auto it = topics_.find(name); it != topics_.end()) {
    also->DeleteMeta(MetaKey(name));
    BROOK_RETURN_IF_ERROR(store_->Write(also, /*sync=*/true));
    removed.topic = std::move(it->second);
    removed.family = removed.topic->cf_ref();
    topics_.erase(it);
    return removed;
  }
  if (auto it = unreadable_.find(name); it != unreadable_.end()) {
    also->DeleteMeta(MetaKey(name));
    BROOK_RETURN_IF_ERROR(store_->Write(also, /*sync=*/true));
    removed.family = std::move(it->second.family);
    unreadable_.erase(it);
    return removed;
  }
  return UnknownTopic(name);
}

absl::Status TopicRegistry::Unreadable(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = unreadable_.find(name);
  return it == unreadable_.end() ? absl::OkStatus() : it->second.reason;
}

std::map<std::string, absl::Status> TopicRegistry::ListUnreadable() const {
  std::map<std::string, absl::Status> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, u] : unreadable_) out.emplace(name, u.reason);
  return out;
}

std::shared_ptr<Topic> TopicRegistry::Find(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::string> TopicRegistry::List() const {
  std::vector<std::string> names;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, unused] : topics_) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace brook
