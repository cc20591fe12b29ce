// Layout ops: reshape (a view), transpose, concat, slice_axis, broadcast_to and its reverse sum_to.
#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/kernels/elementwise.h"
#include "runtime/kernels/layout.h"
#include "runtime/kernels/reduce.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

// reshape ---------------------------------------------------------------------------------
Shape reshape_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::reshape(in[0], a.shape);
}
Array reshape_view(const NDArray& x, const OpAttrs&, const Shape& out_shape) { return x.view_as(out_shape); }
std::vector<NDArray> reshape_grad(const GradContext& c) { return {reshape(c.out_grad, c.inputs[0].shape())}; }
const OpDef kReshape{.name = "reshape", .infer_shape = reshape_shape, .view = reshape_view, .gradient = reshape_grad};

// transpose -------------------------------------------------------------------------------
Shape transpose_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::transpose(in[0], a.perm);
}
void transpose_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::transpose(in[0], a.perm, out);
}
std::vector<NDArray> transpose_grad(const GradContext& c) {
  std::vector<int> inverse(c.attrs.perm.size());
  for (size_t i = 0; i < inverse.size(); ++i) inverse[c.attrs.perm[i]] = static_cast<int>(i);
  return {transpose(c.out_grad, inverse)};
}
const OpDef kTranspose{
    .name = "transpose", .infer_shape = transpose_shape, .compute = transpose_compute, .gradient = transpose_grad};

// concat ----------------------------------------------------------------------------------
Shape concat_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::concat(in, *a.axis);
}
void concat_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::concat(std::vector<Array>(in.begin(), in.end()), normalize_axis(*a.axis, out.ndim(), "concat"), out);
}
std::vector<NDArray> concat_grad(const GradContext& c) {
  int axis = normalize_axis(*c.attrs.axis, c.output.ndim(), "concat");
  std::vector<NDArray> grads;
  int64_t begin = 0;
  for (const NDArray& part : c.inputs) {
    int64_t end = begin + part.shape()[axis];
    grads.push_back(slice_axis(c.out_grad, axis, begin, end));
    begin = end;
  }
  return grads;
}
const OpDef kConcat{.name = "concat", .infer_shape = concat_shape, .compute = concat_compute, .gradient = concat_grad};

// slice_axis ------------------------------------------------------------------------------
Shape slice_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::slice_axis(in[0], *a.axis, a.begin, a.end);
}
void slice_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::slice(in[0], normalize_axis(*a.axis, out.ndim(), "slice_axis"), a.begin, out);
}
// The slice's gradient in place, zeros around it.
std::vector<NDArray> slice_grad(const GradContext& c) {
  const Shape& x = c.inputs[0].shape();
  int axis = normalize_axis(*c.attrs.axis, x.size(), "slice_axis");
  std::vector<NDArray> parts;
  Shape pad = x;
  if (c.attrs.begin > 0) parts.push_back((pad[axis] = c.attrs.begin, zeros(pad)));
  parts.push_back(c.out_grad);
  if (c.attrs.end < x[axis]) parts.push_back((pad[axis] = x[axis] - c.attrs.end, zeros(pad)));
  return {parts.size() == 1 ? c.out_grad : concat(parts, axis)};
}
const OpDef kSliceAxis{.name = "slice_axis", .infer_shape = slice_shape, .compute = slice_compute, .gradient = slice_grad};

// broadcast_to / sum_to -------------------------------------------------------------------
Shape broadcast_to_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::broadcast_to(in[0], a.shape);
}
void broadcast_to_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) { kernels::broadcast_to(in[0], out); }
std::vector<NDArray> broadcast_to_grad(const GradContext& c) { return {sum_to(c.out_grad, c.inputs[0].shape())}; }
const OpDef kBroadcastTo{.name = "broadcast_to",
                         .infer_shape = broadcast_to_shape,
                         .compute = broadcast_to_compute,
                         .gradient = broadcast_to_grad};

Shape sum_to_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::sum_to(in[0], a.shape);
}
void sum_to_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) { kernels::sum_to(in[0], out); }
std::vector<NDArray> sum_to_grad(const GradContext& c) { return {broadcast_to(c.out_grad, c.inputs[0].shape())}; }
const OpDef kSumTo{.name = "sum_to", .infer_shape = sum_to_shape, .compute = sum_to_compute, .gradient = sum_to_grad};

}  // namespace

NDArray reshape(const NDArray& x, Shape shape) { return dispatch(kReshape, {x}, {.shape = std::move(shape)}); }

NDArray transpose(const NDArray& x, std::vector<int> perm) {
  if (perm.empty())
    for (size_t i = x.ndim(); i-- > 0;) perm.push_back(static_cast<int>(i));
  return dispatch(kTranspose, {x}, {.perm = std::vector<int64_t>(perm.begin(), perm.end())});
}

NDArray concat(const std::vector<NDArray>& parts, int dim) { return dispatch(kConcat, parts, {.axis = dim}); }

NDArray slice_axis(const NDArray& x, int axis, int64_t begin, int64_t end) {
  return dispatch(kSliceAxis, {x}, {.axis = axis, .begin = begin, .end = end});
}

NDArray broadcast_to(const NDArray& x, const Shape& shape) { return dispatch(kBroadcastTo, {x}, {.shape = shape}); }
NDArray sum_to(const NDArray& x, const Shape& shape) { return dispatch(kSumTo, {x}, {.shape = shape}); }


std::vector<const OpDef*> layout_ops() { return {&kReshape, &kTranspose, &kConcat, &kSliceAxis, &kBroadcastTo, &kSumTo}; }

}  // namespace kiln::nd

namespace kiln {

NDArray NDArray::reshape(Shape shape) const { return nd::reshape(*this, std::move(shape)); }
NDArray NDArray::T() const { return nd::transpose(*this); }
NDArray NDArray::transpose(std::vector<int> perm) const { return nd::transpose(*this, std::move(perm)); }
NDArray NDArray::slice(int64_t begin, int64_t end) const { return nd::slice_axis(*this, 0, begin, end); }

}  // namespace kiln
