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
std::vector<NDArray> sub_grad(const GradContext& c) {
  return {unbroadcast(c.out_grad, c.inputs[0]), unbroadcast(-c.out_grad, c.inputs[1])};
}
std::vector<NDArray> mul_grad(const GradContext& c) {
  return {unbroadcast(c.out_grad * c.inputs[1], c.inputs[0]), unbroadcast(c.out_grad * c.inputs[0], c.inputs[1])};
}
std::vector<NDArray> div_grad(const GradContext& c) {
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

const OpDef kRelu = unary_op<UnaryFn::Relu>("relu", relu_grad);
const OpDef kSigmoid = unary_op<UnaryFn::Sigmoid>("sigmoid", sigmoid_grad);
const OpDef kTanh = unary_op<UnaryFn::Tanh>("tanh", tanh_grad);
const OpDef kExp = unary_op<UnaryFn::Exp>("exp", exp_grad);
const OpDef kLog = unary_op<UnaryFn::Log>("log", log_grad);
const OpDef kNegative = unary_op<UnaryFn::Negative>("negative", negative_grad);
const OpDef kSqrt = unary_op<UnaryFn::Sqrt>("sqrt", sqrt_grad);
const OpDef kSquare = unary_op<UnaryFn::Square>("square", square_grad);
const OpDef kAbs = unary_op<UnaryFn::Abs>("abs", abs_grad);
const OpDef kSoftrelu = unary_op<UnaryFn::Softrelu>("softrelu", softrelu_grad);
const OpDef kSoftsign = unary_op<UnaryFn::Softsign>("softsign", softsign_grad);

const OpDef kAdd = binary_op<BinaryFn::Add>("add", add_grad);
const OpDef kSubtract = binary_op<BinaryFn::Sub>("subtract", sub_grad);
const OpDef kMultiply = binary_op<BinaryFn::Mul>("multiply", mul_grad);
const OpDef kDivide = binary_op<BinaryFn::Div>("divide", div_grad);
const OpDef kMaximum = binary_op<BinaryFn::Maximum>("maximum", maximum_grad);
const OpDef kMinimum = binary_op<BinaryFn::Minimum>("minimum", minimum_grad);
const OpDef kEqual = binary_op<BinaryFn::Equal>("equal", nullptr);
const OpDef kGreater = binary_op<BinaryFn::Greater>("greater", nullptr);
const OpDef kLesser = binary_op<BinaryFn::Less>("lesser", nullptr);
const OpDef kWhere = {.name = "where", .infer_shape = where_shape, .compute = where_compute, .gradient = where_grad};

NDArray scalar(float s) { return full({}, s); }

}  // namespace

NDArray relu(const NDArray& x) { return dispatch(kRelu, {x}); }
NDArray sigmoid(const NDArray& x) { return dispatch(kSigmoid, {x}); }
NDArray tanh(const NDArray& x) { return dispatch(kTanh, {x}); }
NDArray exp(const NDArray& x) { return dispatch(kExp, {x}); }
NDArray log(const NDArray& x) { return dispatch(kLog, {x}); }
NDArray negative(const NDArray& x) { return dispatch(kNegative, {x}); }
NDArray sqrt(const NDArray& x) { return dispatch(kSqrt, {x}); }
NDArray square(const NDArray& x) { return dispatch(kSquare, {x}); }
NDArray abs(const NDArray& x) { return dispatch(kAbs, {x}); }
NDArray softrelu(const NDArray& x) { return dispatch(kSoftrelu, {x}); }
NDArray softsign(const NDArray& x) { return dispatch(kSoftsign, {x}); }

NDArray add(const NDArray& a, const NDArray& b) { return dispatch(kAdd, {a, b}); }
NDArray subtract(const NDArray& a, const NDArray& b) { return dispatch(kSubtract, {a, b}); }
NDArray multiply(const NDArray& a, const NDArray& b) { return dispatch(kMultiply, {a, b}); }
NDArray divide(const NDArray& a, const NDArray& b) { return dispatch(kDivide, {a, b}); }
NDArray maximum(const NDArray& a, const NDArray& b) { return dispatch(kMaximum, {a, b}); }
NDArray minimum(const NDArray& a, const NDArray& b) { return dispatch(kMinimum, {a, b}); }
NDArray equal(const NDArray& a, const NDArray& b) { return dispatch(kEqual, {a, b}); }
NDArray greater(const NDArray& a, const NDArray& b) { return dispatch(kGreater, {a, b}); }
NDArray lesser(const NDArray& a, const NDArray& b) { return dispatch(kLesser, {a, b}); }
NDArray where(const NDArray& condition, const NDArray& x, const NDArray& y) {
  return dispatch(kWhere, {condition, x, y});
}


std::vector<const OpDef*> elementwise_ops() { return {&kRelu, &kSigmoid, &kTanh, &kExp, &kLog, &kNegative, &kSqrt, &kSquare, &kAbs, &kSoftrelu, &kSoftsign, &kAdd, &kSubtract, &kMultiply, &kDivide, &kMaximum, &kMinimum, &kEqual, &kGreater, &kLesser, &kWhere}; }

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
