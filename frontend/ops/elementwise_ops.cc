// Elementwise ops: unary maps, broadcasting arithmetic, comparisons, where.
#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/kernels/elementwise.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

using kernels::BinaryFn;
using kernels::UnaryFn;

Shape same_shape(const OpDef&, std::span<const Shape> in, const OpAttrs&) { return in[0]; }
Shape broadcast_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  return shape_rules::broadcast(op.name, in[0], in[1]);
}

Shape where_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  return shape_rules::broadcast(op.name, shape_rules::broadcast(op.name, in[0], in[1]), in[2]);
}
void where_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) {
  kernels::select(in[0], in[1], in[2], out);
}

template <UnaryFn F>
void unary_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) {
  kernels::unary(F, in[0], out);
}
template <BinaryFn F>
void binary_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) {
  kernels::binary(F, in[0], in[1], out);
}

// A broadcast operand's gradient is the output gradient summed back to the operand's shape.
NDArray unbroadcast(const NDArray& g, const NDArray& operand) {
  return g.shape() == operand.shape() ? g : sum_to(g, operand.shape());
}

// Each gradient rule: ctx.inputs = {x} or {a, b}, ctx.output = y, ctx.out_grad = dy.
std::vector<NDArray> relu_grad(const GradContext& c) { return {c.out_grad * greater(c.output, zeros({}))}; }
std::vector<NDArray> sigmoid_grad(const GradContext& c) { return {c.out_grad * c.output * (1.f - c.output)}; }
std::vector<NDArray> tanh_grad(const GradContext& c) { return {c.out_grad * (1.f - c.output * c.output)}; }
std::vector<NDArray> exp_grad(const GradContext& c) { return {c.out_grad * c.output}; }
std::vector<NDArray> log_grad(const GradContext& c) { return {c.out_grad / c.inputs[0]}; }
std::vector<NDArray> negative_grad(const GradContext& c) { return {-c.out_grad}; }
std::vector<NDArray> sqrt_grad(const GradContext& c) { return {c.out_grad / (2.f * c.output)}; }
std::vector<NDArray> square_grad(const GradContext& c) { return {2.f * c.inputs[0] * c.out_grad}; }
// sign(x) · dy (0 at 0, as MXNet's abs).
std::vector<NDArray> abs_grad(const GradContext& c) {
  return {c.out_grad * (greater(c.inputs[0], zeros({})) - lesser(c.inputs[0], zeros({})))};
}
std::vector<NDArray> softrelu_grad(const GradContext& c) { return {c.out_grad * sigmoid(c.inputs[0])}; }
std::vector<NDArray> softsign_grad(const GradContext& c) {
  return {c.out_grad / square(1.f + abs(c.inputs[0]))};
}

std::vector<NDArray> add_grad(const GradContext& c) {
  return {unbroadcast(c.out_grad, c.inputs[0]), unbroadcast(c.out_grad, c.inputs[1])};
}
std::vector<NDArray> subtract_grad(const GradContext& c) {
  return {unbroadcast(c.out_grad, c.inputs[0]), unbroadcast(-c.out_grad, c.inputs[1])};
}
std::vector<NDArray> multiply_grad(const GradContext& c) {
  return {unbroadcast(c.out_grad * c.inputs[1], c.inputs[0]), unbroadcast(c.out_grad * c.inputs[0], c.inputs[1])};
}
std::vector<NDArray> divide_grad(const GradContext& c) {
  NDArray da = c.out_grad / c.inputs[1];
  return {unbroadcast(da, c.inputs[0]), unbroadcast(-da * c.output, c.inputs[1])};
}
// The gradient goes to the larger operand (to `a` on ties).
std::vector<NDArray> maximum_grad(const GradContext& c) {
  NDArray to_a = 1.f - lesser(c.inputs[0], c.inputs[1]);
  return {unbroadcast(c.out_grad * to_a, c.inputs[0]), unbroadcast(c.out_grad * (1.f - to_a), c.inputs[1])};
}
// The gradient goes to the smaller operand (to `a` on ties).
std::vector<NDArray> minimum_grad(const GradContext& c) {
  NDArray to_a = 1.f - greater(c.inputs[0], c.inputs[1]);
  return {unbroadcast(c.out_grad * to_a, c.inputs[0]), unbroadcast(c.out_grad * (1.f - to_a), c.inputs[1])};
}

// dy goes to x where the condition holds and to y elsewhere; the condition gets none.
std::vector<NDArray> where_grad(const GradContext& c) {
  NDArray none = zeros({});
  return {NDArray(), unbroadcast(where(c.inputs[0], c.out_grad, none), c.inputs[1]),
          unbroadcast(where(c.inputs[0], none, c.out_grad), c.inputs[2])};
}

template <UnaryFn F>
constexpr OpDef unary_op(std::string_view name, std::vector<NDArray> (*grad)(const GradContext&)) {
  return {.name = name, .infer_shape = same_shape, .compute = unary_compute<F>, .gradient = grad};
}
template <BinaryFn F>
constexpr OpDef binary_op(std::string_view name, std::vector<NDArray> (*grad)(const GradContext&)) {
  return {.name = name, .infer_shape = broadcast_shape, .compute = binary_compute<F>, .gradient = grad};
}

// Comparisons have no gradient: their inputs receive none through them.
constexpr std::vector<NDArray> (*equal_grad)(const GradContext&) = nullptr;
constexpr std::vector<NDArray> (*greater_grad)(const GradContext&) = nullptr;
constexpr std::vector<NDArray> (*lesser_grad)(const GradContext&) = nullptr;

#define KILN_UNARY_OP(Kind, name) const OpDef k##Kind = unary_op<UnaryFn::Kind>(#name, name##_grad);
#define KILN_BINARY_OP(Kind, Class, name) const OpDef k##Class = binary_op<BinaryFn::Kind>(#name, name##_grad);
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
#undef KILN_BINARY_OP
const OpDef kWhere = {.name = "where", .infer_shape = where_shape, .compute = where_compute, .gradient = where_grad};

NDArray scalar(float s) { return full({}, s); }

}  // namespace

#define KILN_UNARY_OP(Kind, name) \
  NDArray name(const NDArray& x) { return dispatch(k##Kind, {x}); }
#define KILN_BINARY_OP(Kind, Class, name) \
  NDArray name(const NDArray& a, const NDArray& b) { return dispatch(k##Class, {a, b}); }
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
#undef KILN_BINARY_OP
NDArray where(const NDArray& condition, const NDArray& x, const NDArray& y) {
  return dispatch(kWhere, {condition, x, y});
}


std::vector<const OpDef*> elementwise_ops() {
  return {
#define KILN_UNARY_OP(Kind, name) &k##Kind,
#define KILN_BINARY_OP(Kind, Class, name) &k##Class,
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
#undef KILN_BINARY_OP
      &kWhere};
}

}  // namespace kiln::nd

namespace kiln {

using nd::scalar;

NDArray NDArray::relu() const { return nd::relu(*this); }
NDArray NDArray::sigmoid() const { return nd::sigmoid(*this); }
NDArray NDArray::tanh() const { return nd::tanh(*this); }
NDArray NDArray::exp() const { return nd::exp(*this); }
NDArray NDArray::log() const { return nd::log(*this); }
NDArray NDArray::operator-() const { return nd::negative(*this); }

NDArray operator+(const NDArray& a, const NDArray& b) { return nd::add(a, b); }
NDArray operator-(const NDArray& a, const NDArray& b) { return nd::subtract(a, b); }
NDArray operator*(const NDArray& a, const NDArray& b) { return nd::multiply(a, b); }
NDArray operator/(const NDArray& a, const NDArray& b) { return nd::divide(a, b); }
NDArray operator+(const NDArray& a, float s) { return nd::add(a, scalar(s)); }
NDArray operator-(const NDArray& a, float s) { return nd::subtract(a, scalar(s)); }
NDArray operator*(const NDArray& a, float s) { return nd::multiply(a, scalar(s)); }
NDArray operator/(const NDArray& a, float s) { return nd::divide(a, scalar(s)); }
NDArray operator+(float s, const NDArray& a) { return nd::add(scalar(s), a); }
NDArray operator-(float s, const NDArray& a) { return nd::subtract(scalar(s), a); }
NDArray operator*(float s, const NDArray& a) { return nd::multiply(scalar(s), a); }
NDArray operator/(float s, const NDArray& a) { return nd::divide(scalar(s), a); }
NDArray operator==(const NDArray& a, const NDArray& b) { return nd::equal(a, b); }
NDArray operator>(const NDArray& a, const NDArray& b) { return nd::greater(a, b); }
NDArray operator<(const NDArray& a, const NDArray& b) { return nd::lesser(a, b); }
NDArray operator>(const NDArray& a, float s) { return nd::greater(a, scalar(s)); }
NDArray operator<(const NDArray& a, float s) { return nd::lesser(a, scalar(s)); }

NDArray& NDArray::operator+=(const NDArray& o) { dispatch_in_place(nd::kAdd, *this, o); return *this; }
NDArray& NDArray::operator-=(const NDArray& o) { dispatch_in_place(nd::kSubtract, *this, o); return *this; }
NDArray& NDArray::operator*=(const NDArray& o) { dispatch_in_place(nd::kMultiply, *this, o); return *this; }
NDArray& NDArray::operator/=(const NDArray& o) { dispatch_in_place(nd::kDivide, *this, o); return *this; }
NDArray& NDArray::operator+=(float s) { return *this += scalar(s); }
NDArray& NDArray::operator-=(float s) { return *this -= scalar(s); }
NDArray& NDArray::operator*=(float s) { return *this *= scalar(s); }
NDArray& NDArray::operator/=(float s) { return *this /= scalar(s); }

}  // namespace kiln
