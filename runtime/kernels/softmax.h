// softmax and log_softmax along one axis, shifted by the maximum so that exp() stays finite.
#pragma once

#include "runtime/array.h"

namespace kiln::kernels {

// out = exp(x - m) / s, or (x - m) - log(s) when `log`, where m is the maximum along `axis`
// (IEEE maximum: a NaN propagates) and s the sum of exp(x - m).
void softmax(const Array& x, int axis, bool log, Array& out);

}  // namespace kiln::kernels
