#include "runtime/storage.h"

#include "runtime/allocator.h"

namespace kiln {

namespace {
std::atomic<uint64_t> g_next_id{1};
std::atomic<uint64_t> g_watched_writes{0};
}  // namespace

void Storage::count_watched_write() { g_watched_writes.fetch_add(1, std::memory_order_relaxed); }
uint64_t watched_write_count() { return g_watched_writes.load(std::memory_order_relaxed); }

Storage::Storage(size_t bytes)
    : data_(memory::allocate(bytes)), bytes_(bytes), id_(g_next_id.fetch_add(1, std::memory_order_relaxed)) {}

Storage::~Storage() { memory::release(data_, bytes_); }

}  // namespace kiln
