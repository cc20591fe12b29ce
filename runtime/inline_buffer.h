// InlineBuffer<T, N>: `n` values of T on the stack when n <= N, else on the heap. For the
// per-call argument lists of compiled graphs: small graphs (nearly all) allocate nothing, and
// there is no fixed cap on a graph's arguments.
#pragma once

#include <cstddef>
#include <memory>

namespace kiln {

template <class T, size_t N>
class InlineBuffer {
 public:
  explicit InlineBuffer(size_t n) : data_(n <= N ? inline_ : (heap_ = std::make_unique<T[]>(n)).get()) {}
  InlineBuffer(const InlineBuffer&) = delete;
  InlineBuffer& operator=(const InlineBuffer&) = delete;

  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  T inline_[N];
  std::unique_ptr<T[]> heap_;
  T* data_;
};

}  // namespace kiln
