#include "rocksdb/write_batch.h"

#include "brook/error.h"
#include "storage/db_state.h"
#include "storage/keys.h"
#include "storage/store.h"

namespace brook {

StoreWriteBatch::StoreWriteBatch()
    : rep_(std::make_unique<rocksdb::WriteBatch>()) {}
StoreWriteBatch::~StoreWriteBatch() = default;

template <typename Fn>
void StoreWriteBatch::Add(const ColumnFamily& cf, Fn fn) {
  absl::ReaderMutexLock lock(&cf.db_->mu);
  if (cf.handle_ == nullptr) {
    has_unknown_family_ = true;
    return;
  }
  fn(cf.handle_).PermitUncheckedError();  // Adding to a WriteBatch only
                                          // appends.
}

void StoreWriteBatch::PutRecordBatch(const ColumnFamily& cf, int32_t partition,
                                     int64_t base_offset,
                                     absl::string_view value) {
  char key[kBatchKeySize];
  EncodeBatchKey(partition, base_offset, key);
  Add(cf, [&](rocksdb::ColumnFamilyHandle* handle) {
    return rep_->Put(handle, rocksdb::Slice(key, kBatchKeySize),
                     rocksdb::Slice(value.data(), value.size()));
  });
}

void StoreWriteBatch::DeleteRecordBatch(const ColumnFamily& cf,
                                        int32_t partition,
                                        int64_t base_offset) {
  char key[kBatchKeySize];
  EncodeBatchKey(partition, base_offset, key);
  Add(cf, [&](rocksdb::ColumnFamilyHandle* handle) {
    return rep_->Delete(handle, rocksdb::Slice(key, kBatchKeySize));
  });
}

void StoreWriteBatch::DeleteBatchesBelow(const ColumnFamily& cf,
                                         int32_t partition, int64_t below) {
  char from[kBatchKeySize], to[kBatchKeySize];
  EncodeBatchKey(partition, 0, from);
  EncodeBatchKey(partition, below, to);
  Add(cf, [&](rocksdb::ColumnFamilyHandle* handle) {
    return rep_->DeleteRange(handle, rocksdb::Slice(from, kBatchKeySize),
                             rocksdb::Slice(to, kBatchKeySize));
  });
}

void StoreWriteBatch::PutMeta(absl::string_view key, absl::string_view value) {
  meta_puts_.emplace_back(std::string(key), std::string(value));
}

void StoreWriteBatch::DeleteMeta(absl::string_view key) {
  meta_puts_.emplace_back(std::string(key), std::nullopt);
}

void StoreWriteBatch::Clear() {
  rep_->Clear();
  meta_puts_.clear();
  has_unknown_family_ = false;
}

size_t StoreWriteBatch::data_size() const { return rep_->GetDataSize(); }

bool StoreWriteBatch::empty() const {
  return rep_->Count() == 0 && meta_puts_.empty();
}

absl::Status StoreClosed() {
  return Error(ErrorCode::kClosed, "the engine's database is closed");
}

}  // namespace brook
