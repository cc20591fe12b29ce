#include "frontend/hybridize/tracer.h"

#include <algorithm>
#include <limits>

namespace kiln {

namespace {
constexpr int kMaxDepth = 8;
constexpr ValueId kUnbound = std::numeric_limits<ValueId>::min();  // a shadowed array that had no value
// Saved inputs are numbered from here while tracing (past every region's values); finish()
// renumbers them to follow the given inputs.
constexpr ValueId kSavedValues = region_values(kMaxDepth);
}  // namespace

Tracer::Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter)
    : find_parameter_(std::move(find_parameter)) {
  scopes_.emplace_back();
  for (const NDArray& in : inputs) {
    trace_.inputs.push_back(in.shape());
    inputs_.push_back(in);
    bind(in);
  }
  for (int d = 1; d < kMaxDepth; ++d) next_region_value_[d] = region_values(d);
}

Tracer::Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter, const Tracer& forward)
    : Tracer(inputs, std::move(find_parameter)) {
  forward_ = &forward;
}

std::optional<ValueId> Tracer::computed_value(const Array& a) const {
  auto it = ids_.find(a.identity());
  if (it == ids_.end() || is_parameter_value(it->second) || constants_.contains(a.identity())) return std::nullopt;
  return it->second;
}

bool Tracer::defined_here(ValueId v) const {
  const Scope& s = scopes_.back();
  return s.depth > 0 && v >= region_values(s.depth) && v < region_values(s.depth + 1);
}

ValueId Tracer::bind(const Array& a) {
  Scope& s = scope();
  auto it = ids_.find(a.identity());
  if (s.depth > 0) {
    if (it == ids_.end()) s.defined.push_back(a.identity());
    else if (!defined_here(it->second)) s.shadowed.push_back({a.identity(), it->second});  // restored at the end
  }
  ValueId id = s.next_value++;
  ids_[a.identity()] = id;
  seen_.push_back(a);
  value_storages_.insert(a.version().storage);
  return id;
}

ValueId Tracer::define(Step step, const Array& a) {
  steps().push_back(std::move(step));
  return bind(a);
}

ValueId Tracer::value_of(const Array& a) {
  auto it = ids_.find(a.identity());
  if (it != ids_.end()) return it->second;
  if (std::find(out_of_scope_.begin(), out_of_scope_.end(), a.identity()) != out_of_scope_.end())
    untraceable("uses an array computed inside a function of nd::cond / nd::while_loop / nd::foreach outside it "
                "(return it from the function instead)");
  if (forward_)
    if (auto value = forward_->computed_value(a)) {
      ValueId id = kSavedValues + static_cast<ValueId>(saved_.size());
      saved_.push_back(a);
      saved_values_.push_back(*value);
      ids_[a.identity()] = id;  // like parameters, visible in every scope
      seen_.push_back(a);
      value_storages_.insert(a.version().storage);
      return id;
    }
  if (auto param = find_parameter_(a)) {
    ValueId id = parameter_value(trace_.parameters.size());
    trace_.parameters.push_back(std::move(param));
    ids_[a.identity()] = id;  // parameters are visible in every scope
    seen_.push_back(a);
    value_storages_.insert(a.version().storage);
    return id;
  }
  if (value_storages_.contains(a.version().storage))
    untraceable("uses a view of an array the graph computes that was made outside nd:: ops (Array::view_as), "
                "which a graph cannot follow");
  trace_.baked.push_back(a);
  constants_.insert(a.identity());
  Step constant;
  constant.kind = Step::Kind::Constant;
  constant.shape = a.shape();
  constant.data = std::make_shared<const std::vector<float>>(a.data(), a.data() + a.size());
  ValueId id = define(std::move(constant), a);
  if (scope().depth > 0) {  // a constant may be used again outside: it is baked in there anew
    scope().defined.pop_back();
    scope().constants.push_back(a.identity());
  }
  return id;
}

void Tracer::record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) {
  Step step;
  step.shape = output.shape();
  step.op = &op;
  step.attrs = attrs;
  for (const NDArray& in : inputs) step.operands.push_back(value_of(in));
  // For an in-place op `output` is inputs[0]'s array: from here on it names the new value.
  if (auto it = ids_.find(output.identity()); it != ids_.end()) {
    if (constants_.contains(output.identity()))
      untraceable("writes in place an array it reads as a constant (a get_constant value, an NDArray member, or a "
                  "parameter under static_params), which a compiled graph would not update");
    else if (scope().depth > 0 && !defined_here(it->second))
      untraceable("writes in place, inside nd::cond / nd::while_loop / nd::foreach, an array from outside the "
                  "function (return the new value instead)");
  }
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
  steps().push_back(std::move(step));
}

void Tracer::untraceable(const char* what) {
  if (!untraceable_) untraceable_ = what;
}

void Tracer::host_access(const Array& a, const char* what) {
  if (value_storages_.contains(a.version().storage) || (!ids_.contains(a.identity()) && find_parameter_(a)))
    untraceable(what);
}

void Tracer::alias(const Array& copy, const Array& source) {
  ValueId v = value_of(source);
  if (scope().depth > 0) scope().defined.push_back(copy.identity());  // leaves scope with the region
  ids_[copy.identity()] = v;
  seen_.push_back(copy);
  if (value_storages_.contains(source.version().storage)) value_storages_.insert(copy.version().storage);
}

void Tracer::begin_region(std::span<const NDArray> arguments) {
  int depth = static_cast<int>(scopes_.size());
  if (depth >= kMaxDepth) {
    untraceable("nests control flow more than 7 deep");
    depth = kMaxDepth - 1;  // keeps recording consistent; the trace is not used
  }
  scopes_.emplace_back();
  Scope& s = scope();
  s.depth = depth;
  s.next_value = next_region_value_[depth];
  s.region.first = s.next_value;
  for (const NDArray& a : arguments) {
    // Inside, the array names the argument; outside, whatever it named before (if anything).
    auto it = ids_.find(a.identity());
    s.shadowed.push_back({a.identity(), it == ids_.end() ? kUnbound : it->second});
    ValueId id = s.next_value++;
    ids_[a.identity()] = id;
    seen_.push_back(a);
    s.region.arguments.push_back(id);
    s.region.argument_shapes.push_back(a.shape());
  }
}

void Tracer::end_region(std::span<const NDArray> results) {
  Scope& s = scope();
  for (const NDArray& r : results) s.region.results.push_back(value_of(r));
  // The region's own values go out of scope; bindings it hid come back.
  for (const void* identity : s.defined) {
    ids_.erase(identity);
    out_of_scope_.push_back(identity);
  }
  for (const void* identity : s.constants) ids_.erase(identity);
  for (auto it = s.shadowed.rbegin(); it != s.shadowed.rend(); ++it) {
    if (it->second == kUnbound) ids_.erase(it->first);
    else ids_[it->first] = it->second;
  }
  next_region_value_[s.depth] = s.next_value;
  Region region = std::move(s.region);
  scopes_.pop_back();
  scope().ended.push_back(std::move(region));
}

void Tracer::control(Control kind, std::span<const NDArray> operands, std::span<const NDArray> outputs,
                     int64_t max_iterations) {
  Step step;
  step.kind = kind == Control::If ? Step::Kind::If : kind == Control::While ? Step::Kind::While : Step::Kind::ForEach;
  for (const NDArray& a : operands) step.operands.push_back(value_of(a));
  step.regions = std::move(scope().ended);
  scope().ended.clear();
  for (const NDArray& out : outputs) step.result_shapes.push_back(out.shape());
  step.max_iterations = max_iterations;
  steps().push_back(std::move(step));
  for (const NDArray& out : outputs) bind(out);
}

Trace Tracer::finish(std::span<const NDArray> outputs) {
  for (const NDArray& out : outputs) trace_.results.push_back(value_of(out));
  // Inputs and parameters that in-place ops gave new values.
  // An array given twice names the later input (bind), so it is checked there.
  for (size_t i = 0; i < inputs_.size(); ++i) {
    bool given_again = false;
    for (size_t j = i + 1; j < inputs_.size(); ++j) given_again |= inputs_[j].identity() == inputs_[i].identity();
    if (ValueId v = ids_.at(inputs_[i].identity()); !given_again && v != static_cast<ValueId>(i))
      trace_.writes.push_back({false, i, v});
  }
  for (size_t i = 0; i < trace_.parameters.size(); ++i)
    if (ValueId v = ids_.at(trace_.parameters[i]->data().identity()); v != parameter_value(i))
      trace_.writes.push_back({true, i, v});
  if (!saved_.empty()) renumber_saved();
  return std::move(trace_);
}

void Tracer::renumber_saved() {
  // Only the saved values the trace reads stay (a gradient rule's view of its op's output is
  // taken whether or not the rule reads it); they follow the given inputs, and the steps' values
  // move up past them.
  std::vector<bool> read(saved_.size(), false);
  auto mark = [&](ValueId& v) {
    if (v >= kSavedValues) read[v - kSavedValues] = true;
  };
  for (Step& step : trace_.steps) for_each_read(step, mark);
  for (ValueId& v : trace_.results) mark(v);
  for (Write& w : trace_.writes) mark(w.value);
  std::vector<ValueId> position(saved_.size());
  std::vector<Array> kept;
  std::vector<ValueId> kept_values;
  for (size_t i = 0; i < saved_.size(); ++i) {
    if (!read[i]) continue;
    position[i] = static_cast<ValueId>(kept.size());
    kept.push_back(saved_[i]);
    kept_values.push_back(saved_values_[i]);
  }
  const auto given = static_cast<ValueId>(trace_.inputs.size()), count = static_cast<ValueId>(kept.size());
  auto renumber = [&](ValueId& v) {
    if (v >= kSavedValues) v = given + position[v - kSavedValues];
    else if (v >= given && v < region_values(1)) v += count;
  };
  for (Step& step : trace_.steps) for_each_read(step, renumber);
  for (ValueId& v : trace_.results) renumber(v);
  for (Write& w : trace_.writes) renumber(w.value);
  for (const Array& a : kept) trace_.inputs.push_back(a.shape());
  saved_ = std::move(kept);
  saved_values_ = std::move(kept_values);
}

}  // namespace kiln
