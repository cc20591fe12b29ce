// A block of 64-byte-aligned memory, shared by every Array that views it.
#pragma once

#include <cstddef>
#include <memory>

namespace kiln {

inline constexpr size_t kStorageAlignment = 64;  // one cache line; one AVX-512 register

class Storage {
 public:
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_;
  size_t bytes_;
};

}  // namespace kiln
