#include "runtime/storage.h"

#include "runtime/allocator.h"

namespace kiln {

namespace {
std::atomic<uint64_t> g_next_id{1};
}  // namespace

Storage::Storage(size_t bytes)
    : data_(memory::allocate(bytes)), bytes_(bytes), id_(g_next_id.fetch_add(1, std::memory_order_relaxed)) {}

Storage::~Storage() { memory::release(data_, bytes_); }

}  // namespace kiln
