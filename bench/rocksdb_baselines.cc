// The one file of brook outside lib/storage that includes RocksDB: these
// baselines measure RocksDB itself, so they must bypass brook.

#include "rocksdb_baselines.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "workload_common.h"

namespace brook {
namespace bench {
namespace {

constexpr int64_t kRecordsPerWriteBatch = 1000;
constexpr int64_t kRecordsPerPackedPut = 100;

std::atomic<uint64_t> g_sink{0};

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(context, ": ", s.ToString()));
}

// A fresh database with RocksDB's defaults: WAL on, no tuning.
absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenFresh(
    const RunEnv& env, bool compactions = true) {
  rocksdb::Options options;
  options.disable_auto_compactions = !compactions;
  options.create_if_missing = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, env.dir, &raw);
  if (!s.ok()) return FromRocks(s, "rocksdb::DB::Open");
  return std::unique_ptr<rocksdb::DB>(raw);
}

absl::Status CloseDb(std::unique_ptr<rocksdb::DB> db) {
  absl::Status s = FromRocks(db->Close(), "rocksdb::DB::Close");
  db.reset();
  return s;
}

// [partition u32 BE][offset u64 BE], the layout brook's topic families use.
void EncodeKey(int32_t partition, int64_t offset, char out[12]) {
  const uint32_t p = static_cast<uint32_t>(partition);
  const uint64_t o = static_cast<uint64_t>(offset);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(p >> (24 - 8 * i));
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<char>(o >> (56 - 8 * i));
}

// Writes every record with one Put each, WriteBatches of 1,000 records.
// Record i goes to partition i % P at offset i / P.
absl::Status WritePerRecord(rocksdb::DB* db, const RunEnv& env) {
  const Dataset& data = *env.data;
  const int partitions = env.config->partitions;
  const rocksdb::WriteOptions write_options;  // sync=false, WAL on.
  rocksdb::WriteBatch batch;
  std::string value;
  char key[12];
  for (int64_t i = 0; i < data.records(); ++i) {
    EncodeKey(static_cast<int32_t>(i % partitions), i / partitions, key);
    value.assign(data.value(i).data(), data.value(i).size());
    value.append(data.key(i).data(), data.key(i).size());
    rocksdb::Status s = batch.Put(rocksdb::Slice(key, sizeof(key)), value);
    if (!s.ok()) return FromRocks(s, "WriteBatch::Put");
    if ((i + 1) % kRecordsPerWriteBatch == 0 || i + 1 == data.records()) {
      s = db->Write(write_options, &batch);
      if (!s.ok()) return FromRocks(s, "DB::Write");
      batch.Clear();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CountKeys(rocksdb::DB* db) {
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions()));
  int64_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  if (absl::Status s = FromRocks(it->status(), "Iterator"); !s.ok()) return s;
  return count;
}

Metric RateMetric(std::string id, std::string label, double records,
                  double seconds, int64_t record_bytes) {
  Metric m;
  m.id = std::move(id);
  m.label = std::move(label);
  m.unit = "records/s";
  m.value = records / seconds;
  m.record_bytes = record_bytes;
  return m;
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunBaselinePutPerRecord(const RunEnv& env) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenFresh(env);
  if (!db.ok()) return db.status();
  const Clock::time_point start = Clock::now();
  absl::Status s = WritePerRecord(db->get(), env);
  const double seconds = SecondsSince(start);
  if (!s.ok()) return s;
  if (s = CloseDb(*std::move(db)); !s.ok()) return s;
  return std::vector<Metric>{
      RateMetric("baseline_a_put", "RocksDB (a) Put per record, 1k/WriteBatch",
                 env.data->records(), seconds, env.data->record_bytes())};
}

namespace {

struct PackedRun {
  double seconds = 0;
  double write_amplification = 0;
};

// How (b), (e) and (f) store the packed records.
enum class PackedLayout {
  kOneFamily,              // (b): RocksDB's defaults.
  kOneFamilyNoCompaction,  // (e)
  kFamilyPerPartition,     // (f)
};

absl::StatusOr<PackedRun> WritePacked(const RunEnv& env, PackedLayout layout) {
  const bool family_per_partition =
      layout == PackedLayout::kFamilyPerPartition;
  const Dataset& data = *env.data;
  const int partitions = env.config->partitions;
  const int64_t written_before = ProcessWrittenBytes();
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db =
      OpenFresh(env, layout != PackedLayout::kOneFamilyNoCompaction);
  if (!db.ok()) return db.status();
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  if (!family_per_partition) {
    families.push_back((*db)->DefaultColumnFamily());
  } else {
    rocksdb::ColumnFamilyOptions cf_options;
    std::vector<std::string> names;
    for (int p = 0; p < partitions; ++p) names.push_back(absl::StrCat("p", p));
    rocksdb::Status s =
        (*db)->CreateColumnFamilies(cf_options, names, &families);
    if (!s.ok()) return FromRocks(s, "CreateColumnFamilies");
  }
  const rocksdb::WriteOptions write_options;  // sync=false, WAL on.

  const Clock::time_point start = Clock::now();
  rocksdb::WriteBatch batch;
  std::string packed;
  packed.reserve(kRecordsPerPackedPut * data.record_bytes());
  char key[12];
  absl::Status status;
  const int64_t n = data.records();
  // Group g (records [100g, 100g+100)) goes to partition g % P, at base
  // offset 100 * (g / P): each partition's offsets stay contiguous.
  for (int64_t first = 0, group = 0; first < n;
       first += kRecordsPerPackedPut, ++group) {
    const int64_t end = std::min(n, first + kRecordsPerPackedPut);
    packed.clear();
    for (int64_t i = first; i < end; ++i) {
      packed.append(data.key(i).data(), data.key(i).size());
      packed.append(data.value(i).data(), data.value(i).size());
    }
    EncodeKey(static_cast<int32_t>(group % partitions),
              kRecordsPerPackedPut * (group / partitions), key);
    rocksdb::Status s =
        family_per_partition
            ? batch.Put(families[group % partitions],
                        rocksdb::Slice(key, sizeof(key)), packed)
            : batch.Put(rocksdb::Slice(key, sizeof(key)), packed);
    if (!s.ok()) {
      status = FromRocks(s, "WriteBatch::Put");
      break;
    }
    if (end % kRecordsPerWriteBatch == 0 || end == n) {
      s = (*db)->Write(write_options, &batch);
      if (!s.ok()) {
        status = FromRocks(s, "DB::Write");
        break;
      }
      batch.Clear();
    }
  }
  PackedRun run;
  run.seconds = SecondsSince(start);
  if (!status.ok()) return status;
  // The memtables' flush is part of what the records cost (Close would not
  // flush them: the log holds them).
  status =
      FromRocks((*db)->Flush(rocksdb::FlushOptions(), families), "Flush");
  if (family_per_partition) {
    for (rocksdb::ColumnFamilyHandle* h : families) {
      (*db)->DestroyColumnFamilyHandle(h);
    }
  }
  if (!status.ok()) return status;
  if (status = CloseDb(*std::move(db)); !status.ok()) return status;
  run.write_amplification =
      static_cast<double>(ProcessWrittenBytes() - written_before) /
      static_cast<double>(n * data.record_bytes());
  return run;
}

// (b), (e) or (f): the rate and the write amplification of WritePacked.
absl::StatusOr<std::vector<Metric>> PackedMetrics(const RunEnv& env,
                                                  PackedLayout layout,
                                                  const std::string& name,
                                                  const std::string& label) {
  absl::StatusOr<PackedRun> run = WritePacked(env, layout);
  if (!run.ok()) return run.status();
  const Dataset& data = *env.data;
  return std::vector<Metric>{
      RateMetric(absl::StrCat("baseline_", name, "_packed"), label,
                 data.records(), run->seconds, data.record_bytes()),
      {absl::StrCat("baseline_", name, "_wa"),
       absl::StrCat("RocksDB (", name, ") write amplification"), "x",
       run->write_amplification, 0}};
}

}  // namespace

absl::StatusOr<std::vector<Metric>> RunBaselinePacked(const RunEnv& env) {
  return PackedMetrics(env, PackedLayout::kOneFamily, "b",
                       "RocksDB (b) Put per 100 records");
}

absl::StatusOr<std::vector<Metric>> RunBaselinePackedNoCompaction(
    const RunEnv& env) {
  return PackedMetrics(env, PackedLayout::kOneFamilyNoCompaction, "e",
                       "RocksDB (e) = (b) without compaction");
}

absl::StatusOr<std::vector<Metric>> RunBaselinePackedFamilyPerPartition(
    const RunEnv& env) {
  return PackedMetrics(env, PackedLayout::kFamilyPerPartition, "f",
                       "RocksDB (f) = (b), one family per partition");
}

absl::StatusOr<std::vector<Metric>> RunBaselineSyncPuts(const RunEnv& env,
                                                        int threads) {
  const Dataset& data = *env.data;
  const int64_t per_thread = env.config->sync_sends;
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenFresh(env);
  if (!db.ok()) return db.status();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;

  absl::StatusOr<double> seconds =
      TimeSynchronousCalls(threads, per_thread, [&](int t, int64_t j) {
        // Record i of the data set; thread t writes "partition" t.
        const int64_t i = (t * per_thread + j) % data.records();
        char key[12];
        EncodeKey(t, j, key);
        // One allocation per Put: nothing next to the fsync.
        std::string value(data.value(i));
        value.append(data.key(i).data(), data.key(i).size());
        return FromRocks(
            (*db)->Put(write_options, rocksdb::Slice(key, sizeof(key)), value),
            "DB::Put(sync)");
      });
  if (!seconds.ok()) return seconds.status();
  absl::StatusOr<int64_t> stored = CountKeys(db->get());
  if (!stored.ok()) return stored.status();
  if (*stored != per_thread * threads) {
    return absl::InternalError(absl::StrCat("the database holds ", *stored,
                                            " records, expected ",
                                            per_thread * threads));
  }
  if (absl::Status s = CloseDb(*std::move(db)); !s.ok()) return s;
  return std::vector<Metric>{SyncSendRate("baseline_c_sync",
                                          "RocksDB (c) sync Put", threads,
                                          per_thread * threads, *seconds)};
}

absl::StatusOr<std::vector<Metric>> RunBaselineScan(const RunEnv& env) {
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenFresh(env);
  if (!db.ok()) return db.status();
  if (absl::Status s = WritePerRecord(db->get(), env); !s.ok()) return s;

  const Clock::time_point start = Clock::now();
  int64_t count = 0;
  uint64_t touched = 0;
  rocksdb::Status iter_status;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        (*db)->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice v = it->value();
      if (!v.empty()) touched += v.size() + static_cast<unsigned char>(v[0]);
      ++count;
    }
    iter_status = it->status();
  }
  const double seconds = SecondsSince(start);
  g_sink.fetch_add(touched, std::memory_order_relaxed);
  if (!iter_status.ok()) return FromRocks(iter_status, "Iterator");
  if (count != env.data->records()) {
    return absl::InternalError(absl::StrCat(
        "the scan saw ", count, " records, expected ", env.data->records()));
  }
  if (absl::Status s = CloseDb(*std::move(db)); !s.ok()) return s;
  return std::vector<Metric>{RateMetric("baseline_a_scan",
                                        "RocksDB (a) full scan", count, seconds,
                                        env.data->record_bytes())};
}

absl::StatusOr<double> TimeReadOnlyOpen(const std::string& dir) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  if (absl::Status s = FromRocks(
          rocksdb::DB::ListColumnFamilies(options, dir, &names),
          "rocksdb::DB::ListColumnFamilies");
      !s.ok()) {
    return s;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  const Clock::time_point start = Clock::now();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (absl::Status s = FromRocks(
          rocksdb::DB::OpenForReadOnly(options, dir, families, &handles, &raw),
          "rocksdb::DB::OpenForReadOnly");
      !s.ok()) {
    return s;
  }
  const double ms = SecondsSince(start) * 1000;
  std::unique_ptr<rocksdb::DB> db(raw);
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  if (absl::Status s = CloseDb(std::move(db)); !s.ok()) return s;
  return ms;
}

}  // namespace bench
}  // namespace brook
