// Kernels that move data without arithmetic: transpose, concat, slicing on any axis.
#pragma once

#include <vector>

#include "runtime/array.h"

namespace kiln::kernels {

// out[i_perm[0], ..., i_perm[k]] = x[i_0, ..., i_k]; out.shape()[j] == x.shape()[perm[j]].
void transpose(const Array& x, const std::vector<int64_t>& perm, Array& out);

// out[j][i] = x[i][j] for a rows×cols x, in cache-sized tiles.
void transpose_2d(const float* x, int64_t rows, int64_t cols, float* out);

// Concatenates `parts` along `axis` into `out`.
void concat(const std::vector<Array>& parts, int axis, Array& out);

// out = x[..., begin:end, ...] on `axis`.
void slice(const Array& x, int axis, int64_t begin, Array& out);

}  // namespace kiln::kernels
