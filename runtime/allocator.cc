#include "runtime/allocator.h"

#include <bit>
#include <cstdlib>
#include <new>

namespace kiln::memory {
namespace {

constexpr size_t kAlignment = 64;
constexpr int kClasses = std::countr_zero(kLargestCachedBlock) + 1;

// Size classes are powers of two from 64 bytes; class c holds blocks of 2^c bytes.
int size_class(size_t bytes) { return std::countr_zero(std::bit_ceil(bytes < kAlignment ? kAlignment : bytes)); }

void* system_allocate(size_t bytes) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;  // aligned_alloc's rule
  void* p = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!p) throw std::bad_alloc();
  return p;
}

struct ThreadCache {
  void* blocks[kClasses][kCachedBlocksPerClass] = {};
  int count[kClasses] = {};
  Counters counters;
  ~ThreadCache() {
    for (int c = 0; c < kClasses; ++c)
      for (int i = 0; i < count[c]; ++i) std::free(blocks[c][i]);
  }
};

ThreadCache& cache() {
  thread_local ThreadCache instance;
  return instance;
}

}  // namespace

void* allocate(size_t bytes) {
  ThreadCache& tc = cache();
  ++tc.counters.requests;
  if (kBlockCacheEnabled && bytes <= kLargestCachedBlock) {
    int c = size_class(bytes);
    if (tc.count[c] > 0) return tc.blocks[c][--tc.count[c]];
    ++tc.counters.system_allocations;
    return system_allocate(size_t{1} << c);
  }
  ++tc.counters.system_allocations;
  return system_allocate(bytes);
}

void release(void* block, size_t bytes) noexcept {
  if (!block) return;
  if (kBlockCacheEnabled && bytes <= kLargestCachedBlock) {
    ThreadCache& tc = cache();
    int c = size_class(bytes);
    if (tc.count[c] < kCachedBlocksPerClass) {
      tc.blocks[c][tc.count[c]++] = block;
      return;
    }
  }
  std::free(block);
}

Counters counters() { return cache().counters; }

}  // namespace kiln::memory
