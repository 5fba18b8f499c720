#include "group/group_snapshots.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "util/coding.h"
#include "util/status_macros.h"

namespace brook {
namespace {

constexpr absl::string_view kPrefix = "members/";

std::string Key(absl::string_view group_id) {
  return absl::StrCat(kPrefix, group_id);
}

void PutString(std::string* dst, absl::string_view s) {
  PutVarint32(dst, static_cast<int32_t>(s.size()));
  dst->append(s.data(), s.size());
}

bool GetString(absl::string_view* in, std::string* s) {
  int32_t n;
  if (!GetVarint32(in, &n) || n < 0 || in->size() < static_cast<size_t>(n)) {
    return false;
  }
  s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

std::string Encode(const ConsumerGroupDescription& group) {
  std::string v;
  v.push_back(static_cast<char>(group.state));
  PutVarint32(&v, group.generation.value_or(0));
  PutString(&v, group.protocol);
  PutString(&v, group.leader.value_or(""));
  PutVarint32(&v, static_cast<int32_t>(group.members.size()));
  for (const MemberDescription& m : group.members) {
    PutString(&v, m.member_id);
    PutString(&v, m.client_id);
    PutString(&v, m.group_instance_id);
    PutVarint32(&v, static_cast<int32_t>(m.assignment.size()));
    for (const TopicPartition& tp : m.assignment) {
      PutString(&v, tp.topic);
      PutVarint32(&v, tp.partition);
    }
  }
  return v;
}

bool Decode(absl::string_view in, ConsumerGroupDescription* group) {
  if (in.empty() || static_cast<uint8_t>(in[0]) >
                        static_cast<uint8_t>(ConsumerGroupState::kDead)) {
    return false;
  }
  group->state = static_cast<ConsumerGroupState>(in[0]);
  in.remove_prefix(1);
  int32_t members;
  int32_t generation;
  std::string leader;
  if (!GetVarint32(&in, &generation) || !GetString(&in, &group->protocol) ||
      !GetString(&in, &leader) || !GetVarint32(&in, &members) ||
      members < 0) {
    return false;
  }
  group->generation = generation;
  group->leader = std::move(leader);
  for (int32_t i = 0; i < members; ++i) {
    MemberDescription m;
    m.host = "/localhost";
    int32_t partitions;
    if (!GetString(&in, &m.member_id) || !GetString(&in, &m.client_id) ||
        !GetString(&in, &m.group_instance_id) ||
        !GetVarint32(&in, &partitions) || partitions < 0) {
      return false;
    }
    for (int32_t p = 0; p < partitions; ++p) {
      TopicPartition tp;
      if (!GetString(&in, &tp.topic) || !GetVarint32(&in, &tp.partition)) {
        return false;
      }
      m.assignment.push_back(std::move(tp));
    }
    std::sort(m.assignment.begin(), m.assignment.end());
    group->members.push_back(std::move(m));
  }
  std::sort(group->members.begin(), group->members.end(),
            [](const MemberDescription& a, const MemberDescription& b) {
              return a.member_id < b.member_id;
            });
  if (!group->members.empty()) group->protocol_type = "consumer";
  return in.empty();
}

}  // namespace

absl::Status GroupSnapshots::Save(absl::string_view group_id,
                                  const ConsumerGroupDescription& group) {
  StoreWriteBatch batch;
  batch.PutMeta(Key(group_id), Encode(group));
  return store_->Write(&batch, /*sync=*/false);
}

absl::StatusOr<std::optional<ConsumerGroupDescription>> GroupSnapshots::Load(
    absl::string_view group_id) {
  BROOK_ASSIGN_OR_RETURN(std::optional<std::string> value,
                         store_->GetMeta(Key(group_id)));
  if (!value) return std::optional<ConsumerGroupDescription>();
  ConsumerGroupDescription group;
  group.group_id = std::string(group_id);
  if (!Decode(*value, &group)) {
    return Error(
        ErrorCode::kCorruptMessage,
        absl::StrCat("corrupt membership snapshot of group ", group_id));
  }
  return std::optional<ConsumerGroupDescription>(std::move(group));
}

absl::StatusOr<std::vector<std::string>> GroupSnapshots::List() {
  std::vector<std::string> ids;
  BROOK_RETURN_IF_ERROR(
      store_->ScanMeta(kPrefix, [&](absl::string_view key, absl::string_view) {
        ids.emplace_back(key.substr(kPrefix.size()));
      }));
  return ids;
}

absl::Status GroupSnapshots::Clear() {
  BROOK_ASSIGN_OR_RETURN(std::vector<std::string> ids, List());
  if (ids.empty()) return absl::OkStatus();
  StoreWriteBatch batch;
  for (const std::string& id : ids) batch.DeleteMeta(Key(id));
  return store_->Write(&batch, /*sync=*/false);
}

}  // namespace brook
