// Arrays made from values or random draws: leaves with no history, so not ops.
#include "frontend/nd.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/random.h"

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
// A draw inside a hybridized forward cannot be baked into the graph: the block stays eager.
void untraceable_draw(const char* what) {
  if (TraceHook* trace = active_trace()) trace->untraceable(what);
}

NDArray uniform(float low, float high, const Shape& shape) {
  untraceable_draw("draws random numbers (nd::random::uniform), which a compiled graph cannot repeat");
  Array out(shape);
  kiln::random::fill_uniform(out, low, high);
  return out;
}
NDArray normal(float loc, float scale, const Shape& shape) {
  untraceable_draw("draws random numbers (nd::random::normal), which a compiled graph cannot repeat");
  Array out(shape);
  kiln::random::fill_normal(out, loc, scale);
  return out;
}
}  // namespace random

}  // namespace kiln::nd
