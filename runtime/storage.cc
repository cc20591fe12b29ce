#include "runtime/storage.h"

#include <cstdlib>
#include <new>

namespace kiln {

Storage::Storage(size_t bytes) : bytes_(bytes) {
  // aligned_alloc wants a size that is a multiple of the alignment.
  size_t rounded = (bytes + kStorageAlignment - 1) / kStorageAlignment * kStorageAlignment;
  data_ = std::aligned_alloc(kStorageAlignment, rounded == 0 ? kStorageAlignment : rounded);
  if (!data_) throw std::bad_alloc();
}

Storage::~Storage() { std::free(data_); }

}  // namespace kiln
