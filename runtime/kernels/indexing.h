// Ops that read by index: pick (a gather along one axis) and one_hot.
#pragma once

#include "runtime/array.h"

namespace kiln::kernels {

// out[..., ...] = x[..., index[..., ...], ...] along `axis`; `index` holds x's shape without that
// axis (out has as many elements). Indices are whole numbers in [0, extent) — the callers check;
// one outside is clamped into range, so no read ever leaves x.
void pick(const Array& x, const Array& index, int axis, Array& out);

// out[..., k] = 1 where indices[...] == k, else 0, for k in [0, depth).
void one_hot(const Array& indices, int64_t depth, Array& out);

}  // namespace kiln::kernels
