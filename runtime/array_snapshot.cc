#include "runtime/array_snapshot.h"

namespace kiln {

ArraysSnapshot::ArraysSnapshot(ArraysSnapshot&& other) noexcept
    : arrays_(std::move(other.arrays_)),
      versions_(std::move(other.versions_)),
      taken_(other.taken_),
      checked_at_(other.checked_at_.load(std::memory_order_relaxed)) {}

ArraysSnapshot& ArraysSnapshot::operator=(ArraysSnapshot&& other) noexcept {
  arrays_ = std::move(other.arrays_);
  versions_ = std::move(other.versions_);
  taken_ = other.taken_;
  checked_at_.store(other.checked_at_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  return *this;
}

void ArraysSnapshot::take(std::vector<Array> arrays) {
  taken_ = false;
  arrays_ = std::move(arrays);
  versions_.clear();
  for (const Array& a : arrays_) a.watch_writes();
  // Read the count after watching and before the versions: a write after this moves it again.
  uint64_t now = watched_write_count();
  for (const Array& a : arrays_) versions_.push_back(a.version());
  checked_at_.store(now, std::memory_order_relaxed);
  taken_ = true;
}

bool ArraysSnapshot::unchanged() const {
  if (!taken_) return false;
  uint64_t now = watched_write_count();
  if (now == checked_at_.load(std::memory_order_relaxed)) return true;
  for (size_t i = 0; i < arrays_.size(); ++i)
    if (arrays_[i].version() != versions_[i]) return false;
  checked_at_.store(now, std::memory_order_relaxed);  // read before the versions, as in take()
  return true;
}

}  // namespace kiln
