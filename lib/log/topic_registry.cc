#include "log/topic_registry.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
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
constexpr absl::string_view kFloorPrefix = "end-floor/";
constexpr absl::string_view kStartPrefix = "log-start/";
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

std::string FloorPrefix(absl::string_view family) {
  return absl::StrCat(kFloorPrefix, family, "/");
}

std::string StartPrefix(absl::string_view family) {
  return absl::StrCat(kStartPrefix, family, "/");
}

// Calls fn(partition, offset) for each "<prefix><partition>" = offset record
// of `topic`; Corruption naming `what` for a damaged one.
absl::Status ScanPartitionOffsets(
    Store* store, const Topic& topic, const std::string& prefix,
    absl::string_view what,
    absl::FunctionRef<void(int32_t partition, int64_t offset)> fn) {
  absl::Status damaged;
  BROOK_RETURN_IF_ERROR(store->ScanMeta(
      prefix, [&](absl::string_view key, absl::string_view value) {
        int32_t p;
        int64_t offset;
        if (!absl::SimpleAtoi(key.substr(prefix.size()), &p) ||
            !absl::SimpleAtoi(value, &offset) || p < 0 ||
            p >= topic.num_partitions() || offset < 0) {
          damaged = Error(ErrorCode::kCorruption,
                          absl::StrCat("topic ", topic.name(), ": a damaged ",
                                       what, " record"));
          return;
        }
        fn(p, offset);
      }));
  return damaged;
}

// Moves partition `p`'s log start to `start` (recorded when retention or
// DeleteRecords moved it), and its end too when no batch is left.
void ApplyStart(Topic* topic, int32_t p, int64_t start) {
  PartitionState& state = topic->partition(p);
  if (state.log_start.load() < start) state.log_start.store(start);
  if (state.next_offset < start) {
    state.next_offset = start;
    state.high_watermark.store(start);
    state.synced_end.store(start);
  }
}

// Moves partition `p` of `topic` to continue from `floor` when its stored
// batches end below it; a partition with no batch left starts there too.
void ApplyFloor(Topic* topic, int32_t p, int64_t floor) {
  PartitionState& state = topic->partition(p);
  if (state.next_offset >= floor) return;
  if (state.next_offset == 0 && state.log_start.load() == 0) {
    state.log_start.store(floor);
  }
  state.next_offset = floor;
  state.high_watermark.store(floor);
  state.synced_end.store(floor);
}

// Applies the end floors and log starts stored for `topic`.
absl::Status RecoverFloorsAndStarts(Store* store, Topic* topic) {
  BROOK_RETURN_IF_ERROR(ScanPartitionOffsets(
      store, *topic, FloorPrefix(topic->cf().name()), "end floor",
      [&](int32_t p, int64_t floor) { ApplyFloor(topic, p, floor); }));
  return ScanPartitionOffsets(
      store, *topic, StartPrefix(topic->cf().name()), "log start",
      [&](int32_t p, int64_t start) { ApplyStart(topic, p, start); });
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
        const int32_t count = BatchOffsetSpan(ends.last_head);
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
        // What recovery finds is durable once the engine syncs the
        // recovered logs at open.
        state.synced_end.store(state.next_offset);
      }));
  if (!damaged.ok()) return damaged;
  return RecoverFloorsAndStarts(store, topic);
}

}  // namespace

std::string LogStartKey(absl::string_view family, int32_t partition) {
  return absl::StrCat(StartPrefix(family), partition);
}

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
  if (seq && !absl::SimpleAtoi(*seq, &next_seq)) next_seq = 0;  // Below.
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
  // An unreadable topic whose record does not name its family (the record
  // is damaged) keeps the family its name says is its newest, so that
  // deleting the topic drops it and it is never taken for an orphan.
  for (auto& [name, u] : registry->unreadable_) {
    if (u.family != nullptr) continue;
    int64_t best_seq = -1;
    for (auto it = families.begin(); it != families.end(); ++it) {
      const int64_t seq = FamilySeq(it->first);
      if (seq > best_seq &&
          it->first == absl::StrCat("topic.", seq, ".", name)) {
        best_seq = seq;
        u.family = it->second;
      }
    }
    if (u.family != nullptr) families.erase(u.family->name());
  }
  // Families left over: see DropOrphans.
  registry->orphans_ = std::move(families);
  return registry;
}

std::vector<std::string> TopicRegistry::Orphans() const {
  std::vector<std::string> names;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, cf] : orphans_) names.push_back(name);
  return names;
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::ProbeOrphan(
    const std::string& family, const std::string& name,
    int32_t partitions) const {
  ColumnFamilyRef cf;
  {
    absl::MutexLock lock(&mu_);
    auto it = orphans_.find(family);
    if (it == orphans_.end()) return std::shared_ptr<Topic>();
    cf = it->second;
  }
  if (partitions <= 0 || partitions > kMaxPartitionsPerTopic) {
    return std::shared_ptr<Topic>();
  }
  auto topic = std::make_shared<Topic>(name, partitions, TopicConfig(), cf);
  BROOK_RETURN_IF_ERROR(RecoverPartitions(store_, topic.get()));
  return topic;
}

absl::Status TopicRegistry::DropOrphans() {
  absl::MutexLock lock(&mu_);
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    BROOK_RETURN_IF_ERROR(store_->DropFamily(*it->second));
    it = orphans_.erase(it);
  }
  return absl::OkStatus();
}

absl::Status TopicRegistry::Adopt(const std::string& family,
                                  const std::string& name,
                                  int32_t partitions) {
  absl::MutexLock lock(&mu_);
  auto it = orphans_.find(family);
  if (it == orphans_.end()) return absl::OkStatus();
  if (topics_.contains(name) || unreadable_.contains(name) ||
      partitions <= 0 || partitions > kMaxPartitionsPerTopic) {
    return absl::OkStatus();  // Another topic took the name: leave it.
  }
  const TopicConfig config;  // The lost record held the real one.
  auto topic = std::make_shared<Topic>(name, partitions, config, it->second);
  BROOK_RETURN_IF_ERROR(store_->SetCompression(*it->second, CodecFor(config)));
  BROOK_RETURN_IF_ERROR(RecoverPartitions(store_, topic.get()));
  StoreWriteBatch batch;
  batch.PutMeta(MetaKey(name), EncodeTopic(partitions, family, config));
  BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/true));
  orphans_.erase(it);
  topics_.emplace(name, std::move(topic));
  return absl::OkStatus();
}

absl::Status TopicRegistry::SetEndFloors(
    const std::vector<LostRecords>& losses) {
  absl::MutexLock lock(&mu_);
  StoreWriteBatch batch;
  std::vector<std::pair<Topic*, const LostRecords*>> apply;
  for (const LostRecords& l : losses) {
    auto it = topics_.find(l.topic);
    if (it == topics_.end()) continue;
    batch.PutMeta(absl::StrCat(FloorPrefix(it->second->cf().name()),
                               l.partition),
                  absl::StrCat(l.to_offset));
    apply.emplace_back(it->second.get(), &l);
  }
  if (batch.empty()) return absl::OkStatus();
  BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/true));
  for (auto& [topic, l] : apply) ApplyFloor(topic, l->partition, l->to_offset);
  return absl::OkStatus();
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
          const int32_t count = BatchOffsetSpan(ends.last_head);
          if (count <= 0) return;
          PartitionState& state = topic->partition(p);
          if (state.log_start.load(std::memory_order_acquire) <
              ends.first_base_offset) {
            state.log_start.store(ends.first_base_offset,
                                  std::memory_order_release);
          }
          const int64_t end = ends.last_base_offset + count;
          if (end > state.high_watermark.load(std::memory_order_acquire)) {
            state.high_watermark.store(end, std::memory_order_release);
            *advanced = true;
          }
        }));
    // Log starts the holder moved (retention, DeleteRecords), inside a
    // batch or past every batch.
    first_error.Update(ScanPartitionOffsets(
        store_, *topic, StartPrefix(topic->cf().name()), "log start",
        [&](int32_t p, int64_t start) {
          PartitionState& state = topic->partition(p);
          if (state.log_start.load(std::memory_order_acquire) < start) {
            state.log_start.store(start, std::memory_order_release);
          }
          if (state.high_watermark.load(std::memory_order_acquire) < start) {
            state.high_watermark.store(start, std::memory_order_release);
            *advanced = true;
          }
        }));
  }
  return first_error;
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::Create(
    absl::string_view name, int32_t partitions, const TopicConfig& config) {
  return std::move(
      CreateMany({NewTopic{std::string(name), partitions, config}}).front());
}

std::string TopicRegistry::CollidingLocked(
    absl::string_view name,
    const absl::flat_hash_set<absl::string_view>& also) const {
  if (name.find_first_of("._") == absl::string_view::npos) return "";
  auto collides = [name](absl::string_view other) {
    if (other.size() != name.size() || other == name) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      const bool a = name[i] == '.' || name[i] == '_';
      const bool b = other[i] == '.' || other[i] == '_';
      if (a != b || (!a && name[i] != other[i])) return false;
    }
    return true;
  };
  for (const auto& [other, topic] : topics_) {
    if (collides(other)) return other;
  }
  for (const auto& [other, topic] : unreadable_) {
    if (collides(other)) return other;
  }
  for (absl::string_view other : also) {
    if (collides(other)) return std::string(other);
  }
  return "";
}

std::vector<absl::StatusOr<std::shared_ptr<Topic>>> TopicRegistry::CreateMany(
    const std::vector<NewTopic>& topics) {
  std::vector<absl::StatusOr<std::shared_ptr<Topic>>> out(
      topics.size(), absl::StatusOr<std::shared_ptr<Topic>>(nullptr));
  for (size_t i = 0; i < topics.size(); ++i) {
    const NewTopic& t = topics[i];
    absl::Status valid = ValidateTopicName(t.name);
    if (valid.ok() &&
        (t.partitions <= 0 || t.partitions > kMaxPartitionsPerTopic)) {
      valid = Error(ErrorCode::kInvalidPartitions,
                    absl::StrCat("topic ", t.name,
                                 ": partition count must be in [1, ",
                                 kMaxPartitionsPerTopic, "], got ",
                                 t.partitions));
    }
    // The config obeys its own parser, so a struct filled by hand follows
    // the same rules as properties.
    if (valid.ok()) {
      valid = TopicConfig::FromProperties(t.config.ToProperties()).status();
    }
    if (!valid.ok()) out[i] = valid;
  }

  absl::MutexLock lock(&mu_);
  std::vector<size_t> creating;
  std::vector<Store::NewFamily> families;
  absl::flat_hash_set<absl::string_view> requested;
  for (size_t i = 0; i < topics.size(); ++i) {
    if (!out[i].ok()) continue;
    const std::string& name = topics[i].name;
    if (topics_.contains(name) || !requested.insert(name).second) {
      out[i] = Error(ErrorCode::kTopicAlreadyExists,
                     absl::StrCat("topic ", name, " already exists"));
    } else if (unreadable_.contains(name)) {
      out[i] = Error(ErrorCode::kTopicAlreadyExists,
                     absl::StrCat("topic ", name,
                                  " already exists but cannot be read; "
                                  "delete it first"));
    } else if (std::string other = CollidingLocked(name, requested);
               !other.empty()) {
      requested.erase(name);
      out[i] = Error(ErrorCode::kInvalidTopic,
                     absl::StrCat("Topic '", name,
                                  "' collides with existing topic: ", other));
    } else {
      creating.push_back(i);
      families.push_back(
          Store::NewFamily{absl::StrCat("topic.", next_seq_++, ".", name),
                           CodecFor(topics[i].config)});
    }
  }
  if (creating.empty()) return out;
  auto fail_all = [&](const absl::Status& s) {
    for (size_t i : creating) out[i] = s;
    return out;
  };
  absl::StatusOr<std::vector<ColumnFamilyRef>> cfs =
      store_->CreateFamilies(families);
  if (!cfs.ok()) return fail_all(cfs.status());
  // All or nothing: everything the topics need in memory exists before
  // their records are stored. The families exist before the records naming
  // them: a crash in between leaves orphan families that Recover drops.
  std::vector<std::shared_ptr<Topic>> created;
  StoreWriteBatch batch;
  for (size_t k = 0; k < creating.size(); ++k) {
    const NewTopic& t = topics[creating[k]];
    created.push_back(std::make_shared<Topic>(t.name, t.partitions, t.config,
                                              (*cfs)[k]));
    batch.PutMeta(MetaKey(t.name),
                  EncodeTopic(t.partitions, families[k].name, t.config));
  }
  batch.PutMeta(kSeqKey, absl::StrCat(next_seq_));
  absl::Status s = store_->Write(&batch, /*sync=*/true);
  if (!s.ok()) {
    for (const ColumnFamilyRef& cf : *cfs) {
      store_->DropFamily(*cf).IgnoreError();  // Reported: the write failure.
    }
    return fail_all(s);
  }
  for (size_t k = 0; k < creating.size(); ++k) {
    topics_.emplace(topics[creating[k]].name, created[k]);
    out[creating[k]] = std::move(created[k]);
  }
  return out;
}

absl::StatusOr<TopicRegistry::Removed> TopicRegistry::Remove(
    absl::string_view name, StoreWriteBatch* also) {
  absl::MutexLock lock(&mu_);
  Removed removed;
  auto delete_floors = [&](const ColumnFamilyRef& family) -> absl::Status {
    if (family == nullptr) return absl::OkStatus();
    for (const std::string& prefix :
         {FloorPrefix(family->name()), StartPrefix(family->name())}) {
      BROOK_RETURN_IF_ERROR(store_->ScanMeta(
          prefix, [&](absl::string_view key, absl::string_view) {
            also->DeleteMeta(key);
          }));
    }
    return absl::OkStatus();
  };
  if (auto it = topics_.find(name); it != topics_.end()) {
    BROOK_RETURN_IF_ERROR(delete_floors(it->second->cf_ref()));
    also->DeleteMeta(MetaKey(name));
    BROOK_RETURN_IF_ERROR(store_->Write(also, /*sync=*/true));
    removed.topic = std::move(it->second);
    removed.family = removed.topic->cf_ref();
    topics_.erase(it);
    return removed;
  }
  if (auto it = unreadable_.find(name); it != unreadable_.end()) {
    BROOK_RETURN_IF_ERROR(delete_floors(it->second.family));
    also->DeleteMeta(MetaKey(name));
    BROOK_RETURN_IF_ERROR(store_->Write(also, /*sync=*/true));
    removed.family = std::move(it->second.family);
    unreadable_.erase(it);
    return removed;
  }
  return UnknownTopic(name);
}

absl::Status TopicRegistry::AddPartitions(absl::string_view name,
                                          int32_t count) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(Topic* const found, FindLocked(name));
  Topic& topic = *found;
  const int32_t now = topic.num_partitions();
  // Kafka's messages.
  if (count == now) {
    return Error(ErrorCode::kInvalidPartitions,
                 absl::StrCat("Topic already has ", now, " partitions."));
  }
  if (count < now) {
    return Error(ErrorCode::kInvalidPartitions,
                 absl::StrCat("Topic currently has ", now,
                              " partitions, which is higher than the "
                              "requested ",
                              count, "."));
  }
  if (count > kMaxPartitionsPerTopic) {
    return Error(ErrorCode::kInvalidPartitions,
                 absl::StrCat("a topic has at most ", kMaxPartitionsPerTopic,
                              " partitions, not ", count));
  }
  StoreWriteBatch batch;
  batch.PutMeta(MetaKey(topic.name()),
                EncodeTopic(count, topic.cf().name(), topic.config()));
  BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/true));
  topic.AddPartitions(count);
  return absl::OkStatus();
}

absl::Status TopicRegistry::AlterConfig(absl::string_view name,
                                        const Properties& set,
                                        const std::vector<std::string>& reset) {
  absl::MutexLock lock(&mu_);
  BROOK_ASSIGN_OR_RETURN(Topic* const found, FindLocked(name));
  Topic& topic = *found;
  const TopicConfig old_config = topic.config();
  Properties props = old_config.ToProperties();
  const Properties defaults = TopicConfig().ToProperties();
  for (const std::string& key : reset) {
    auto d = defaults.find(key);
    if (d == defaults.end()) {
      // The parser's error names what is allowed.
      absl::Status unknown = TopicConfig::FromProperties({{key, ""}}).status();
      return unknown.ok() ? Error(ErrorCode::kInvalidConfig,
                                  absl::StrCat("unknown topic config ", key))
                          : unknown;
    }
    props[key] = d->second;
  }
  for (const auto& [key, value] : set) props[key] = value;
  BROOK_ASSIGN_OR_RETURN(TopicConfig config,
                         TopicConfig::FromProperties(props));
  StoreWriteBatch batch;
  batch.PutMeta(MetaKey(topic.name()),
                EncodeTopic(topic.num_partitions(), topic.cf().name(), config));
  BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/true));
  if (CodecFor(config) != CodecFor(old_config)) {
    // New files take the codec; a failure leaves the old one until the
    // next open, which reads the stored configuration.
    BROOK_RETURN_IF_ERROR(
        store_->SetCompression(*topic.cf_ref(), CodecFor(config)));
  }
  topic.SetConfig(std::move(config));
  return absl::OkStatus();
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

absl::StatusOr<Topic*> TopicRegistry::FindLocked(
    absl::string_view name) const {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second.get();
  if (auto bad = unreadable_.find(name); bad != unreadable_.end()) {
    return bad->second.reason;
  }
  return UnknownTopic(name);
}

absl::StatusOr<std::shared_ptr<Topic>> TopicRegistry::FindReadable(
    absl::string_view name) const {
  if (std::shared_ptr<Topic> topic = Find(name)) return topic;
  BROOK_RETURN_IF_ERROR(Unreadable(name));
  return UnknownTopic(name);
}

std::vector<std::shared_ptr<Topic>> TopicRegistry::Topics() const {
  std::vector<std::shared_ptr<Topic>> out;
  absl::MutexLock lock(&mu_);
  out.reserve(topics_.size());
  for (const auto& [name, topic] : topics_) out.push_back(topic);
  return out;
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
