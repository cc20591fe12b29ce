#include "frontend/nn/sequential.h"

#include "frontend/nd.h"
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

NDArray Concatenate::forward(const NDArray& x) {
  if (size() == 0) throw ValueError(fmt(display_name(), ": has no blocks to concatenate"));
  std::vector<NDArray> outputs;
  for (const auto& [name, block] : children()) outputs.push_back((*block)(x));
  return nd::concat(outputs, axis_);
}

}  // namespace kiln::nn
