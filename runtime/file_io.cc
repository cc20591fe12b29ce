#include "runtime/file_io.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "runtime/error.h"

namespace kiln::file_io {

uint64_t fnv1a(const void* data, size_t bytes) {
  uint64_t h = 1469598103934665603ull;
  auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

void write_atomically(const std::string& path, std::string_view bytes, const char* what) {
  // Unique per process and per write, so concurrent writers of one path never share a file.
  static std::atomic<uint64_t> writes{0};
  std::string tmp = fmt(path, ".tmp.", ::getpid(), ".", writes.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw FileError(fmt(what, ": cannot write '", tmp, "': ", std::strerror(errno)));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw FileError(fmt(what, ": cannot move the new file into '", path, "': ", std::strerror(err)));
  }
}

std::string read(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(fmt(what, ": cannot open '", path, "': ", std::strerror(errno)));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace kiln::file_io
