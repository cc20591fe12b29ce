// Reductions over all elements or over one axis.
#pragma once

#include <optional>

#include "runtime/array.h"

namespace kiln::kernels {

enum class ReduceFn { Sum, Mean, Max, L2Norm };

// Reduces `x` over `axis` (all elements when empty) into `out`, which holds x.size() / extent
// elements in row-major order (its exact shape — keepdims or not — is the caller's choice).
void reduce(ReduceFn fn, const Array& x, std::optional<int> axis, Array& out);

// The index of the largest element along `axis` (of all elements, row-major, when empty), as a
// float: the first one on ties, as NumPy; a NaN counts as largest (the first NaN wins).
void argmax(const Array& x, std::optional<int> axis, Array& out);

// Sums `x` into `out`, whose shape broadcasts to x's: the reverse of broadcasting.
void sum_to(const Array& x, Array& out);

}  // namespace kiln::kernels
