#include "group/offset_store.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/error.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace brook {
namespace {

constexpr absl::string_view kPrefix = "offset/";

std::string GroupPrefix(absl::string_view group) {
  std::string key(kPrefix);
  PutFixed16BE(&key, static_cast<uint16_t>(group.size()));
  key.append(group.data(), group.size());
  return key;
}

std::string OffsetKey(absl::string_view group, const TopicPartition& tp) {
  std::string key = GroupPrefix(group);
  PutFixed16BE(&key, static_cast<uint16_t>(tp.topic.size()));
  key.append(tp.topic);
  PutFixed32BE(&key, static_cast<uint32_t>(tp.partition));
  return key;
}

// Parses a key after kPrefix.
bool ParseKey(absl::string_view key, std::string* group, TopicPartition* tp) {
  key.remove_prefix(kPrefix.size());
  uint16_t len;
  if (!GetFixed16BE(&key, &len) || key.size() < len) return false;
  group->assign(key.data(), len);
  key.remove_prefix(len);
  if (!GetFixed16BE(&key, &len) || key.size() < len) return false;
  tp->topic.assign(key.data(), len);
  key.remove_prefix(len);
  uint32_t partition;
  if (!GetFixed32BE(&key, &partition) || !key.empty()) return false;
  tp->partition = static_cast<int32_t>(partition);
  return true;
}

std::string EncodeValue(const OffsetAndMetadata& o, absl::Time now) {
  std::string value;
  PutFixed64BE(&value, static_cast<uint64_t>(o.offset));
  PutFixed64BE(&value, static_cast<uint64_t>(absl::ToUnixMillis(now)));
  value.append(o.metadata);
  return value;
}

bool DecodeValue(absl::string_view value, OffsetAndMetadata* o) {
  uint64_t offset, time_ms;
  if (!GetFixed64BE(&value, &offset) || !GetFixed64BE(&value, &time_ms)) {
    return false;
  }
  o->offset = static_cast<int64_t>(offset);
  o->commit_time = absl::FromUnixMillis(static_cast<int64_t>(time_ms));
  o->metadata = std::string(value);
  return true;
}

absl::Status Corrupt(absl::string_view group) {
  return Error(ErrorCode::kCorruptMessage,
               absl::StrCat("corrupt committed offset in group ", group));
}

}  // namespace

absl::Status OffsetStore::Commit(
    absl::string_view group,
    const std::map<TopicPartition, OffsetAndMetadata>& offsets,
    absl::Time now) {
  if (offsets.empty()) return absl::OkStatus();
  StoreWriteBatch batch;
  std::vector<std::string> too_large;
  for (const auto& [tp, o] : offsets) {
    if (o.metadata.size() > static_cast<size_t>(max_metadata_bytes_)) {
      too_large.push_back(absl::StrCat(tp.ToString(), " (", o.metadata.size(),
                                       " bytes)"));
      continue;
    }
    batch.PutMeta(OffsetKey(group, tp), EncodeValue(o, now));
  }
  // Not fsynced: a commit survives a process crash, like an acks=1 write.
  // Losing one to power loss only replays records (at-least-once holds).
  if (!batch.empty()) {
    BROOK_RETURN_IF_ERROR(store_->Write(&batch, /*sync=*/false));
  }
  if (too_large.empty()) return absl::OkStatus();
  return Error(ErrorCode::kOffsetMetadataTooLarge,
               absl::StrCat("offset metadata of ",
                            absl::StrJoin(too_large, ", "),
                            " is longer than offset.metadata.max.bytes (",
                            max_metadata_bytes_,
                            "); those offsets were not committed"));
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>> OffsetStore::Fetch(
    absl::string_view group, absl::Span<const TopicPartition> partitions) {
  std::map<TopicPartition, OffsetAndMetadata> out;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(std::optional<std::string> value,
                           store_->GetMeta(OffsetKey(group, tp)));
    if (!value) continue;
    OffsetAndMetadata o;
    if (!DecodeValue(*value, &o)) return Corrupt(group);
    out.emplace(tp, std::move(o));
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, OffsetAndMetadata>>
OffsetStore::FetchAll(absl::string_view group) {
  std::map<TopicPartition, OffsetAndMetadata> out;
  bool corrupt = false;
  BROOK_RETURN_IF_ERROR(store_->ScanMeta(
      GroupPrefix(group), [&](absl::string_view key, absl::string_view value) {
        std::string g;
        TopicPartition tp;
        OffsetAndMetadata o;
        if (!ParseKey(key, &g, &tp) || !DecodeValue(value, &o)) {
          corrupt = true;
          return;
        }
        if (g == group) out.emplace(std::move(tp), std::move(o));
      }));
  if (corrupt) return Corrupt(group);
  return out;
}

absl::Status OffsetStore::AddTopicDeletes(absl::string_view topic,
                                          StoreWriteBatch* batch) {
  return store_->ScanMeta(kPrefix,
                          [&](absl::string_view key, absl::string_view) {
                            std::string g;
                            TopicPartition tp;
                            if (ParseKey(key, &g, &tp) && tp.topic == topic)
                              batch->DeleteMeta(key);
                          });
}

absl::StatusOr<std::vector<std::string>> OffsetStore::ListGroups() {
  std::vector<std::string> groups;
  bool corrupt = false;
  BROOK_RETURN_IF_ERROR(
      store_->ScanMeta(kPrefix, [&](absl::string_view key, absl::string_view) {
        std::string g;
        TopicPartition tp;
        if (!ParseKey(key, &g, &tp)) {
          corrupt = true;
          return;
        }
        // Keys sort by group first, so equal groups are adjacent.
        if (groups.empty() || groups.back() != g) groups.push_back(g);
      }));
  if (corrupt) return Corrupt("(unknown)");
  // The length prefix orders groups by size first; sort by name.
  std::sort(groups.begin(), groups.end());
  return groups;
}

absl::Status OffsetStore::DeleteGroup(absl::string_view group) {
  StoreWriteBatch batch;
  BROOK_RETURN_IF_ERROR(store_->ScanMeta(
      GroupPrefix(group), [&](absl::string_view key, absl::string_view) {
        std::string g;
        TopicPartition tp;
        // The length before the name makes the prefix match only `group`.
        if (ParseKey(key, &g, &tp) && g == group) batch.DeleteMeta(key);
      }));
  if (batch.empty()) {
    return Error(ErrorCode::kGroupIdNotFound,
                 absl::StrCat("group ", group, " does not exist"));
  }
  return store_->Write(&batch, /*sync=*/false);
}

}  // namespace brook
