// Reductions: sum, mean, max over everything or one axis; the L2 norm; argmax.
#include <cfloat>

#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/kernels/reduce.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

using kernels::ReduceFn;

Shape reduce_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::reduce(op.name, in[0], a.axis, a.keepdims);
}

template <ReduceFn F>
void reduce_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  std::optional<int> axis;
  if (a.axis) axis = normalize_axis(*a.axis, in[0].ndim(), "reduce");
  kernels::reduce(F, in[0], axis, out);
}

// dy (and y) spread back over the reduced axes to x's shape.
NDArray spread(const NDArray& v, const GradContext& c) {
  const Shape& x = c.inputs[0].shape();
  std::optional<int> axis;
  if (c.attrs.axis) axis = normalize_axis(*c.attrs.axis, x.size(), "reduce");
  return broadcast_to(reshape(v, shape_rules::reduce_kept(x, axis)), x);
}

std::vector<NDArray> sum_grad(const GradContext& c) { return {spread(c.out_grad, c)}; }
std::vector<NDArray> mean_grad(const GradContext& c) {
  float n = static_cast<float>(c.inputs[0].size() / c.output.size());
  return {spread(c.out_grad, c) / n};
}
// The gradient is shared equally by the elements that attain the maximum.
std::vector<NDArray> max_grad(const GradContext& c) {
  NDArray hits = equal(c.inputs[0], spread(c.output, c));
  NDArray count = spread(sum(hits, c.attrs.axis, c.attrs.keepdims), c);
  return {hits * spread(c.out_grad, c) / count};
}
// d|x|/dx = x/|x|; at x = 0 the subgradient 0 is used (x is 0 there, so dividing by a tiny
// positive number gives it).
std::vector<NDArray> norm_grad(const GradContext& c) {
  return {c.inputs[0] * spread(c.out_grad / maximum(c.output, full({}, FLT_MIN)), c)};
}

void argmax_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  std::optional<int> axis;
  if (a.axis) axis = normalize_axis(*a.axis, in[0].ndim(), "argmax");
  kernels::argmax(in[0], axis, out);
}

template <ReduceFn F>
constexpr OpDef reduce_op(std::string_view name, std::vector<NDArray> (*grad)(const GradContext&)) {
  return {.name = name, .infer_shape = reduce_shape, .compute = reduce_compute<F>, .gradient = grad};
}

const OpDef kSum = reduce_op<ReduceFn::Sum>("sum", sum_grad);
const OpDef kMean = reduce_op<ReduceFn::Mean>("mean", mean_grad);
const OpDef kMax = reduce_op<ReduceFn::Max>("max", max_grad);
const OpDef kNorm = reduce_op<ReduceFn::L2Norm>("norm", norm_grad);
// An index is piecewise constant in x: no gradient flows through it.
const OpDef kArgmax = {.name = "argmax", .infer_shape = reduce_shape, .compute = argmax_compute};

}  // namespace

NDArray sum(const NDArray& x, std::optional<int> axis, bool keepdims) {
  return dispatch(kSum, {x}, {.axis = axis, .keepdims = keepdims});
}
NDArray mean(const NDArray& x, std::optional<int> axis, bool keepdims) {
  return dispatch(kMean, {x}, {.axis = axis, .keepdims = keepdims});
}
NDArray max(const NDArray& x, std::optional<int> axis, bool keepdims) {
  return dispatch(kMax, {x}, {.axis = axis, .keepdims = keepdims});
}
NDArray norm(const NDArray& x) { return dispatch(kNorm, {x}); }
NDArray argmax(const NDArray& x, std::optional<int> axis, bool keepdims) {
  return dispatch(kArgmax, {x}, {.axis = axis, .keepdims = keepdims});
}


std::vector<const OpDef*> reduce_ops() { return {&kSum, &kMean, &kMax, &kNorm, &kArgmax}; }

}  // namespace kiln::nd

namespace kiln {

NDArray NDArray::sum(std::optional<int> axis, bool keepdims) const { return nd::sum(*this, axis, keepdims); }
NDArray NDArray::mean(std::optional<int> axis, bool keepdims) const { return nd::mean(*this, axis, keepdims); }
NDArray NDArray::max(std::optional<int> axis, bool keepdims) const { return nd::max(*this, axis, keepdims); }
NDArray NDArray::norm() const { return nd::norm(*this); }

}  // namespace kiln
