#include "frontend/tracer.h"

namespace kiln {

Tracer::Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter)
    : find_parameter_(std::move(find_parameter)) {
  for (const NDArray& in : inputs) {
    trace_.inputs.push_back(in.shape());
    ids_[in.identity()] = next_value_++;
    seen_.push_back(in);
  }
}

ValueId Tracer::define(Step step, const Array& a) {
  trace_.steps.push_back(std::move(step));
  ids_[a.identity()] = next_value_;
  seen_.push_back(a);
  return next_value_++;
}

ValueId Tracer::value_of(const Array& a) {
  auto it = ids_.find(a.identity());
  if (it != ids_.end()) return it->second;
  if (auto param = find_parameter_(a)) {
    ValueId id = parameter_value(trace_.parameters.size());
    trace_.parameters.push_back(std::move(param));
    ids_[a.identity()] = id;
    seen_.push_back(a);
    return id;
  }
  Step constant;
  constant.kind = Step::Kind::Constant;
  constant.shape = a.shape();
  constant.data = std::make_shared<const std::vector<float>>(a.data(), a.data() + a.size());
  return define(std::move(constant), a);
}

void Tracer::record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) {
  Step step;
  step.shape = output.shape();
  step.op = &op;
  step.attrs = attrs;
  for (const NDArray& in : inputs) step.operands.push_back(value_of(in));
  // For an in-place op `output` is inputs[0]'s array: from here on it names the new value.
  define(std::move(step), output);
}

void Tracer::guard(const Array& lhs, const Array* rhs, float rhs_value, std::string_view predicate, bool outcome,
                   uint64_t site) {
  Step step;
  step.kind = Step::Kind::Guard;
  step.guard.lhs = value_of(lhs);
  step.guard.rhs_value = rhs_value;
  step.guard.predicate = predicate;
  step.guard.outcome = outcome;
  step.guard.site = site;
  if (rhs) {
    step.guard.rhs_is_value = true;
    step.guard.rhs = value_of(*rhs);
  }
  trace_.steps.push_back(std::move(step));
}

void Tracer::untraceable(const char* what) {
  if (!untraceable_) untraceable_ = what;
}

Trace Tracer::finish(std::span<const NDArray> outputs) {
  for (const NDArray& out : outputs) trace_.results.push_back(value_of(out));
  return std::move(trace_);
}

}  // namespace kiln
