// The IDX format of MNIST and Fashion-MNIST (big-endian dimensions, then unsigned bytes), read
// whole from a file that may be gzip-compressed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/shape.h"

namespace kiln::gluon::data {

struct IdxFile {
  Shape shape;                // the dimensions the header gives
  std::vector<uint8_t> bytes;  // num_elements(shape) values, row-major
};

// Reads `path` (gzip or plain). FileError naming the path when it is missing, not IDX of
// unsigned bytes, or shorter or longer than its header says.
IdxFile read_idx(const std::string& path);

}  // namespace kiln::gluon::data
