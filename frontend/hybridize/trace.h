// Trace: what one eager run of a hybridized forward did, as data (frontend internal, MLIR-free).
//
// Values are numbered: the forward's inputs are 0..n-1, each Constant and Op step defines the
// next number, a Loop or control step one number per result, and a Parameter's data is the
// negative number parameter_value(i). The regions of explicit control flow (nd::cond,
// nd::while_loop, nd::foreach) number their own values apart, from region_values(depth) on, and
// may read the values of the scopes around them. A Guard step records a host read compared on the host
// (frontend/scalar.h) and the outcome seen. Traces of the same forward agree step for step until
// a guard's outcome differs; frontend/hybridize/trace_tree.h joins them into one graph, and
// frontend/hybridize/trace_loops.h folds a guard that recurs at one call site into a Loop step.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/op.h"
#include "frontend/nn/parameter.h"

namespace kiln {

using ValueId = int;
inline ValueId parameter_value(size_t index) { return -1 - static_cast<ValueId>(index); }
inline bool is_parameter_value(ValueId v) { return v < 0; }
inline size_t parameter_index(ValueId v) { return static_cast<size_t>(-1 - v); }
// The first value of regions nested `depth` deep (the trace itself is depth 0).
constexpr ValueId region_values(int depth) { return depth << 24; }

// `lhs <predicate> rhs` came out `outcome`; rhs is a value, or the number rhs_value.
struct Guard {
  ValueId lhs = 0;
  bool rhs_is_value = false;
  ValueId rhs = 0;
  float rhs_value = 0;
  std::string predicate;  // gt ge lt le eq ne
  bool outcome = false;
  uint64_t site = 0;      // where the value was read; 0 when unknown

  // Same comparison at the same place (the outcome aside).
  bool same_test(const Guard& o) const {
    return lhs == o.lhs && rhs_is_value == o.rhs_is_value && (rhs_is_value ? rhs == o.rhs : rhs_value == o.rhs_value) &&
           predicate == o.predicate && site == o.site;
  }
};

struct Loop;
struct Region;

struct Step {
  // Constant, Op: one value. Guard: a host read's comparison. Loop: a loop found in traces
  // (trace_loops.h). If, While, ForEach: explicit control flow with regions.
  enum class Kind { Constant, Op, Guard, Loop, If, While, ForEach };
  Kind kind = Kind::Op;
  Shape shape;                                     // Constant, Op: the value's shape
  std::shared_ptr<const std::vector<float>> data;  // Constant
  const OpDef* op = nullptr;                       // Op
  OpAttrs attrs;                                   // Op
  // Op; Loop: the initial state, then its free values; If: the predicate; While: the initial
  // loop variables; ForEach: the data, then the initial states.
  std::vector<ValueId> operands;
  Guard guard;                                     // Guard
  std::shared_ptr<const Loop> loop;                // Loop
  // If: then, else (no arguments). While: condition (-> predicate), body (-> next variables),
  // both on the variables. ForEach: body on (row of the data, states) -> (output row, states).
  std::vector<Region> regions;
  std::vector<Shape> result_shapes;  // If, While, ForEach (ForEach: the stacked output first)
  int64_t max_iterations = 0;        // While

  // How many values the step defines.
  size_t defines() const;
  // The same step, a guard's outcome aside.
  bool same_as(const Step& o) const;
};

// A region of a control step: its arguments' values, its steps, the values it yields.
struct Region {
  ValueId first = 0;  // its values are numbered from here: the arguments, then its steps'
  std::vector<ValueId> arguments;
  std::vector<Shape> argument_shapes;
  std::vector<Step> steps;
  std::vector<ValueId> results;
  bool operator==(const Region& o) const;
};

// Calls `f(ValueId&)` on every value `step` reads from outside itself: operands, a guard's
// operands, and what its regions read and yield (their own values included; callers tell them
// apart by number).
template <class StepRef, class F>
void for_each_read(StepRef& step, F&& f) {
  for (auto& v : step.operands) f(v);
  if (step.kind == Step::Kind::Guard) {
    f(step.guard.lhs);
    if (step.guard.rhs_is_value) f(step.guard.rhs);
  }
  for (auto& region : step.regions) {
    for (auto& inner : region.steps) for_each_read(inner, f);
    for (auto& v : region.results) f(v);
  }
}

// A while loop found in traces: the condition, checked before each iteration, and the body.
// Inside, values are numbered locally: the state 0..S-1, the free values (loop-invariant, from
// outside) S..S+F-1, then the body's own.
struct Loop {
  std::vector<Shape> state_shapes;
  size_t free_count = 0;
  Guard condition;              // on local values; `outcome` is the one that continues the loop
  std::vector<Step> body;       // Constant and Op steps only
  std::vector<ValueId> next;    // for each state value, the local value it takes after an iteration
};

// An array the forward wrote in place (BatchNorm's running statistics, `x += 1` on an input):
// its final value, which a compiled graph writes back into the array (ir::Graph::add_update).
struct Write {
  bool parameter = false;  // parameters[index]'s data, else inputs[index]
  size_t index = 0;
  ValueId value = 0;
};

struct Trace {
  std::vector<Shape> inputs;
  std::vector<std::shared_ptr<Parameter>> parameters;  // behind parameter_value(i)
  // The arrays Constant steps took their values from (get_constant values, members the forward
  // reads): a graph built from the trace is valid while none of them is written.
  std::vector<Array> baked;
  std::vector<Step> steps;
  std::vector<ValueId> results;
  std::vector<Write> writes;

  size_t guard_count() const;
  // "site 3:gt 1.0 -> true, ..." for logs.
  std::string guard_summary() const;
};

}  // namespace kiln
