// Elementwise kernels: unary maps and NumPy-broadcasting binary maps. They write into a
// preallocated `out`, which may be one of the inputs (in-place) when shapes allow.
#pragma once

#include "runtime/array.h"

namespace kiln::kernels {

enum class UnaryFn { Relu, Sigmoid, Tanh, Exp, Log, Negative, Sqrt, Square };
enum class BinaryFn { Add, Sub, Mul, Div, Maximum, Equal, Greater, Less };

void unary(UnaryFn fn, const Array& x, Array& out);

// out.shape() must be broadcast_shapes(a.shape(), b.shape()).
void binary(BinaryFn fn, const Array& a, const Array& b, Array& out);

// out = a broadcast to out.shape() (a's shape must broadcast to it).
void broadcast_to(const Array& a, Array& out);

}  // namespace kiln::kernels
