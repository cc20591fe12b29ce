#include "frontend/nn/sequential.h"

#include "runtime/error.h"

namespace kiln::nn {

Block& Sequential::operator[](size_t i) const {
  if (i >= size()) throw ValueError(fmt("Sequential: index ", i, " is out of range for ", size(), " blocks"));
  return *children()[i].second;
}

NDArray Sequential::forward(const NDArray& x) {
  NDArray out = x;
  for (const auto& [name, block] : children()) out = (*block)(out);
  return out;
}

}  // namespace kiln::nn
