// Whole-file reads and atomic writes, and the checksum kiln's file formats use (the .params
// file, the compiled-graph cache).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::file_io {

// 64-bit FNV-1a with FNV's offset basis.
inline constexpr uint64_t kFnv1aBasis = 14695981039346656037ull;
// The basis kiln's format-1 files were sealed with (a digit short of FNV's); their readers pass it.
inline constexpr uint64_t kFormat1Basis = 1469598103934665603ull;
uint64_t fnv1a(const void* data, size_t bytes, uint64_t basis = kFnv1aBasis);

// Writes `bytes` to a temporary file beside `path` and renames it into place, so an existing
// file is replaced whole or not at all. FileError names `what` (e.g. "save_parameters") on failure.
void write_atomically(const std::string& path, std::string_view bytes, const char* what);

// Several files replaced together: each is written to a temporary file first, and only when all
// are written are they renamed into place. A failed write leaves every existing file untouched.
class StagedWrites {
 public:
  explicit StagedWrites(const char* what) : what_(what) {}
  ~StagedWrites();  // removes temporary files not committed
  void stage(const std::string& path, std::string_view bytes);
  void commit();

 private:
  const char* what_;
  std::vector<std::pair<std::string, std::string>> staged_;  // temporary file, final path
};

// Whether `path` names an existing directory.
bool is_directory(const std::string& path);

// The file's bytes; FileError naming `what` if it cannot be opened or read (a directory, say).
std::string read(const std::string& path, const char* what);

}  // namespace kiln::file_io
