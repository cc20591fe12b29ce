// Functions built from the primitive ops (clip, leaky_relu, the label check). Each is a few
// nd:: ops, so it runs eagerly, differentiates, traces, folds and compiles through its parts.
#include "frontend/hybridize/input_checks.h"
#include "frontend/hybridize/trace_hook.h"
#include "frontend/nd.h"
#include "runtime/error.h"
#include "runtime/shape.h"

namespace kiln::nd {

void check_indices(const NDArray& indices, int64_t depth, const char* op) {
  // Inputs of a graph that updates in place are checked on the host before each call instead.
  if (InputChecks* checks = InputChecks::active(); checks && checks->defer_index_check(indices, depth, op)) {
    InputChecks::Scope none(nullptr);
    TraceScope untraced(nullptr);
    return check_indices(indices, depth, op);
  }
  // Computed with ops and compared through asscalar(), so a compiled graph checks it too: a
  // guard whose failure leaves the compiled code and reaches this error on the host.
  // An index is inside when 0 <= i <= depth - 1 (so a NaN is outside).
  NDArray inside = (1.f - lesser(indices, full({}, 0.f))) *
                   (1.f - greater(indices, full({}, static_cast<float>(depth - 1)))) * equal(indices, indices);
  NDArray outside = sum(1.f - inside);
  if (outside.asscalar() == 0.f) return;
  std::vector<float> values = indices.to_vector();
  for (size_t i = 0; i < values.size(); ++i)
    if (!(values[i] >= 0 && values[i] <= static_cast<float>(depth - 1)))
      throw ValueError(fmt(op, ": label ", values[i], " (at flat index ", i, ") is out of range [0, ", depth, ")"));
}

NDArray clip(const NDArray& x, float low, float high) {
  if (!(low <= high)) throw ValueError(fmt("clip: low (", low, ") must not exceed high (", high, ")"));
  return minimum(maximum(x, full({}, low)), full({}, high));
}

NDArray leaky_relu(const NDArray& x, float alpha) { return maximum(x, x * alpha); }

}  // namespace kiln::nd
