// Reductions over all elements or over one axis.
#pragma once

#include <optional>

#include "runtime/array.h"

namespace kiln::kernels {

enum class ReduceFn { Sum, Mean, Max, L2Norm };

// Reduces `x` over `axis` (all elements when empty) into `out`, which holds x.size() / extent
// elements in row-major order (its exact shape — keepdims or not — is the caller's choice).
void reduce(ReduceFn fn, const Array& x, std::optional<int> axis, Array& out);

// Sums `x` into `out`, whose shape broadcasts to x's: the reverse of broadcasting.
void sum_to(const Array& x, Array& out);

}  // namespace kiln::kernels
