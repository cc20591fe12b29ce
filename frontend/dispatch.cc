// The one door every op goes through: shape rule, kernel, autograd record. The tracer of
// hybridize() records at the same two points (dispatch and dispatch_in_place).
#include <vector>

#include "frontend/autograd/autograd.h"
#include "frontend/autograd/autograd_graph.h"
#include "frontend/op.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/error.h"

namespace kiln {
namespace {

std::vector<Shape> shapes_of(std::span<const NDArray> inputs) {
  std::vector<Shape> shapes;
  shapes.reserve(inputs.size());
  for (const NDArray& in : inputs) shapes.push_back(in.shape());
  return shapes;
}

bool any_requires_grad(std::span<const NDArray> inputs) {
  for (const NDArray& in : inputs)
    if (autograd::requires_grad(in)) return true;
  return false;
}

thread_local TraceHook* t_trace = nullptr;

}  // namespace

TraceHook* active_trace() { return t_trace; }
TraceScope::TraceScope(TraceHook* hook) : saved_(t_trace) { t_trace = hook; }
TraceScope::~TraceScope() { t_trace = saved_; }

Scalar NDArray::asscalar(std::source_location where) const { return Scalar(Array::asscalar(), *this, where); }

float* NDArray::data() {
  if (t_trace) t_trace->host_access(*this, "writes array values on the host through data()");
  return Array::data();
}
const float* NDArray::data() const {
  if (t_trace) t_trace->host_access(*this, "reads array values on the host through data() (compare asscalar() instead)");
  return Array::data();
}
std::vector<float> NDArray::to_vector() const {
  if (t_trace) t_trace->host_access(*this, "reads array values on the host through to_vector() (compare asscalar() instead)");
  return Array::to_vector();
}

NDArray::operator bool() const {
  bool outcome = Array::asscalar() != 0.f;
  if (t_trace) t_trace->guard(*this, nullptr, 0.f, "ne", outcome, 0);
  return outcome;
}

NDArray dispatch(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs) {
  Shape out_shape = op.infer_shape(op, shapes_of(inputs), attrs);
  NDArray out;
  if (op.view) {
    out = op.view(inputs[0], attrs, out_shape);
  } else {
    out = NDArray(std::move(out_shape));
    op.compute(inputs, attrs, out);
  }
  if (autograd::is_recording() && op.gradient && any_requires_grad(inputs)) autograd::record_op(op, inputs, attrs, out);
  if (t_trace) t_trace->record(op, inputs, attrs, out);
  return out;
}

void dispatch_in_place(const OpDef& op, NDArray& target, const NDArray& other) {
  const NDArray operands[] = {target, other};
  std::span<const NDArray> inputs(operands);
  if (autograd::is_recording() && any_requires_grad(inputs)) {
    // Overwriting values that the recorded graph still needs would corrupt backward: record a
    // new value and let this handle refer to it.
    target = dispatch(op, inputs);
    return;
  }
  Shape out_shape = op.infer_shape(op, shapes_of(inputs), {});
  if (out_shape != target.shape())
    throw ShapeError(fmt(op.name, " (in place): the result's shape ", shape_str(out_shape),
                         " differs from the target's shape ", shape_str(target.shape()),
                         "; an in-place update cannot grow its target"));
  op.compute(inputs, {}, target);
  if (t_trace) t_trace->record(op, inputs, {}, target);
}

}  // namespace kiln
