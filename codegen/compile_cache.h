// The disk cache of compiled graphs, so that a second process compiles nothing.
//
//   KILN_CACHE_DIR=<dir>   where entries live (default $XDG_CACHE_HOME/kiln, else ~/.cache/kiln)
//   KILN_CACHE_DIR=off     no cache
//   KILN_CACHE_MAX_MB=<n>  its size bound (default 1024): past it, the least recently used
//                          entries are removed after each store
//
// An entry is keyed by a 128-bit hash of the traced module's text, the pass pipeline (with any
// KILN_DISABLE_PASSES), the target CPU and its features, the LLVM version and kiln's build id (a
// hash of every source that shapes generated code, cmake/build_id.cmake). It holds the object
// code, the graph's calling convention and the object's data layout, with a checksum: a damaged
// entry is reported under KILN_LOG=recompiles, ignored and rewritten. Entries are written
// atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kiln::codegen::compile_cache {

struct Entry {
  std::string interface;  // the calling convention and data layout, as CompiledGraph writes them
  std::string object;     // the relocatable object file
};

// The cache directory, or "" when the cache is off. Read once.
const std::string& directory();

// The entry's key for a module (its text) compiled with `configuration` (pipeline and target).
std::string key(const std::string& module_text, const std::string& configuration);

// The entry for `key`, or nothing when there is none or it is damaged.
std::optional<Entry> load(const std::string& key);
// Stores the entry, then keeps the cache within its bound; a failure (read-only or full disk)
// only logs: the compile succeeded anyway.
void store(const std::string& key, const Entry& entry);

// Removes the least recently used entries (by modification time; a load refreshes its entry's)
// until the entries take at most `max_bytes`. Returns how many it removed.
size_t evict(uintmax_t max_bytes);

}  // namespace kiln::codegen::compile_cache
