#include "frontend/nn/dropout.h"

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {

Dropout::Dropout(float rate) : rate_(rate) {
  if (!(rate >= 0.f && rate < 1.f)) throw ValueError(fmt("Dropout: rate must be in [0, 1), got ", rate));
}

NDArray Dropout::forward(const NDArray& x) {
  if (!autograd::is_training() || rate_ == 0.f) return x;
  NDArray keep = nd::random::uniform(x.shape()) > rate_;  // P(u > rate) = 1 − rate; no gradient
  return x * (keep * (1.f / (1.f - rate_)));
}

std::string Dropout::extra_repr() const { return fmt("p = ", rate_, ", axes=()"); }

}  // namespace kiln::nn
