// Trace: what one eager run of a hybridized forward did, as data (frontend internal, MLIR-free).
//
// Values are numbered: the forward's inputs are 0..n-1, each Constant and Op step defines the
// next number, a Loop step defines one number per value of its state, and a Parameter's data is
// the negative number parameter_value(i). A Guard step records a host read compared on the host
// (frontend/scalar.h) and the outcome seen. Traces of the same forward agree step for step until
// a guard's outcome differs; frontend/trace_tree.h joins them into one graph, and
// frontend/trace_loops.h folds a guard that recurs at one call site into a Loop step.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/op.h"
#include "frontend/parameter.h"

namespace kiln {

using ValueId = int;
inline ValueId parameter_value(size_t index) { return -1 - static_cast<ValueId>(index); }
inline bool is_parameter_value(ValueId v) { return v < 0; }
inline size_t parameter_index(ValueId v) { return static_cast<size_t>(-1 - v); }

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

struct Step {
  enum class Kind { Constant, Op, Guard, Loop };
  Kind kind = Kind::Op;
  Shape shape;                                     // Constant, Op: the value's shape
  std::shared_ptr<const std::vector<float>> data;  // Constant
  const OpDef* op = nullptr;                       // Op
  OpAttrs attrs;                                   // Op
  std::vector<ValueId> operands;                   // Op; Loop: the initial state, then its free values
  Guard guard;                                     // Guard
  std::shared_ptr<const Loop> loop;                // Loop

  // How many values the step defines.
  size_t defines() const;
  // The same step, a guard's outcome aside.
  bool same_as(const Step& o) const;
};

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

struct Trace {
  std::vector<Shape> inputs;
  std::vector<std::shared_ptr<Parameter>> parameters;  // behind parameter_value(i)
  std::vector<Step> steps;
  std::vector<ValueId> results;

  size_t guard_count() const;
  // "site 3:gt 1.0 -> true, ..." for logs.
  std::string guard_summary() const;
};

}  // namespace kiln
