// Elementwise kernels: unary maps and NumPy-broadcasting binary maps. They write into a
// preallocated `out`, which may be one of the inputs (in-place) when shapes allow.
#pragma once

#include <cmath>

#include "runtime/array.h"

namespace kiln::kernels {

// kiln's maximum, everywhere it takes one (maximum, relu = maximum(x, 0), the max reduction;
// eager, folded, and compiled as arith.maximumf): IEEE 754-2019 maximum — NaN if either operand
// is NaN, and +0 above -0.
inline float ieee_maximum(float a, float b) {
  if (a > b) return a;
  if (b > a) return b;
  if (a == b) return std::signbit(a) ? b : a;  // equal; of two zeros, +0
  return a + b;                                // a NaN among them: a quiet NaN
}
// IEEE 754-2019 minimum (arith.minimumf): NaN if either operand is NaN, and -0 below +0.
inline float ieee_minimum(float a, float b) { return -ieee_maximum(-a, -b); }

// One entry per line of elementwise_ops.def.
enum class UnaryFn {
#define KILN_UNARY_OP(Kind, name) Kind,
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
};
enum class BinaryFn {
#define KILN_BINARY_OP(Kind, Class, name) Kind,
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_BINARY_OP
};

void unary(UnaryFn fn, const Array& x, Array& out);
// The same on n floats (out may be x).
void unary(UnaryFn fn, const float* x, float* out, int64_t n);

// out.shape() must be broadcast_shapes(a.shape(), b.shape()).
void binary(BinaryFn fn, const Array& a, const Array& b, Array& out);

// out = condition ≠ 0 ? a : b (NaN counts as true, as `c != 0` does), all three broadcast to
// out.shape(). The value taken is copied, never computed with, so an inf in the other branch
// stays out of the result.
void select(const Array& condition, const Array& a, const Array& b, Array& out);

// out = a broadcast to out.shape() (a's shape must broadcast to it).
void broadcast_to(const Array& a, Array& out);

}  // namespace kiln::kernels
