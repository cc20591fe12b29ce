// Arrays made from values (leaves with no history, so not ops) and random draws (ops without
// operands, so that a hybridized forward can draw).
#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/random.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {

NDArray array(const std::vector<float>& values, Shape shape) {
  if (shape.empty()) shape = {static_cast<int64_t>(values.size())};
  return Array::from_values(std::move(shape), values);
}
NDArray zeros(const Shape& shape) { return Array::zeros(shape); }
NDArray ones(const Shape& shape) { return Array::full(shape, 1.f); }
NDArray full(const Shape& shape, float value) { return Array::full(shape, value); }

namespace random {
void seed(uint64_t value) { kiln::random::seed(value); }

namespace {
// Draws are ops without operands: a hybridized forward records them, and compiled code draws
// from the same generator (kiln_rt_random_*), so a seeded run gives the same numbers either way.
Shape draw_shape(const OpDef& op, std::span<const Shape>, const OpAttrs& a) { return shape_rules::random(op.name, a.shape); }
void uniform_compute(std::span<const NDArray>, const OpAttrs& a, Array& out) { kiln::random::fill_uniform(out, a.low, a.high); }
void normal_compute(std::span<const NDArray>, const OpAttrs& a, Array& out) { kiln::random::fill_normal(out, a.mean, a.stddev); }
}  // namespace
const OpDef kRandomUniform{.name = "random_uniform", .infer_shape = draw_shape, .compute = uniform_compute};
const OpDef kRandomNormal{.name = "random_normal", .infer_shape = draw_shape, .compute = normal_compute};

NDArray uniform(float low, float high, const Shape& shape) {
  OpAttrs a;
  a.shape = shape;
  a.low = low;
  a.high = high;
  return dispatch(kRandomUniform, std::span<const NDArray>(), a);
}
NDArray normal(float loc, float scale, const Shape& shape) {
  OpAttrs a;
  a.shape = shape;
  a.mean = loc;
  a.stddev = scale;
  return dispatch(kRandomNormal, std::span<const NDArray>(), a);
}
}  // namespace random

}  // namespace kiln::nd

namespace kiln::nd {
std::vector<const OpDef*> random_ops() { return {&random::kRandomUniform, &random::kRandomNormal}; }
}  // namespace kiln::nd
