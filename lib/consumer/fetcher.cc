#include "consumer/fetcher.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"
#include "log/offset_for_time.h"
#include "log/topic_registry.h"
#include "util/status_macros.h"

namespace brook {

Fetcher::Fetcher(Store* store, LogCleaner* cleaner, TopicLookup get_topic,
                 OffsetReset auto_offset_reset, int max_poll_records)
    : store_(store),
      cleaner_(cleaner),
      get_topic_(std::move(get_topic)),
      auto_offset_reset_(auto_offset_reset),
      max_poll_records_(max_poll_records) {}

PartitionReader* Fetcher::Find(const TopicPartition& tp) const {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second.get();
}

absl::StatusOr<std::shared_ptr<Topic>> Fetcher::CheckedTopic(
    const TopicPartition& tp) {
  BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, get_topic_(tp.topic));
  if (tp.partition < 0 || tp.partition >= topic->num_partitions()) {
    return UnknownPartition(*topic, tp.partition);
  }
  return topic;
}

absl::StatusOr<std::map<TopicPartition, std::shared_ptr<Topic>>>
Fetcher::ResolveTopics(absl::Span<const TopicPartition> partitions) {
  std::map<TopicPartition, std::shared_ptr<Topic>> out;
  for (const TopicPartition& tp : partitions) {
    if (out.count(tp)) continue;
    BROOK_ASSIGN_OR_RETURN(out[tp], CheckedTopic(tp));
  }
  return out;
}

std::vector<TopicPartition> Fetcher::Bind(
    std::map<TopicPartition, std::shared_ptr<Topic>> topics) {
  std::vector<TopicPartition> replaced;
  std::map<TopicPartition, std::unique_ptr<PartitionReader>> next;
  for (auto& [tp, topic] : topics) {
    auto old = partitions_.find(tp);
    if (old != partitions_.end() && old->second->topic() == topic) {
      next.emplace(tp, std::move(old->second));
      continue;
    }
    if (old != partitions_.end()) replaced.push_back(tp);
    next.emplace(tp, std::make_unique<PartitionReader>(std::move(topic),
                                                        tp.partition));
  }
  partitions_ = std::move(next);
  return replaced;
}

std::vector<TopicPartition> Fetcher::BindAssignment(
    const std::vector<TopicPartition>& partitions) {
  std::vector<TopicPartition> bound;
  std::map<TopicPartition, std::unique_ptr<PartitionReader>> next;
  for (const TopicPartition& tp : partitions) {
    if (next.count(tp)) continue;
    auto old = partitions_.find(tp);
    if (old != partitions_.end()) {
      next.emplace(tp, std::move(old->second));
      bound.push_back(tp);
      continue;
    }
    absl::StatusOr<std::shared_ptr<Topic>> topic = get_topic_(tp.topic);
    if (!topic.ok() || tp.partition >= (*topic)->num_partitions()) continue;
    next.emplace(tp, std::make_unique<PartitionReader>(*std::move(topic),
                                                        tp.partition));
    bound.push_back(tp);
  }
  partitions_ = std::move(next);
  return bound;
}

void Fetcher::DropDeletedTopics(OffsetMap* offsets) const {
  for (auto it = offsets->begin(); it != offsets->end();) {
    PartitionReader* f = Find(it->first);
    if (f != nullptr && f->topic()->deleted()) {
      it = offsets->erase(it);
    } else {
      ++it;
    }
  }
}

void Fetcher::RunDueRetention() {
  if (cleaner_ != nullptr) cleaner_->RunIfDue();
}

std::vector<TopicPartition> Fetcher::ApplyPendingResets(
    SubscriptionState* subs) {
  std::vector<TopicPartition> missing;
  for (SubscriptionState::Assigned& a : subs->assigned()) {
    PartitionReader* f = Find(a.partition);
    switch (a.state.pending_reset) {
      case SubscriptionState::PendingReset::kToStart:
        a.state.Seek(f->log_start());
        break;
      case SubscriptionState::PendingReset::kToEnd:
        a.state.Seek(f->high_watermark());
        break;
      case SubscriptionState::PendingReset::kNone:
        break;
    }
    if (!a.state.position) missing.push_back(a.partition);
  }
  return missing;
}

absl::Status Fetcher::ResetPosition(const TopicPartition& tp,
                                    SubscriptionState::PartitionState* state,
                                    bool out_of_range) {
  PartitionReader* f = Find(tp);
  switch (auto_offset_reset_) {
    case OffsetReset::kEarliest:
      state->Seek(f->log_start());
      return absl::OkStatus();
    case OffsetReset::kLatest:
      state->Seek(f->high_watermark());
      return absl::OkStatus();
    case OffsetReset::kNone:
      break;
  }
  const std::string where =
      absl::StrCat(f->topic()->name(), "-", f->partition());
  if (out_of_range) {
    return Error(
        ErrorCode::kOffsetOutOfRange,
        absl::StrCat("offset ", *state->position, " of ", where,
                     " is out of range [", f->log_start(), ", ",
                     f->high_watermark(), "] and auto.offset.reset is none"));
  }
  return Error(ErrorCode::kNoOffsetForPartition,
               absl::StrCat("no committed offset for ", where,
                            " and auto.offset.reset is none"));
}

absl::Status Fetcher::ResetOutOfRangePositions(SubscriptionState* subs) {
  for (SubscriptionState::Assigned& a : subs->assigned()) {
    PartitionReader* f = Find(a.partition);
    const int64_t pos = *a.state.position;
    if (pos < f->log_start() || pos > f->high_watermark()) {
      BROOK_RETURN_IF_ERROR(
          ResetPosition(a.partition, &a.state, /*out_of_range=*/true));
    }
  }
  return absl::OkStatus();
}

absl::Status Fetcher::Fetch(SubscriptionState* subs, RecordsBuilder* out) {
  struct Ready {
    SubscriptionState::PartitionState* state;
    PartitionReader* reader;
    bool HasData() const {
      return state->fetchable() && reader->HasData(*state->position);
    }
  };
  std::vector<SubscriptionState::Assigned>& assigned = subs->assigned();
  const size_t n = assigned.size();
  std::vector<Ready> ready;
  for (size_t i = 0; i < n; ++i) {
    SubscriptionState::Assigned& a = assigned[(subs->fetch_start() + i) % n];
    Ready r{&a.state, Find(a.partition)};
    if (r.HasData()) ready.push_back(r);
  }
  subs->AdvanceFetchStart();
  if (ready.empty()) return absl::OkStatus();
  out->Reserve(std::min<size_t>(max_poll_records_, 4096));
  // Fairness: every partition with data gets an equal share first; what is
  // left goes to the ones that had more.
  int budget = max_poll_records_;
  const int share =
      std::max<int>(1, (budget + static_cast<int>(ready.size()) - 1) /
                           static_cast<int>(ready.size()));
  for (int pass = 0; pass < 2 && budget > 0; ++pass) {
    for (const Ready& r : ready) {
      if (budget <= 0) break;
      if (!r.HasData()) continue;
      const size_t before = out->size();
      absl::Status s =
          r.reader->Read(store_, pass == 0 ? std::min(share, budget) : budget,
                         &*r.state->position, out);
      if (!s.ok()) {
        // Positions already cover the records read: deliver them now and
        // the error at the next Poll, as Kafka's fetcher does.
        if (out->empty()) return s;
        held_error_ = s;
        return absl::OkStatus();
      }
      budget -= static_cast<int>(out->size() - before);
    }
  }
  return absl::OkStatus();
}

absl::Status Fetcher::TakeHeldError() {
  return std::exchange(held_error_, absl::OkStatus());
}

absl::StatusOr<std::map<TopicPartition, int64_t>> Fetcher::BeginningOffsets(
    absl::Span<const TopicPartition> partitions) {
  std::map<TopicPartition, int64_t> out;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, CheckedTopic(tp));
    out[tp] = topic->partition(tp.partition).log_start.load();
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, int64_t>> Fetcher::EndOffsets(
    absl::Span<const TopicPartition> partitions) {
  std::map<TopicPartition, int64_t> out;
  for (const TopicPartition& tp : partitions) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, CheckedTopic(tp));
    out[tp] = topic->partition(tp.partition).high_watermark.load();
  }
  return out;
}

absl::StatusOr<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>>
Fetcher::OffsetsForTimes(
    const std::map<TopicPartition, absl::Time>& timestamps) {
  std::map<TopicPartition, std::optional<OffsetAndTimestamp>> out;
  for (const auto& [tp, t] : timestamps) {
    BROOK_ASSIGN_OR_RETURN(std::shared_ptr<Topic> topic, CheckedTopic(tp));
    const PartitionState& state = topic->partition(tp.partition);
    BROOK_ASSIGN_OR_RETURN(
        std::optional<TimestampedOffset> found,
        FindOffsetForTime(*store_, *topic, tp.partition,
                          state.log_start.load(), state.high_watermark.load(),
                          absl::ToUnixMillis(t)));
    if (found) {
      out[tp] = OffsetAndTimestamp{found->offset,
                                   absl::FromUnixMillis(found->timestamp_ms)};
    } else {
      out[tp] = std::nullopt;
    }
  }
  return out;
}

}  // namespace brook
