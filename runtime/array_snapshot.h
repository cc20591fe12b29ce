// ArraysSnapshot: a list of arrays as they were at one moment, and a cheap check whether they
// still are. Caches of values derived from arrays use it: a compiled graph's prepared values
// (pre-transposed weights) and a static_params graph's baked-in parameters.
//
// take() watches the arrays' storages (Storage::watch). While watched_write_count() stands
// still, current() compares only handles: one load per array, no version reads. Only when some
// watched storage was written (any cache's, anywhere in the process) does it compare versions.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/array.h"

namespace kiln {

class ArraysSnapshot {
 public:
  ArraysSnapshot() = default;
  ArraysSnapshot(ArraysSnapshot&& other) noexcept;
  ArraysSnapshot& operator=(ArraysSnapshot&& other) noexcept;

  // Records `arrays` (same order as current() will get them) and watches their storages. Holds
  // their handles, so an array freed meanwhile cannot be mistaken for a new one at its address.
  void take(std::span<const Array* const> arrays);
  // Whether `arrays` are the recorded arrays, none written since take(). Safe to call from many
  // threads at once (not concurrently with take()).
  bool current(std::span<const Array* const> arrays) const;
  bool taken() const { return taken_; }

 private:
  std::vector<Array> arrays_;
  std::vector<DataVersion> versions_;
  bool taken_ = false;
  // watched_write_count() when the arrays were last found unchanged.
  mutable std::atomic<uint64_t> checked_at_{0};
};

}  // namespace kiln
