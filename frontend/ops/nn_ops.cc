// The neural-network ops losses and metrics are made of: softmax, log_softmax (shifted by the
// maximum, so exp() stays finite), pick (a gather along one axis) and one_hot.
#include <numeric>

#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/kernels/indexing.h"
#include "runtime/kernels/softmax.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

int axis_of(const OpAttrs& a, size_t rank, const char* op) { return normalize_axis(a.axis.value_or(-1), rank, op); }

Shape softmax_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::softmax(op.name, in[0], a.axis.value_or(-1));
}
template <bool Log>
void softmax_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::softmax(in[0], axis_of(a, in[0].ndim(), Log ? "log_softmax" : "softmax"), Log, out);
}
// y = softmax(x): dx = y · (dy − Σ dy·y); y = log_softmax(x): dx = dy − e^y · Σ dy.
std::vector<NDArray> softmax_grad(const GradContext& c) {
  int axis = axis_of(c.attrs, c.inputs[0].ndim(), "softmax");
  return {c.output * (c.out_grad - sum(c.out_grad * c.output, axis, true))};
}
std::vector<NDArray> log_softmax_grad(const GradContext& c) {
  int axis = axis_of(c.attrs, c.inputs[0].ndim(), "log_softmax");
  return {c.out_grad - exp(c.output) * sum(c.out_grad, axis, true)};
}

Shape pick_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::pick(in[0], in[1], a.axis.value_or(-1), a.keepdims);
}
void pick_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::pick(in[0], in[1], axis_of(a, in[0].ndim(), "pick"), out);
}
// dy goes to the picked element of x (where the position along the axis equals the index),
// nothing to the index.
std::vector<NDArray> pick_grad(const GradContext& c) {
  const Shape& x = c.inputs[0].shape();
  int axis = axis_of(c.attrs, x.size(), "pick");
  Shape kept = x, along(x.size(), 1);
  kept[axis] = 1;
  along[axis] = x[axis];
  std::vector<float> positions(static_cast<size_t>(x[axis]));
  std::iota(positions.begin(), positions.end(), 0.f);
  NDArray hit = equal(array(positions, along), reshape(c.inputs[1], kept));
  return {where(hit, reshape(c.out_grad, kept), zeros({})), NDArray()};
}

Shape one_hot_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::one_hot(in[0], a.depth);
}
void one_hot_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::one_hot(in[0], a.depth, out);
}

const OpDef kSoftmax = {.name = "softmax", .infer_shape = softmax_shape, .compute = softmax_compute<false>, .gradient = softmax_grad};
const OpDef kLogSoftmax = {
    .name = "log_softmax", .infer_shape = softmax_shape, .compute = softmax_compute<true>, .gradient = log_softmax_grad};
const OpDef kPick = {.name = "pick", .infer_shape = pick_shape, .compute = pick_compute, .gradient = pick_grad};
// An index's one-hot row is piecewise constant in it: no gradient.
const OpDef kOneHot = {.name = "one_hot", .infer_shape = one_hot_shape, .compute = one_hot_compute};

}  // namespace

NDArray softmax(const NDArray& x, int axis) { return dispatch(kSoftmax, {x}, {.axis = axis}); }
NDArray log_softmax(const NDArray& x, int axis) { return dispatch(kLogSoftmax, {x}, {.axis = axis}); }

NDArray pick(const NDArray& x, const NDArray& index, int axis, bool keepdims) {
  shape_rules::pick(x.shape(), index.shape(), axis, keepdims);  // a shape error before the range check
  check_indices(index, x.shape()[normalize_axis(axis, x.ndim(), "pick")], "pick");
  return dispatch(kPick, {x, index}, {.axis = axis, .keepdims = keepdims});
}

NDArray one_hot(const NDArray& indices, int64_t depth) { return dispatch(kOneHot, {indices}, {.depth = depth}); }

std::vector<const OpDef*> nn_ops() { return {&kSoftmax, &kLogSoftmax, &kPick, &kOneHot}; }

}  // namespace kiln::nd
