// The record batch: the value stored under each batch key (storage/keys.h).
// It follows Kafka's record format v2, minus the fields brook keeps in the
// key (base offset) or has no use for (CRC: RocksDB checksums its blocks).
//
//   offset size field
//   0      1    magic = 2
//   1      1    attributes: bit 3 set = timestamps are LogAppendTime;
//                bit 6 set = a delete horizon follows the header; bit 7 set
//                = compacted (below)
//   2      4    record count (u32 BE); record i has offset base + i. In a
//                compacted batch: the number of offsets the batch spans
//   6      8    first timestamp, ms (i64 BE)
//   14     8    max timestamp, ms (i64 BE)
//   22     8    producer id (i64 BE, -1: none)
//   30     2    producer epoch (i16 BE, -1)
//   32     4    base sequence (i32 BE, -1)
//   36     8    delete horizon, ms (i64 BE), only with attribute bit 6
//   36|44  ...  records
//
// Each record, with Kafka's zig-zag varints:
//   length varint (bytes after it), attributes i8 (0), timestamp delta
//   varlong (from the first timestamp), offset delta varint, key length
//   varint (-1 = null), key, value length varint (-1 = null), value, header
//   count varint, then per header: key length varint, key, value length
//   varint (-1 = null), value.
//
// With LogAppendTime every record's timestamp is the batch's max timestamp,
// as in Kafka.
//
// Compaction (log/log_compactor.h) rewrites a batch keeping some of its
// records byte for byte: the batch keeps its key (base offset), header
// fields and record count, now the span of offsets it covers, and marks
// itself compacted; its records keep their offset deltas, which may now
// skip, and run to the end of the value (possibly none). A batch holding a
// tombstone its compaction kept also records when the tombstone may go
// (Kafka's delete horizon). Persisted: never change the meaning of a field.
#ifndef BROOK_LIB_LOG_BATCH_FORMAT_H_
#define BROOK_LIB_LOG_BATCH_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "brook/consumer_records.h"
#include "brook/record.h"
#include "util/record_size.h"  // EncodedRecordSize, KafkaBatchSizeUpperBound

namespace brook {

inline constexpr size_t kBatchHeaderSize = 36;
inline constexpr uint8_t kBatchMagic = 2;
inline constexpr uint8_t kLogAppendTimeAttribute = 0x08;
inline constexpr uint8_t kDeleteHorizonAttribute = 0x40;
inline constexpr uint8_t kCompactedAttribute = 0x80;

// Builds one batch. Thread-compatible.
class BatchBuilder {
 public:
  // `capacity`: bytes to reserve, so that appends do not regrow (and copy)
  // the buffer; the producer passes batch.size.
  explicit BatchBuilder(size_t capacity = 0);

  // Appends a record; its offset delta is the current count.
  void Add(int64_t timestamp_ms, const Bytes& key, const Bytes& value,
           const std::vector<Header>& headers);

  int32_t count() const { return count_; }
  size_t size_bytes() const { return buffer_.size(); }
  int64_t first_timestamp_ms() const { return first_ts_; }

  // Writes the header and returns the batch; the builder is then spent.
  std::string Finish();

 private:
  std::string buffer_;
  int32_t count_ = 0;
  int64_t first_ts_ = 0;
  int64_t max_ts_ = 0;
};

// Rewrites the timestamps of an encoded batch to `time_ms` and marks it
// LogAppendTime. REQUIRES: `batch` came from BatchBuilder::Finish.
void SetLogAppendTime(std::string* batch, int64_t time_ms);

// Number of offsets an encoded batch spans from its base offset (0 when
// malformed): its record count unless it was compacted.
int32_t BatchOffsetSpan(absl::string_view batch);
// The largest timestamp (ms) of an encoded batch's records; -1 when
// malformed.
int64_t BatchMaxTimestamp(absl::string_view batch);

// A compacted copy of `batch` holding `records` (encoded records of
// `batch`, in order, as BatchReader::last_record gives them) and, when
// `delete_horizon_ms` >= 0, that delete horizon.
std::string EncodeCompactedBatch(absl::string_view batch,
                                 const std::vector<absl::string_view>& records,
                                 int64_t delete_horizon_ms);

// Walks the records of one batch. Thread-compatible; borrows `batch`.
class BatchReader {
 public:
  // Checks the header; kDataLoss when malformed.
  absl::Status Init(absl::string_view batch);

  // Offsets the batch spans (BatchOffsetSpan).
  int32_t span() const { return count_; }
  bool compacted() const { return compacted_; }
  // The delete horizon of a compacted batch holding tombstones; -1: none.
  int64_t delete_horizon_ms() const { return delete_horizon_ms_; }
  // Offset delta of the record the next Skip or ReadView reads (span()
  // when done or when that record is malformed, which reading reports).
  int32_t next_delta() const { return next_delta_; }
  bool done() const { return compacted_ ? rest_.empty() : next_ >= count_; }

  // Skips the next record.
  absl::Status Skip();
  // Decodes the next record into `out` as views of the batch (topic,
  // partition and `out->headers` untouched); appends its headers to
  // `headers`. On an error `headers` is as it was.
  absl::Status ReadView(int64_t base_offset, RecordView* out,
                        std::vector<HeaderView>* headers);
  // The encoding of the record last skipped or read.
  absl::string_view last_record() const { return last_record_; }

 private:
  absl::Status Corrupt(absl::string_view what) const;
  // Splits the next record's encoding off rest_ into `body` (after its
  // length), setting last_record_.
  absl::Status TakeRecord(absl::string_view* body);
  // Sets next_delta_ for the record at the front of rest_.
  void PeekDelta();

  absl::string_view rest_;
  absl::string_view last_record_;
  int32_t count_ = 0;
  int32_t next_ = 0;  // Records read or skipped.
  int32_t next_delta_ = 0;
  int64_t first_ts_ = 0;
  int64_t max_ts_ = 0;
  int64_t delete_horizon_ms_ = -1;
  bool log_append_time_ = false;
  bool compacted_ = false;
};

}  // namespace brook

#endif  // BROOK_LIB_LOG_BATCH_FORMAT_H_
