// The allocator behind every Array's storage: 64-byte-aligned blocks, with a small per-thread
// cache of freed blocks per power-of-two size class, so that the arrays a model creates on every
// call (outputs, eager intermediates) are recycled instead of going back to malloc each time.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::memory {

// A block of at least `bytes` bytes, 64-byte aligned. Throws std::bad_alloc.
void* allocate(size_t bytes);
// Returns a block from allocate(`bytes`) (the same `bytes`). Any thread may release it.
void release(void* block, size_t bytes) noexcept;

// What the calling thread has asked for since it started: blocks requested, and how many of
// those the cache could not serve (each one a call to the system allocator).
struct Counters {
  uint64_t requests = 0;
  uint64_t system_allocations = 0;
};
Counters counters();

// Sanitizer builds bypass the cache: a recycled block would hide a use after free or a read past
// an array's end (the block is larger than the array) from AddressSanitizer.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kBlockCacheEnabled = false;
#else
inline constexpr bool kBlockCacheEnabled = true;
#endif

// Blocks up to this size are cached; larger ones go straight to the system allocator.
inline constexpr size_t kLargestCachedBlock = size_t{1} << 22;  // 4 MiB
// Freed blocks kept per size class and thread.
inline constexpr int kCachedBlocksPerClass = 4;

}  // namespace kiln::memory
