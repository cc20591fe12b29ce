// Tracer: records one eager forward as a Trace (frontend internal; frontend/trace.h).
//
// The forward's inputs are the trace's first values. An array the trace meets without having
// produced it is either a Parameter's data — a parameter value, so training updates are seen
// without recompiling — or anything else (get_constant values, scalars), which is baked in as a
// constant. Host reads compared on the host become guards.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "frontend/parameter.h"
#include "frontend/trace.h"
#include "frontend/trace_hook.h"

namespace kiln {

class Tracer : public TraceHook {
 public:
  // `find_parameter` names the non-constant Parameter whose data is `a`, or returns null.
  using ParameterFinder = std::function<std::shared_ptr<Parameter>(const Array& a)>;
  Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter);

  void record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) override;
  void guard(const Array& lhs, const Array* rhs, float rhs_value, std::string_view predicate, bool outcome,
             uint64_t site) override;
  void untraceable(const char* what) override;

  // Ends the trace with `outputs` as its results and hands it over.
  Trace finish(std::span<const NDArray> outputs);
  // What the forward did that no graph can reproduce, or null.
  const char* untraceable() const { return untraceable_; }

 private:
  ValueId value_of(const Array& a);
  ValueId define(Step step, const Array& a);

  Trace trace_;
  ValueId next_value_ = 0;
  ParameterFinder find_parameter_;
  std::unordered_map<const void*, ValueId> ids_;  // array identity -> value
  std::vector<Array> seen_;                       // keeps every keyed array alive: identities stay unique
  const char* untraceable_ = nullptr;
};

}  // namespace kiln
