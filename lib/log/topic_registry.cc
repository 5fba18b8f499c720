#include "log/topic_registry.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
    return Error(ErrorCode::kCorruptMessage,
                 absl::StrCat("corrupt metadata for topic ", name));
  }
  *config = *std::move(parsed);
  return absl::OkStatus();
}

// The offsets partition `p` of `topic` holds: [start, end).
struct StoredRange {
  int64_t start = 0;
  int64_t end = 0;
};

// nullopt for an empty partition; CorruptMessage when its last batch
// cannot be read (never resume behind it: the next append would overwrite
// it under the same key).
absl::StatusOr<std::optional<StoredRange>> ReadStoredRange(Store* store,
                                                           const Topic& topic,
                                                           int32_t p) {
  BROOK_ASSIGN_OR_RETURN(
      std::optional<Store::PartitionEnds> ends,
      store->GetPartitionEnds(topic.cf(), p, kBatchHeaderSize));
  if (!ends) return std::nullopt;
  const int32_t count = BatchRecordCount(ends->last_head);
  if (count <= 0) {
    return Error(ErrorCode::kCorruptMessage,
                 absl::StrCat("topic ", topic.name(), " partition ", p,
                              ": the last batch (base offset ",
                              ends->last_base_offset, ") is malformed"));
  }
  return StoredRange{ends->first_base_offset, ends->last_base_offset + count};
}

absl::Status RecoverPartitions(Store* store, Topic* topic) {
  for (int32_t p = 0; p < topic->num_partitions(); ++p) {
    BROOK_ASSIGN_OR_RETURN(std::optional<StoredRange> range,
                           ReadStoredRange(store, *topic, p));
    if (!range) continue;
    PartitionState& state = topic->partition(p);
    state.log_start.store(range->start);
    state.next_offset = range->end;
    state.high_watermark.store(range->end);
  }
  return absl::OkStatus();
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
    int32_t partitions;
    std::string family;
    TopicConfig config;
  };
  std::vector<Found> found;
  absl::Status decode_status;
  BROOK_RETURN_IF_ERROR(store->ScanMeta(
      kTopicPrefix, [&](absl::string_view key, absl::string_view value) {
        Found f;
        f.name = std::string(key.substr(kTopicPrefix.size()));
        absl::Status s =
            DecodeTopic(f.name, value, &f.partitions, &f.family, &f.config);
        if (!s.ok() && decode_status.ok()) decode_status = s;
        found.push_back(std::move(f));
      }));
  BROOK_RETURN_IF_ERROR(decode_status);

  BROOK_ASSIGN_OR_RETURN(std::optional<std::string> seq,
                         store->GetMeta(kSeqKey));
  absl::MutexLock lock(&registry->mu_);
  if (seq && !absl::SimpleAtoi(*seq, &registry->next_seq_)) {
    return Error(ErrorCode::kCorruptMessage, "corrupt topic sequence");
  }
  for (Found& f : found) {
    auto it = families.find(f.family);
    if (it == families.end()) {
      return Error(
          ErrorCode::kCorruptMessage,
          absl::StrCat("topic ", f.name, " has no column family ", f.family));
    }
    if (!store->read_only()) {
      BROOK_RETURN_IF_ERROR(
          store->SetCompression(*it->second, CodecFor(f.config)));
    }
    auto topic = std::make_shared<Topic>(f.name, f.partitions, f.config,
                                         std::move(it->second));
    families.erase(it);
    BROOK_RETURN_IF_ERROR(RecoverPartitions(store, topic.get()));
    registry->topics_.emplace(f.name, std::move(topic));
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
    for (int32_t p = 0; p < topic->num_partitions(); ++p) {
      absl::StatusOr<std::optional<StoredRange>> range =
          ReadStoredRange(store_, *topic, p);
      if (!range.ok()) {  // The other partitions still move on.
        first_error.Update(range.status());
        continue;
      }
      if (!*range) continue;
      PartitionState& state = topic->partition(p);
      state.log_start.store((*range)->start, std::memory_order_release);
      if ((*range)->end >
          state.high_watermark.load(std::memory_order_acquire)) {
        state.high_watermark.store((*range)->end, std::memory_order_release);
        *advanced = true;
      }
    }
  }
  return first_error;
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::Create(
    absl::string_view name, int32_t partitions, const TopicConfig& config) {
  BROOK_RETURN_IF_ERROR(ValidateTopicName(name));
  if (partitions <= 0) {
    return Error(ErrorCode::kInvalidPartitions,
                 absl::StrCat("topic ", name,
                              ": partition count must be "
                              "positive, got ",
                              partitions));
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
  const int64_t seq = next_seq_++;
  const std::string family = absl::StrCat("topic.", seq, ".", name);
  BROOK_ASSIGN_OR_RETURN(ColumnFamilyRef cf,
                         store_->CreateFamily(family, CodecFor(config)));
  // The family exists before the record naming it: a crash in between
  // leaves an orphan family that Recover drops.
  StoreWriteBatch batch;
  batch.PutMeta(MetaKey(name), EncodeTopic(partitions, family, config));
  batch.PutMeta(kSeqKey, absl::StrCat(next_seq_));
  absl::Status s = store_->Write(&batch, /*sync=*/true);
  if (!s.ok()) {
    store_->DropFamily(*cf).IgnoreError();  // Reported: the write failure.
    return s;
  }
  auto topic = std::make_shared<Topic>(std::string(name), partitions, config,
                                       std::move(cf));
  topics_.emplace(std::string(name), topic);
  return topic;
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::Remove(
    absl::string_view name, StoreWriteBatch* also) {
  absl::MutexLock lock(&mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return UnknownTopic(name);
  also->DeleteMeta(MetaKey(name));
  BROOK_RETURN_IF_ERROR(store_->Write(also, /*sync=*/true));
  std::shared_ptr<Topic> topic = std::move(it->second);
  topics_.erase(it);
  return topic;
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
