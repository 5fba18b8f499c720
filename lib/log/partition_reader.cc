#include "log/partition_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "brook/error.h"

namespace brook {
namespace {

// Kafka's max.partition.fetch.bytes default: how much one storage read
// fetches ahead for a partition.
constexpr size_t kFetchBytes = 1 << 20;

}  // namespace

PartitionReader::PartitionReader(std::shared_ptr<Topic> topic,
                                   int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

void PartitionReader::ResetCache() {
  batches_.clear();
  index_ = 0;
  reader_valid_ = false;
}

int64_t PartitionReader::log_start() const {
  return topic_->partition(partition_)
      .log_start.load(std::memory_order_acquire);
}

int64_t PartitionReader::high_watermark() const {
  return topic_->partition(partition_)
      .high_watermark.load(std::memory_order_acquire);
}

bool PartitionReader::HasData(int64_t position) const {
  return !topic_->deleted() && position < high_watermark();
}

absl::Status PartitionReader::Read(Store* store, int max, int64_t* position,
                                    RecordsBuilder* out) {
  // A position moved since the last read (a seek, a reset) starts over.
  if (next_offset_ != *position) ResetCache();
  int64_t pos = *position;
  absl::Status status = ReadFrom(store, max, &pos, out);
  // The position always matches what was appended to `out`; after an error
  // the cached batches may be ahead of it, so they are dropped.
  *position = pos;
  next_offset_ = pos;
  if (!status.ok()) ResetCache();
  return status;
}

absl::Status PartitionReader::ReadFrom(Store* store, int max, int64_t* pos_io,
                                        RecordsBuilder* out) {
  const int64_t hw = high_watermark();
  int64_t& pos = *pos_io;
  int taken = 0;
  if (pos < hw) out->KeepAlive(topic_);  // The records' topic name.
  while (taken < max && pos < hw) {
    if (!reader_valid_ || reader_.done()) {
      if (reader_valid_) ++index_;
      reader_valid_ = false;
      if (index_ >= batches_.size()) {
        batches_.clear();
        index_ = 0;
        absl::Status s = store->ReadBatches(topic_->cf(), partition_, pos, hw,
                                            kFetchBytes, &batches_);
        if (!s.ok()) return s;
        if (batches_.empty()) {
          return Error(
              ErrorCode::kCorruptMessage,
              absl::StrCat(topic_->name(), "-", partition_, ": offset ", pos,
                           " is below the high watermark but not stored"));
        }
      }
      const StoredBatch& batch = batches_[index_];
      absl::Status s = reader_.Init(*batch.value);
      if (!s.ok()) return s;
      reader_valid_ = true;
      while (!reader_.done() &&
             batch.base_offset + reader_.next_delta() < pos) {
        s = reader_.Skip();
        if (!s.ok()) return s;
      }
      if (reader_.done() && index_ + 1 >= batches_.size()) {
        // Every record read ends below `pos`: the next stored one, if any,
        // is in a batch after this one (which may start at `pos` and hold
        // nothing, compacted). Offsets stored nowhere (lost to damage and
        // skipped by a salvage) are passed over, as Kafka's fetch passes
        // over offsets a compaction removed.
        const int64_t next =
            std::max(pos, batch.base_offset + reader_.span());
        ResetCache();
        s = store->ReadBatches(topic_->cf(), partition_, next, hw, kFetchBytes,
                               &batches_, /*after=*/true);
        if (!s.ok()) return s;
        if (batches_.empty()) {
          pos = hw;
          break;
        }
      }
      continue;
    }
    const StoredBatch& batch = batches_[index_];
    out->KeepAlive(batch.value);
    absl::Status s =
        out->Append([&](RecordView* r, std::vector<HeaderView>* headers) {
          r->topic = topic_->name();
          r->partition = partition_;
          return reader_.ReadView(batch.base_offset, r, headers);
        });
    if (!s.ok()) return s;
    pos = out->back().offset + 1;
    ++taken;
  }
  return absl::OkStatus();
}

}  // namespace brook
