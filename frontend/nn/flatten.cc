#include "frontend/nn/flatten.h"

#include "runtime/error.h"

namespace kiln::nn {

NDArray Flatten::forward(const NDArray& x) {
  if (x.ndim() == 0) throw ShapeError("Flatten: needs an input with a batch axis; got a 0-d array");
  return x.reshape({x.shape()[0], -1});
}

}  // namespace kiln::nn
