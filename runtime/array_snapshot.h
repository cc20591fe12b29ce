// ArraysSnapshot: a list of arrays and their values' versions at one moment, and a cheap check
// that none was written since. Caches of values derived from arrays use it: a compiled graph's
// prepared values (pre-transposed weights) and a static_params graph's baked-in parameters.
//
// take() watches the arrays' storages (Storage::watch). While watched_write_count() stands
// still, unchanged() reads one counter; only when some watched storage was written (any cache's,
// anywhere in the process) does it compare the arrays' versions.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "runtime/array.h"

namespace kiln {

class ArraysSnapshot {
 public:
  ArraysSnapshot() = default;
  ArraysSnapshot(ArraysSnapshot&& other) noexcept;
  ArraysSnapshot& operator=(ArraysSnapshot&& other) noexcept;

  // Holds `arrays`, watches their storages and records their versions.
  void take(std::vector<Array> arrays);
  // Whether take() was called and no array was written since. Safe to call from many threads at
  // once (not concurrently with take()).
  bool unchanged() const;

 private:
  std::vector<Array> arrays_;
  std::vector<DataVersion> versions_;
  bool taken_ = false;
  // watched_write_count() when the arrays were last found unchanged.
  mutable std::atomic<uint64_t> checked_at_{0};
};

}  // namespace kiln
