#include "frontend/data/idx_file.h"

#include <zlib.h>

#include <memory>

#include "runtime/error.h"

namespace kiln::gluon::data {

IdxFile read_idx(const std::string& path) {
  // gzread reads plain files as they are, so one path serves both.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw FileError(fmt("cannot open '", path, "'"));
  auto read = [&](void* into, size_t bytes) {
    int got = gzread(file.get(), into, static_cast<unsigned>(bytes));
    if (got < 0) throw FileError(fmt("'", path, "' is damaged (", gzerror(file.get(), nullptr), ")"));
    return static_cast<size_t>(got);
  };
  uint8_t magic[4];
  if (read(magic, 4) != 4 || magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4)
    throw FileError(fmt("'", path, "' is not an IDX file of unsigned bytes (wrong magic number)"));
  IdxFile idx;
  for (int d = 0; d < magic[3]; ++d) {
    uint8_t be[4];
    if (read(be, 4) != 4) throw FileError(fmt("'", path, "' ends inside its IDX header"));
    idx.shape.push_back((int64_t{be[0]} << 24) | (int64_t{be[1]} << 16) | (int64_t{be[2]} << 8) | be[3]);
  }
  int64_t count = num_elements(idx.shape);
  constexpr int64_t kLargest = int64_t{1} << 32;  // far above any IDX dataset
  if (count > kLargest) throw FileError(fmt("'", path, "' claims ", shape_str(idx.shape), " values, too many for IDX data"));
  idx.bytes.resize(static_cast<size_t>(count));
  size_t done = 0;
  while (done < idx.bytes.size()) {
    size_t got = read(idx.bytes.data() + done, std::min<size_t>(idx.bytes.size() - done, size_t{1} << 30));
    if (got == 0) break;
    done += got;
  }
  if (done != idx.bytes.size())
    throw FileError(fmt("'", path, "' is truncated: its header gives shape ", shape_str(idx.shape), " (", count,
                        " bytes) but it holds ", done));
  uint8_t extra;
  if (read(&extra, 1) != 0) throw FileError(fmt("'", path, "' holds more bytes than its header's shape ", shape_str(idx.shape)));
  return idx;
}

}  // namespace kiln::gluon::data
