#include "log/synced_ends.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "brook/error.h"
#include "log/batch_format.h"
#include "util/status_macros.h"

namespace brook {
namespace {

constexpr const char* kFiles[2] = {"BROOK-SYNCED-0", "BROOK-SYNCED-1"};
constexpr absl::string_view kMagic = "brook synced ends 1\n";
constexpr absl::string_view kChecksumPrefix = "fnv1a64 ";
constexpr absl::Duration kSaveInterval = absl::Seconds(1);

uint64_t Fnv1a64(absl::string_view data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// A checkpoint file's sequence number and ends; nullopt when it is not an
// intact checkpoint (torn, damaged, or something else).
struct Parsed {
  uint64_t seq = 0;
  SyncedEnds::Ends ends;
  std::vector<SyncedEnds::LostTopic> topics;
};

std::optional<Parsed> Parse(absl::string_view file) {
  const size_t sum_at = file.rfind(kChecksumPrefix);
  if (!absl::StartsWith(file, kMagic) || sum_at == absl::string_view::npos) {
    return std::nullopt;
  }
  const absl::string_view body = file.substr(0, sum_at);
  const absl::string_view sum_line = file.substr(sum_at);
  if (sum_line != absl::StrFormat("%s%016x\n", kChecksumPrefix,
                                  Fnv1a64(body))) {
    return std::nullopt;
  }
  Parsed parsed;
  bool have_seq = false;
  for (absl::string_view line :
       absl::StrSplit(body.substr(kMagic.size()), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    if (!have_seq) {
      if (words.size() != 2 || words[0] != "seq" ||
          !absl::SimpleAtoi(words[1], &parsed.seq)) {
        return std::nullopt;
      }
      have_seq = true;
      continue;
    }
    if (words.size() == 4 && words[0] == "topic") {
      SyncedEnds::LostTopic t;
      t.family = std::string(words[1]);
      t.name = std::string(words[3]);
      if (!absl::SimpleAtoi(words[2], &t.partitions)) return std::nullopt;
      parsed.topics.push_back(std::move(t));
      continue;
    }
    int32_t partition;
    int64_t end;
    if (words.size() != 3 || !absl::SimpleAtoi(words[1], &partition) ||
        !absl::SimpleAtoi(words[2], &end)) {
      return std::nullopt;
    }
    parsed.ends[std::string(words[0])][partition] = end;
  }
  if (!have_seq) return std::nullopt;
  return parsed;
}

}  // namespace

absl::Status SyncedEnds::Load() {
  std::optional<Parsed> newest;
  for (const char* name : kFiles) {
    BROOK_ASSIGN_OR_RETURN(std::optional<std::string> file,
                           store_->ReadAuxFile(name));
    if (!file) continue;
    std::optional<Parsed> parsed = Parse(*file);
    if (parsed && (!newest || parsed->seq > newest->seq)) {
      newest = std::move(parsed);
    }
  }
  absl::MutexLock lock(&mu_);
  loaded_.clear();
  loaded_topics_.clear();
  if (newest) {
    seq_ = newest->seq;
    loaded_ = std::move(newest->ends);
    loaded_topics_ = std::move(newest->topics);
  }
  if (const std::optional<WalDamage>& damage = store_->wal_damage()) {
    for (const auto& [family, partitions] : damage->last_batches) {
      for (const auto& [p, batch] : partitions) {
        int64_t& end = loaded_[family][p];
        end = std::max(end, batch.base_offset + BatchOffsetSpan(batch.value));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<SyncedEnds::LostTopic> SyncedEnds::FindLostTopics() const {
  const std::vector<std::string> orphans = topics_->Orphans();
  std::vector<LostTopic> lost;
  absl::MutexLock lock(&mu_);
  for (const LostTopic& t : loaded_topics_) {
    // A topic of that name (readable or set aside as unreadable) holds it.
    if (topics_->Find(t.name) != nullptr || !topics_->Unreadable(t.name).ok()) {
      continue;
    }
    if (std::find(orphans.begin(), orphans.end(), t.family) != orphans.end()) {
      lost.push_back(t);
    }
  }
  return lost;
}

absl::StatusOr<std::vector<LostRecords>> SyncedEnds::FindLosses() const {
  std::vector<std::shared_ptr<Topic>> topics = topics_->Topics();
  for (const LostTopic& t : FindLostTopics()) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> probed,
                           topics_->ProbeOrphan(t.family, t.name,
                                                t.partitions));
    if (probed != nullptr) topics.push_back(std::move(probed));
  }
  std::vector<LostRecords> losses;
  absl::MutexLock lock(&mu_);
  for (const std::shared_ptr<Topic>& topic : topics) {
    auto saved = loaded_.find(topic->cf().name());
    if (saved == loaded_.end()) continue;  // Deleted topics are not listed.
    for (const auto& [p, end] : saved->second) {
      if (p < 0 || p >= topic->num_partitions()) continue;
      const int64_t recovered =
          topic->partition(p).high_watermark.load(std::memory_order_acquire);
      if (recovered < end) {
        losses.push_back(LostRecords{topic->name(), p, recovered, end});
      }
    }
  }
  std::sort(losses.begin(), losses.end(),
            [](const LostRecords& a, const LostRecords& b) {
              return std::tie(a.topic, a.partition) <
                     std::tie(b.topic, b.partition);
            });
  return losses;
}

absl::Status SyncedEnds::Save() {
  absl::MutexLock lock(&mu_);
  return SaveLocked();
}

void SyncedEnds::SaveIfDue() {
  if (absl::ToUnixMillis(absl::Now()) <
      next_save_ms_.load(std::memory_order_relaxed)) {
    return;
  }
  absl::MutexLock lock(&mu_);
  // The checkpoint only ever lags: a failed save is retried at the next.
  SaveLocked().IgnoreError();
}

absl::Status SyncedEnds::Forget(const std::string& family) {
  absl::MutexLock lock(&mu_);
  forgotten_.insert(family);
  return SaveLocked();
}

void SyncedEnds::Remember(const std::string& family) {
  absl::MutexLock lock(&mu_);
  forgotten_.erase(family);
}

absl::Status SyncedEnds::SaveLocked() {
  std::string out(kMagic);
  absl::StrAppend(&out, "seq ", seq_ + 1, "\n");
  std::vector<std::shared_ptr<Topic>> topics = topics_->Topics();
  topics.erase(std::remove_if(topics.begin(), topics.end(),
                              [this](const std::shared_ptr<Topic>& t)
                                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                                    return forgotten_.contains(t->cf().name());
                                  }),
               topics.end());
  for (const std::shared_ptr<Topic>& topic : topics) {
    absl::StrAppend(&out, "topic ", topic->cf().name(), " ",
                    topic->num_partitions(), " ", topic->name(), "\n");
  }
  for (const std::shared_ptr<Topic>& topic : topics) {
    for (int32_t p = 0; p < topic->num_partitions(); ++p) {
      const int64_t end =
          topic->partition(p).synced_end.load(std::memory_order_acquire);
      if (end > 0) {
        absl::StrAppend(&out, topic->cf().name(), " ", p, " ", end, "\n");
      }
    }
  }
  absl::StrAppend(&out, absl::StrFormat("%s%016x\n", kChecksumPrefix,
                                        Fnv1a64(out)));
  // Write the file that does not hold the newest checkpoint: if this write
  // is torn, that one stays intact.
  BROOK_RETURN_IF_ERROR(store_->WriteAuxFile(kFiles[(seq_ + 1) % 2], out));
  ++seq_;
  next_save_ms_.store(absl::ToUnixMillis(absl::Now() + kSaveInterval),
                      std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status SyncedEnds::LostError(const std::string& dir,
                                   const std::vector<LostTopic>& topics,
                                   const std::vector<LostRecords>& losses,
                                   const WalDamage* wal_damage) {
  constexpr size_t kNamed = 20;
  std::vector<std::string> what;
  if (wal_damage != nullptr) {
    what.push_back(absl::StrCat(
        "the writes from sequence number ", wal_damage->first_lost_seq,
        " on in ", std::filesystem::path(wal_damage->file).filename().string(),
        " (fsynced, as later writes in the log show, and unreadable)"));
  }
  if (!topics.empty()) {
    std::string names;
    for (const LostTopic& t : topics) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", t.name);
    }
    what.push_back(absl::StrCat("the record of topic ", names));
  }
  if (!losses.empty()) {
    int64_t total = 0;
    std::string ranges;
    for (size_t i = 0; i < losses.size(); ++i) {
      const LostRecords& l = losses[i];
      total += l.to_offset - l.from_offset;
      if (i < kNamed) {
        absl::StrAppend(&ranges, i == 0 ? "" : ", ", l.topic, "-",
                        l.partition, " offsets ", l.from_offset, "..",
                        l.to_offset - 1);
      }
    }
    if (losses.size() > kNamed) {
      absl::StrAppend(&ranges, " and ", losses.size() - kNamed,
                      " more partitions");
    }
    what.push_back(
        absl::StrCat(total, " acknowledged record(s): ", ranges));
  }
  return Error(ErrorCode::kCorruption,
               absl::StrCat("data directory ", dir,
                            " lost to damage of its write-ahead log ",
                            absl::StrJoin(what, "; and "),
                            ". Open with EngineOptions::salvage (brook "
                            "--data DIR salvage) to open what remains; lost "
                            "offsets are never reused"));
}

}  // namespace brook
