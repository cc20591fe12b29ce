// Tracer: records one eager forward as a Trace (frontend internal; frontend/hybridize/trace.h).
//
// The forward's inputs are the trace's first values. An array the trace meets without having
// produced it is either a Parameter's data — a parameter value, so training updates are seen
// without recompiling — or anything else (get_constant values, scalars), which is baked in as a
// constant (Trace::baked keeps it, so that a later write to it is noticed). An in-place write to an
// input or a parameter is a Write of the trace; to a constant, or inside a region to an array
// from outside it, it makes the forward untraceable. Host reads compared on
// the host become guards; other host access to a graph value (data(), to_vector()) and a view of
// one made outside the ops make the forward untraceable. Explicit control flow records regions.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "frontend/nn/parameter.h"
#include "frontend/hybridize/trace.h"
#include "frontend/hybridize/trace_hook.h"

namespace kiln {

class Tracer : public TraceHook {
 public:
  // `find_parameter` names the non-constant Parameter whose data is `a`, or returns null.
  using ParameterFinder = std::function<std::shared_ptr<Parameter>(const Array& a)>;
  Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter);
  // A tracer of what runs after `forward` traced its graph (a backward): an array `forward` holds
  // as one of its values (an input or an op's result, not a constant or parameter) becomes an
  // input of this trace, after `inputs` — it is saved from the forward — in the order met.
  Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter, const Tracer& forward);

  void record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) override;
  void guard(const Array& lhs, const Array* rhs, float rhs_value, std::string_view predicate, bool outcome,
             uint64_t site) override;
  void untraceable(const char* what) override;
  void host_access(const Array& a, const char* what) override;
  void alias(const Array& copy, const Array& source) override;
  void begin_region(std::span<const NDArray> arguments) override;
  void end_region(std::span<const NDArray> results) override;
  void control(Control kind, std::span<const NDArray> operands, std::span<const NDArray> outputs,
               int64_t max_iterations) override;

  // Ends the trace with `outputs` as its results and hands it over.
  Trace finish(std::span<const NDArray> outputs);
  // What the forward did that no graph can reproduce, or null.
  const char* untraceable() const { return untraceable_; }
  // With a forward tracer: the arrays saved from it (the trace's inputs after the given ones) and
  // their values in the forward trace.
  const std::vector<Array>& saved() const { return saved_; }
  const std::vector<ValueId>& saved_values() const { return saved_values_; }
  // The value `a` holds in this trace if it is an input or an op's result; else none.
  std::optional<ValueId> computed_value(const Array& a) const;

 private:
  // The trace or a region being recorded.
  struct Scope {
    int depth = 0;
    ValueId next_value = 0;
    std::vector<Region> ended;                          // regions of the control step to come
    std::vector<std::pair<const void*, ValueId>> shadowed;  // bindings the region's arguments hid
    std::vector<const void*> defined;                   // arrays computed inside the region
    std::vector<const void*> constants;                 // constants first met inside the region
    Region region;                                      // (regions only) what is recorded
  };
  ValueId value_of(const Array& a);
  ValueId define(Step step, const Array& a);
  ValueId bind(const Array& a);  // names `a` with the scope's next value
  Scope& scope() { return scopes_.back(); }
  std::vector<Step>& steps() { return scopes_.size() == 1 ? trace_.steps : scope().region.steps; }
  bool defined_here(ValueId v) const;
  void renumber_saved();  // finish(): the saved values become inputs after the given ones

  Trace trace_;
  std::vector<Array> inputs_;  // the given inputs, whose in-place writes finish() records
  std::vector<Scope> scopes_;  // the trace, then the regions being recorded
  ValueId next_region_value_[8] = {};
  ParameterFinder find_parameter_;
  std::unordered_map<const void*, ValueId> ids_;  // array identity -> value
  std::vector<Array> seen_;                       // keeps every keyed array alive: identities stay unique
  // Storages of the graph's values (inputs, op results, parameters), by DataVersion::storage: a
  // view of one is the value itself, never a constant.
  std::unordered_set<uint64_t> value_storages_;
  std::vector<const void*> out_of_scope_;         // arrays named inside regions that have ended
  const char* untraceable_ = nullptr;
  std::unordered_set<const void*> constants_;  // arrays baked in as constants
  const Tracer* forward_ = nullptr;
  std::vector<Array> saved_;
  std::vector<ValueId> saved_values_;
};

}  // namespace kiln
