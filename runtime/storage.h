// A block of 64-byte-aligned memory, shared by every Array that views it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace kiln {

inline constexpr size_t kStorageAlignment = 64;  // one cache line; one AVX-512 register

// The state of a storage's contents: equal versions mean nothing was written in between. Caches
// of values derived from an array (a compiled graph's pre-transposed weights) compare these.
struct DataVersion {
  uint64_t storage = 0;  // unique per storage in the process, never reused
  uint64_t writes = 0;   // counts write accesses
  bool operator==(const DataVersion&) const = default;
};

class Storage {
 public:
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

  // Called on every write access. Concurrent writers may lose an increment, but the version still
  // moves, which is all a cache needs (and concurrent writes to one array are a race anyway).
  void mark_written() {
    writes_.store(writes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (watched_.load(std::memory_order_relaxed)) count_watched_write();
  }
  DataVersion version() const { return {id_, writes_.load(std::memory_order_relaxed)}; }

  // From now on, a write to this storage also moves watched_write_count(). A cache of values
  // derived from many arrays watches them, so that while the count stands still it knows none was
  // written without reading each one's version (see ArraysSnapshot). Never undone.
  void watch() { watched_.store(true, std::memory_order_relaxed); }

 private:
  void* data_;
  size_t bytes_;
  uint64_t id_;
  std::atomic<uint64_t> writes_{0};
  std::atomic<bool> watched_{false};

  static void count_watched_write();
};

// Writes to watched storages (Storage::watch) since the process started.
uint64_t watched_write_count();

}  // namespace kiln
