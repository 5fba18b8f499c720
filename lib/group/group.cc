#include "group/group.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "brook/assignor.h"
#include "brook/error.h"
#include "group/assignment_check.h"

namespace brook {
namespace {

// SplitMix64: a fixed sequence of well-mixed 64-bit values.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Kafka's member id: client.id (group.instance.id for a static member),
// "-", then a Uuid in Kafka's text form (22 characters of URL-safe base64,
// never starting with '-'). Kafka's Uuid is random; here it is drawn from
// a fixed sequence numbered by `member_number`, so that an engine's member
// ids, and the assignments that sort by them, repeat from run to run.
std::string NewMemberId(const JoinRequest& request, int64_t* member_number) {
  std::string uuid;
  do {
    const uint64_t n = static_cast<uint64_t>(++*member_number);
    char bytes[16];
    const uint64_t halves[2] = {Mix(2 * n), Mix(2 * n + 1)};
    for (int i = 0; i < 16; ++i) {
      bytes[i] = static_cast<char>(halves[i / 8] >> (56 - 8 * (i % 8)));
    }
    uuid = absl::WebSafeBase64Escape(absl::string_view(bytes, sizeof(bytes)));
  } while (uuid[0] == '-');
  return absl::StrCat(request.group_instance_id.empty()
                          ? request.client_id
                          : request.group_instance_id,
                      "-", uuid);
}


absl::Status UnknownMember(absl::string_view group_id,
                           absl::string_view member_id) {
  return Error(ErrorCode::kUnknownMemberId,
               absl::StrCat("member ", member_id, " is not in group ", group_id,
                            " (removed or left); rejoin"));
}

bool Supports(const GroupMemberState& m, absl::string_view strategy) {
  return std::find(m.strategies.begin(), m.strategies.end(), strategy) !=
         m.strategies.end();
}

}  // namespace

absl::string_view ConsumerGroupStateName(ConsumerGroupState state) {
  switch (state) {
    case ConsumerGroupState::kEmpty:
      return "Empty";
    case ConsumerGroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case ConsumerGroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case ConsumerGroupState::kStable:
      return "Stable";
    case ConsumerGroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

Group::Group(std::string id, PartitionCounts partitions)
    : id_(std::move(id)), partitions_(std::move(partitions)) {}

const GroupMemberState* Group::member(absl::string_view member_id) const {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

GroupMemberState* Group::FindMember(absl::string_view member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

absl::Status Group::MissingMember(absl::string_view member_id) const {
  auto it = fenced_.find(member_id);
  if (it == fenced_.end()) return UnknownMember(id_, member_id);
  return Error(ErrorCode::kFencedInstanceId,
               absl::StrCat("member ", member_id, " of group ", id_,
                            " was fenced: another member joined with its "
                            "group.instance.id '",
                            it->second, "'"));
}

void Group::StartPoll(GroupMemberState* m, absl::Time now) {
  m->last_poll = now;
  m->polling = true;
  Reindex(m);
}

absl::Time Group::MemberDeadline(const GroupMemberState& m) {
  if (m.unresponsive_since) return *m.unresponsive_since + m.session_timeout;
  if (!m.polling) return m.last_poll + m.max_poll_interval;
  return absl::InfiniteFuture();
}

void Group::Reindex(GroupMemberState* m) {
  const absl::Time deadline = MemberDeadline(*m);
  if (deadline == m->indexed_deadline) return;
  if (m->indexed_deadline != absl::InfiniteFuture()) {
    deadlines_.erase({m->indexed_deadline, m->member_id});
  }
  if (deadline != absl::InfiniteFuture()) {
    deadlines_.emplace(deadline, m->member_id);
  }
  m->indexed_deadline = deadline;
}

namespace {

// The member's strategies, each once.
std::set<std::string> UniqueStrategies(const GroupMemberState& m) {
  return std::set<std::string>(m.strategies.begin(), m.strategies.end());
}

}  // namespace

void Group::Attach(GroupMemberState* m) {
  Reindex(m);
  if (m->joined) ++joined_;
  if (!m->group_instance_id.empty()) {
    static_members_[m->group_instance_id].insert(m->member_id);
  }
  for (const std::string& s : UniqueStrategies(*m)) ++supporters_[s];
}

void Group::Detach(GroupMemberState* m) {
  if (m->indexed_deadline != absl::InfiniteFuture()) {
    deadlines_.erase({m->indexed_deadline, m->member_id});
    m->indexed_deadline = absl::InfiniteFuture();
  }
  if (m->joined) --joined_;
  if (!m->group_instance_id.empty()) {
    auto it = static_members_.find(m->group_instance_id);
    it->second.erase(m->member_id);
    if (it->second.empty()) static_members_.erase(it);
  }
  for (const std::string& s : UniqueStrategies(*m)) {
    auto it = supporters_.find(s);
    if (--it->second == 0) supporters_.erase(it);
  }
}

void Group::SetJoined(GroupMemberState* m, bool joined) {
  if (m->joined == joined) return;
  m->joined = joined;
  joined ? ++joined_ : --joined_;
}

bool Group::EveryOtherMemberSupportsOne(const JoinRequest& request,
                                        const std::string& replaced) const {
  const GroupMemberState* self = member(request.member_id);
  const GroupMemberState* old = replaced.empty() ? nullptr : member(replaced);
  const int64_t others = static_cast<int64_t>(members_.size()) -
                         (self != nullptr) - (old != nullptr);
  for (const std::string& s : request.strategies) {
    auto it = supporters_.find(s);
    int64_t n = it == supporters_.end() ? 0 : it->second;
    if (self != nullptr && Supports(*self, s)) --n;
    if (old != nullptr && Supports(*old, s)) --n;
    if (n == others) return true;
  }
  return false;
}

// Kafka's broker-side selectProtocol: the candidates are the strategies
// every member supports; each member votes for its first candidate and the
// most votes win. brook breaks ties by the leader's preference order (Kafka
// leaves them to hash-map order).
std::string Group::SelectProtocol() const {
  auto it = members_.find(leader_);
  const GroupMemberState* leader =
      it != members_.end() ? &it->second : &members_.begin()->second;
  std::vector<std::string> candidates;
  for (const std::string& s : leader->strategies) {
    bool everyone = true;
    for (const auto& [id, m] : members_) everyone &= Supports(m, s);
    if (everyone) candidates.push_back(s);
  }
  if (candidates.empty()) return "";
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_) {
    for (const std::string& s : m.strategies) {
      if (std::find(candidates.begin(), candidates.end(), s) !=
          candidates.end()) {
        ++votes[s];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const std::string& s : candidates) {  // Leader's order breaks ties.
    if (votes[s] > best_votes) {
      best = s;
      best_votes = votes[s];
    }
  }
  return best;
}

std::string Group::ReplaceStaticMember(const std::string& old_id,
                                       const JoinRequest& request,
                                       int64_t* member_number) {
  Detach(&members_[old_id]);
  GroupMemberState m = std::move(members_[old_id]);
  members_.erase(old_id);
  fenced_[old_id] = m.group_instance_id;
  std::string id = NewMemberId(request, member_number);
  m.member_id = id;
  m.client_id = request.client_id;
  m.max_poll_interval = request.max_poll_interval;
  m.session_timeout = request.session_timeout;
  m.unresponsive_since.reset();
  m.result.reset();
  m.result_error = absl::OkStatus();
  if (leader_ == old_id) leader_ = id;
  GroupMemberState& placed = members_[id];
  placed = std::move(m);
  Attach(&placed);
  return id;
}

absl::StatusOr<std::string> Group::Join(const JoinRequest& request,
                                        absl::Time now,
                                        int64_t* member_number) {
  if (!request.member_id.empty() && FindMember(request.member_id) == nullptr) {
    return MissingMember(request.member_id);
  }
  // Before the caller counts as polling: a member whose
  // max.poll.interval.ms passed has left, even when its own call is the
  // first to notice (Kafka's heartbeat thread leaves for it).
  CheckDeadlines(now);
  // Static membership: a new member with a known group.instance.id takes
  // the place of the old one (returning after a crash, or a duplicate that
  // fences it).
  std::string replaced;
  if (request.member_id.empty() && !request.group_instance_id.empty()) {
    auto it = static_members_.find(request.group_instance_id);
    if (it != static_members_.end()) replaced = *it->second.begin();
  }
  // No strategy in common with the members already in the group: the
  // newcomer is refused (the group keeps its protocol), as in Kafka. When
  // one of its strategies is supported by all of them there is nothing to
  // check member by member.
  if (!EveryOtherMemberSupportsOne(request, replaced)) {
    for (const auto& [id, m] : members_) {
      if (id == request.member_id || id == replaced) continue;
      bool common = false;
      for (const std::string& s : request.strategies) common |= Supports(m, s);
      if (!common) {
        return Error(ErrorCode::kInconsistentGroupProtocol,
                     absl::StrCat("none of the strategies [",
                                  absl::StrJoin(request.strategies, ", "),
                                  "] is supported by member ", id,
                                  " of group ", id_));
      }
    }
  }
  std::string member_id = request.member_id;
  if (!replaced.empty()) {
    const GroupMemberState& old = members_[replaced];
    const bool same_protocol =
        old.topics == request.topics && old.strategies == request.strategies;
    member_id = ReplaceStaticMember(replaced, request, member_number);
    if (same_protocol && state_ == ConsumerGroupState::kStable) {
      // As Kafka's broker for a known static member of a Stable group: it
      // gets the old member's assignment in the current generation, and
      // the others do not rebalance.
      GroupMemberState& m = members_[member_id];
      StartPoll(&m, now);
      m.result = JoinResult{generation_, protocol_, leader_, m.assignment};
      effects_.wake = true;
      effects_.snapshot = true;  // The member id changed.
      return member_id;
    }
  }
  if (member_id.empty()) {
    member_id = NewMemberId(request, member_number);
  } else if (FindMember(member_id) == nullptr) {
    // Removed by the deadline check above.
    return UnknownMember(id_, member_id);
  }
  auto [it, added] = members_.try_emplace(member_id);
  GroupMemberState& m = it->second;
  if (!added) Detach(&m);
  m.member_id = member_id;
  m.client_id = request.client_id;
  m.group_instance_id = request.group_instance_id;
  m.topics = request.topics;
  m.strategies = request.strategies;
  m.owned = request.owned;
  m.owned_generation = request.owned_generation;
  m.previous_assignment = request.previous_assignment;
  m.previous_generation = request.previous_generation;
  m.max_poll_interval = request.max_poll_interval;
  m.session_timeout = request.session_timeout;
  m.unresponsive_since.reset();
  m.last_poll = now;
  m.polling = true;
  m.result.reset();
  m.result_error = absl::OkStatus();
  Attach(&m);
  if (leader_.empty()) leader_ = member_id;
  const bool started = state_ != ConsumerGroupState::kPreparingRebalance;
  if (started) {
    StartRebalance(now);
  } else {
    // A newcomer can extend the rebalance timeout, never shorten it.
    rebalance_deadline_ =
        std::max(rebalance_deadline_, now + request.max_poll_interval);
  }
  SetJoined(&m, true);
  // The others must learn that a rebalance started, or collect its result.
  // A join into a rebalance that goes on changes nothing they wait for
  // (waking every member at each of N joins costs N^2).
  if (MaybeComplete() || started) effects_.wake = true;
  return member_id;
}

absl::StatusOr<std::optional<JoinResult>> Group::TakeJoinResult(
    absl::string_view member_id, absl::Time now) {
  // As in Join: an expired caller is removed before it counts as polling.
  CheckDeadlines(now);
  GroupMemberState* m = FindMember(member_id);
  if (m == nullptr) return MissingMember(member_id);
  StartPoll(m, now);
  if (!m->result_error.ok()) {
    return std::exchange(m->result_error, absl::OkStatus());
  }
  if (m->result) return std::exchange(m->result, std::nullopt);
  return std::nullopt;
}

absl::Status Group::Heartbeat(absl::string_view member_id, int32_t generation,
                              absl::Time now) {
  // As in Join: an expired caller is removed before it counts as polling.
  CheckDeadlines(now);
  GroupMemberState* m = FindMember(member_id);
  if (m == nullptr) return MissingMember(member_id);
  StartPoll(m, now);
  if (state_ == ConsumerGroupState::kPreparingRebalance) {
    return Error(ErrorCode::kRebalanceInProgress,
                 absl::StrCat("group ", id_, " is rebalancing"));
  }
  if (m->generation != generation) {
    return Error(ErrorCode::kIllegalGeneration,
                 absl::StrCat("generation ", generation, " of group ", id_,
                              " is not the current one (", generation_, ")"));
  }
  return absl::OkStatus();
}

void Group::EndPoll(absl::string_view member_id, absl::Time now) {
  GroupMemberState* m = FindMember(member_id);
  if (m == nullptr) return;
  m->polling = false;
  m->last_poll = now;
  Reindex(m);
}

void Group::Leave(absl::string_view member_id, absl::Time now) {
  if (FindMember(member_id) == nullptr) return;
  const ConsumerGroupState state = state_;
  const int32_t generation = generation_;
  RemoveMember(std::string(member_id), now);
  // As for a join: leaving a rebalance that goes on changes nothing the
  // others wait for.
  if (state_ != state || generation_ != generation) effects_.wake = true;
}

void Group::MarkUnresponsive(absl::string_view member_id, absl::Time now) {
  GroupMemberState* m = FindMember(member_id);
  if (m == nullptr) return;
  m->polling = false;
  if (!m->unresponsive_since) m->unresponsive_since = now;
  Reindex(m);
  // The group's next deadline changed: waiters recompute theirs.
  effects_.wake = true;
}

void Group::MarkResponsive(absl::string_view member_id) {
  GroupMemberState* m = FindMember(member_id);
  if (m == nullptr) return;
  // Its max.poll.interval still runs from its last poll.
  m->unresponsive_since.reset();
  Reindex(m);
  effects_.wake = true;
}

absl::Status Group::CheckCommit(absl::string_view member_id,
                                int32_t generation, absl::Time now) {
  CheckDeadlines(now);
  const GroupMemberState* m = member(member_id);
  if (m == nullptr && fenced_.count(member_id)) return MissingMember(member_id);
  // As Kafka's broker: commits with the current generation are accepted
  // while Stable and during PreparingRebalance (so a member can commit in
  // onPartitionsRevoked before it rejoins).
  if (m == nullptr || m->generation != generation ||
      generation_ != generation ||
      (state_ != ConsumerGroupState::kStable &&
       state_ != ConsumerGroupState::kPreparingRebalance)) {
    return CommitFailed(id_, member_id, generation);
  }
  return absl::OkStatus();
}

absl::Status Group::CheckOutsideCommit(absl::Time now) {
  CheckDeadlines(now);
  if (members_.empty()) return absl::OkStatus();
  return Error(ErrorCode::kCommitFailed,
               absl::StrCat("commit failed: group ", id_, " has ",
                            members_.size(),
                            " active member(s); a consumer that is not a "
                            "member (one using Assign) can commit its "
                            "offsets only while the group is empty"));
}

absl::Status Group::CommitFailed(absl::string_view group_id,
                                 absl::string_view member_id,
                                 int32_t generation) {
  return Error(
      ErrorCode::kCommitFailed,
      absl::StrCat("commit failed: member ", member_id, " generation ",
                   generation, " is no longer part of group ", group_id,
                   "'s current generation (it was removed or the group "
                   "rebalanced, e.g. Poll was not called within "
                   "max.poll.interval.ms); its partitions may have "
                   "moved to another member"));
}

absl::Time Group::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  if (state_ == ConsumerGroupState::kPreparingRebalance) {
    next = rebalance_deadline_;
  }
  if (!deadlines_.empty()) next = std::min(next, deadlines_.begin()->first);
  return next;
}

void Group::CheckDeadlines(absl::Time now) {
  // session.timeout.ms: a member that stopped heartbeating is removed.
  // max.poll.interval.ms: a live member that stopped polling is removed (a
  // member that stopped heartbeating cannot leave on its own: only the
  // session timeout removes it).
  std::vector<std::string> expired;
  for (auto it = deadlines_.begin();
       it != deadlines_.end() && it->first <= now; ++it) {
    expired.push_back(it->second);
  }
  std::sort(expired.begin(), expired.end());  // Removed in member id order.
  for (const std::string& id : expired) {
    RemoveMember(id, now);
    effects_.wake = true;
  }
  // The rebalance timeout: complete without the members that did not rejoin.
  if (state_ == ConsumerGroupState::kPreparingRebalance &&
      now >= rebalance_deadline_) {
    std::vector<std::string> late;
    for (const auto& [id, m] : members_) {
      if (!m.joined) late.push_back(id);
    }
    for (const std::string& id : late) {
      Detach(&members_.find(id)->second);
      members_.erase(id);
    }
    if (!members_.count(leader_)) leader_.clear();
    effects_.wake = true;
    if (!MaybeComplete() && members_.empty()) {
      state_ = ConsumerGroupState::kEmpty;
      ++generation_;
      effects_.snapshot = true;
    }
  }
}

void Group::RemoveMember(const std::string& member_id, absl::Time now) {
  auto it = members_.find(member_id);
  Detach(&it->second);
  members_.erase(it);
  if (leader_ == member_id) {
    leader_ = members_.empty() ? "" : members_.begin()->first;
  }
  if (members_.empty()) {
    // Kafka bumps the generation when a group empties, so a zombie's later
    // commit fails.
    state_ = ConsumerGroupState::kEmpty;
    ++generation_;
    rebalance_deadline_ = absl::InfiniteFuture();
    effects_.snapshot = true;
    return;
  }
  if (state_ == ConsumerGroupState::kPreparingRebalance) {
    MaybeComplete();  // The leaver may have been the last one.
  } else {
    StartRebalance(now);
  }
}

void Group::StartRebalance(absl::Time now) {
  state_ = ConsumerGroupState::kPreparingRebalance;
  // The rebalance timeout is the largest max.poll.interval.ms of the
  // members, as in Kafka's JoinGroup.
  absl::Duration timeout = absl::ZeroDuration();
  for (auto& [id, m] : members_) {
    m.joined = false;
    timeout = std::max(timeout, m.max_poll_interval);
  }
  joined_ = 0;
  rebalance_deadline_ = now + timeout;
}

bool Group::MaybeComplete() {
  if (state_ != ConsumerGroupState::kPreparingRebalance || members_.empty()) {
    return false;
  }
  if (joined_ != static_cast<int64_t>(members_.size())) return false;
  CompleteRebalance();
  return true;
}

void Group::CompleteRebalance() {
  // Join and sync in one step: the coordinator runs the leader's assignor
  // itself, so CompletingRebalance lasts only this call.
  state_ = ConsumerGroupState::kCompletingRebalance;
  ++generation_;
  if (!members_.count(leader_)) leader_ = members_.begin()->first;
  protocol_ = SelectProtocol();
  const bool sticky = protocol_ == "sticky";
  GroupSubscription input;
  for (const auto& [id, m] : members_) {
    GroupMember gm;
    gm.member_id = id;
    if (!m.group_instance_id.empty()) {
      gm.group_instance_id = m.group_instance_id;
    }
    gm.topics = m.topics;
    gm.owned_partitions = m.owned;
    gm.generation = m.owned_generation;
    if (sticky) {
      // Eager: the member owns nothing while it joins; the StickyAssignor's
      // user data carries what it had.
      gm.owned_partitions = m.previous_assignment;
      gm.generation = m.previous_generation;
    }
    for (const std::string& topic : m.topics) {
      if (input.partitions_per_topic.count(topic)) continue;
      std::optional<int32_t> n = partitions_(topic);
      if (n) input.partitions_per_topic[topic] = *n;
    }
    input.members.push_back(std::move(gm));
  }
  absl::StatusOr<GroupAssignment> assignment =
      absl::InternalError("no assignor");
  std::shared_ptr<Assignor> assignor = AssignorByName(protocol_);
  if (assignor != nullptr) {
    assignment = assignor->Assign(input);
    if (assignment.ok()) {
      const std::vector<RebalanceProtocol> protocols =
          assignor->supported_protocols();
      const bool cooperative =
          std::find(protocols.begin(), protocols.end(),
                    RebalanceProtocol::kCooperative) != protocols.end();
      absl::Status valid = CheckAssignment(input, *assignment, cooperative);
      if (!valid.ok()) assignment = valid;
    }
  } else {
    assignment =
        Error(ErrorCode::kInconsistentGroupProtocol,
              absl::StrCat("unknown assignor '", protocol_, "' in group"));
  }
  joined_ = 0;
  for (auto& [id, m] : members_) {
    m.joined = false;
    m.generation = generation_;
    if (!assignment.ok()) {
      m.assignment.clear();
      m.result_error = assignment.status();
      continue;
    }
    m.assignment = (*assignment)[id];
    m.result =
        JoinResult{generation_, protocol_, leader_, m.assignment};
  }
  rebalance_deadline_ = absl::InfiniteFuture();
  state_ = ConsumerGroupState::kStable;
  effects_.snapshot = true;
}

ConsumerGroupDescription Group::Describe() const {
  ConsumerGroupDescription d;
  d.group_id = id_;
  d.state = state_;
  d.protocol_type = members_.empty() ? "" : "consumer";
  d.protocol = protocol_;
  d.generation = generation_;
  d.leader = leader_;
  d.members.reserve(members_.size());
  for (const auto& [id, m] : members_) {
    MemberDescription md;
    md.member_id = id;
    md.client_id = m.client_id;
    md.group_instance_id = m.group_instance_id;
    md.host = "/localhost";
    md.assignment = m.assignment;
    std::sort(md.assignment.begin(), md.assignment.end());
    d.members.push_back(std::move(md));
  }
  return d;
}

absl::Status Group::CheckIndexes() const {
  std::set<std::pair<absl::Time, std::string>> deadlines;
  int64_t joined = 0;
  std::map<std::string, std::set<std::string>, std::less<>> static_members;
  std::map<std::string, int64_t, std::less<>> supporters;
  for (const auto& [id, m] : members_) {
    if (m.member_id != id) {
      return absl::InternalError(absl::StrCat("member ", id, " has id ",
                                              m.member_id));
    }
    const absl::Time deadline = MemberDeadline(m);
    if (deadline != m.indexed_deadline) {
      return absl::InternalError(
          absl::StrCat("member ", id, " is indexed at ",
                       absl::FormatTime(m.indexed_deadline), ", not at ",
                       absl::FormatTime(deadline)));
    }
    if (deadline != absl::InfiniteFuture()) deadlines.emplace(deadline, id);
    if (m.joined) ++joined;
    if (!m.group_instance_id.empty()) {
      static_members[m.group_instance_id].insert(id);
    }
    for (const std::string& s : UniqueStrategies(m)) ++supporters[s];
  }
  if (deadlines != deadlines_) {
    return absl::InternalError(absl::StrCat(
        "the deadline index has ", deadlines_.size(), " entries, a scan finds ",
        deadlines.size(), " (or they differ)"));
  }
  if (joined != joined_) {
    return absl::InternalError(absl::StrCat("joined: index ", joined_,
                                            ", scan ", joined));
  }
  if (static_members != static_members_) {
    return absl::InternalError("the static member index differs");
  }
  if (supporters != supporters_) {
    return absl::InternalError("the strategy index differs");
  }
  return absl::OkStatus();
}

int32_t Group::uncollected() const {
  int32_t n = 0;
  for (const auto& [id, m] : members_) {
    if (m.result || !m.result_error.ok()) ++n;
  }
  return n;
}

}  // namespace brook
