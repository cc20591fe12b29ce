// Matrix products: dot (with transpose flags) and Gluon's FullyConnected (Dense's core).
#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/kernels/gemm.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

Shape dot_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::dot(in[0], in[1], a.transpose_a, a.transpose_b);
}

// Kernels read their operands through Array::data(): an op's own reads are no host access
// (NDArray::data() tells the tracer of those).
void dot_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  const Shape& s = in[0].shape();
  kernels::GemmDims d{out.shape()[0], out.shape()[1], a.transpose_a ? s[0] : s[1], a.transpose_a, a.transpose_b};
  kernels::gemm(d, in[0].Array::data(), in[1].Array::data(), nullptr, out.data());
}

// C = op(A)·op(B). dA = dC·op(B)ᵀ, stored transposed when A is; likewise dB = op(A)ᵀ·dC.
std::vector<NDArray> dot_grad(const GradContext& c) {
  const NDArray &A = c.inputs[0], &B = c.inputs[1], &dC = c.out_grad;
  bool ta = c.attrs.transpose_a, tb = c.attrs.transpose_b;
  NDArray dA, dB;
  if (c.needs(0)) dA = ta ? dot(B, dC, tb, true) : dot(dC, B, false, !tb);
  if (c.needs(1)) dB = tb ? dot(dC, A, true, ta) : dot(A, dC, !ta, false);
  return {dA, dB};
}

const OpDef kDot{.name = "dot", .infer_shape = dot_shape, .compute = dot_compute, .gradient = dot_grad};

// inputs: x (batch×in), weight (units×in), optional bias (units).
Shape fully_connected_shape(const OpDef&, std::span<const Shape> in, const OpAttrs&) {
  return shape_rules::fully_connected(in[0], in[1], in.size() == 3 ? &in[2] : nullptr);
}

void fully_connected_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) {
  const Shape &x = in[0].shape(), &w = in[1].shape();
  kernels::GemmDims d{x[0], w[0], x[1], false, true};
  kernels::gemm(d, in[0].Array::data(), in[1].Array::data(), in.size() == 3 ? in[2].Array::data() : nullptr, out.data());
}

std::vector<NDArray> fully_connected_grad(const GradContext& c) {
  const NDArray &x = c.inputs[0], &w = c.inputs[1], &dy = c.out_grad;
  std::vector<NDArray> grads{c.needs(0) ? dot(dy, w) : NDArray(), c.needs(1) ? dot(dy, x, true, false) : NDArray()};
  if (c.inputs.size() == 3) grads.push_back(c.needs(2) ? sum(dy, 0) : NDArray());
  return grads;
}

const OpDef kFullyConnected{.name = "fully_connected",
                            .infer_shape = fully_connected_shape,
                            .compute = fully_connected_compute,
                            .gradient = fully_connected_grad};

}  // namespace

NDArray dot(const NDArray& a, const NDArray& b, bool transpose_a, bool transpose_b) {
  if (a.ndim() == 2 && b.ndim() == 2) return dispatch(kDot, {a, b}, {.transpose_a = transpose_a, .transpose_b = transpose_b});
  if ((transpose_a && a.ndim() != 2) || (transpose_b && b.ndim() != 2))
    throw ShapeError(fmt("dot: transpose flags need 2-D operands, got ", shape_str(a.shape()), " and ", shape_str(b.shape())));
  if (a.ndim() == 0 || b.ndim() == 0)
    throw ShapeError(fmt("dot: operands must have at least one axis, got ", shape_str(a.shape()), " and ",
                         shape_str(b.shape())));
  // MXNet's dot on other ranks: a's last axis against b's first, the rest flattened around it.
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  out_shape.insert(out_shape.end(), b.shape().begin() + 1, b.shape().end());
  NDArray a2 = reshape(a, {-1, a.shape().back()});
  NDArray b2 = reshape(b, {b.shape().front(), -1});
  return reshape(dispatch(kDot, {a2, b2}), out_shape);
}

NDArray fully_connected(const NDArray& x, const NDArray& weight, const NDArray& bias) {
  if (bias.defined()) return dispatch(kFullyConnected, {x, weight, bias});
  return dispatch(kFullyConnected, {x, weight});
}


std::vector<const OpDef*> matmul_ops() { return {&kDot, &kFullyConnected}; }

}  // namespace kiln::nd
