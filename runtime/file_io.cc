#include "runtime/file_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "runtime/error.h"

namespace kiln::file_io {

uint64_t fnv1a(const void* data, size_t bytes, uint64_t basis) {
  uint64_t h = basis;
  auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

namespace {
// Writes `bytes` to a fresh temporary file beside `path` and returns its name.
std::string write_temporary(const std::string& path, std::string_view bytes, const char* what) {
  // Unique per process and per write, so concurrent writers of one path never share a file.
  static std::atomic<uint64_t> writes{0};
  std::string tmp = fmt(path, ".tmp.", ::getpid(), ".", writes.fetch_add(1));
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) {
    int err = errno;
    out.close();
    std::remove(tmp.c_str());
    throw FileError(fmt(what, ": cannot write '", tmp, "': ", std::strerror(err)));
  }
  return tmp;
}

void move_into_place(const std::string& tmp, const std::string& path, const char* what) {
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw FileError(fmt(what, ": cannot move the new file into '", path, "': ", std::strerror(err)));
  }
}
}  // namespace

void write_atomically(const std::string& path, std::string_view bytes, const char* what) {
  move_into_place(write_temporary(path, bytes, what), path, what);
}

StagedWrites::~StagedWrites() {
  for (const auto& [tmp, path] : staged_) std::remove(tmp.c_str());
}

void StagedWrites::stage(const std::string& path, std::string_view bytes) {
  // What would make the final rename fail is found now, before any file is replaced.
  if (is_directory(path)) throw FileError(fmt(what_, ": cannot write '", path, "': a directory has that name"));
  staged_.emplace_back(write_temporary(path, bytes, what_), path);
}

void StagedWrites::commit() {
  for (size_t i = 0; i < staged_.size(); ++i) {
    auto [tmp, path] = staged_[i];
    staged_[i].first.clear();
    move_into_place(tmp, path, what_);
  }
  staged_.clear();
}

bool is_directory(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string read(const std::string& path, const char* what) {
  if (is_directory(path))
    throw FileError(fmt(what, ": '", path, "' is a directory, not a file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(fmt(what, ": cannot open '", path, "': ", std::strerror(errno)));
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& e) {  // libstdc++ reports some read errors this way
    throw FileError(fmt(what, ": cannot read '", path, "': ", e.what()));
  }
  if (in.bad()) throw FileError(fmt(what, ": cannot read '", path, "': ", std::strerror(errno)));
  return bytes;
}

}  // namespace kiln::file_io
