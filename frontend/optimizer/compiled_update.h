// CompiledUpdate: an optimizer's rule for one weight shape, traced once and compiled into a
// function that writes the new weight and states into their own arrays (ir::Graph::add_update).
// Its arguments: the weight, the states, the gradient, then the step's scalars as 0-d arrays.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "codegen/compiled_graph.h"
#include "frontend/optimizer/optimizer.h"

namespace kiln::optimizer {

class CompiledUpdate {
 public:
  // Traces and compiles `optimizer`'s rule for weights of `shape`. Throws kiln::Error if the rule
  // cannot be compiled.
  CompiledUpdate(const Optimizer& optimizer, const Shape& shape);
  void run(NDArray& weight, const NDArray& grad, std::span<NDArray> states, std::span<const float> scalars);

 private:
  std::unique_ptr<codegen::CompiledGraph> graph_;
  std::vector<Array> scalars_;          // the 0-d arguments, refilled each call
  std::vector<const Array*> arguments_;  // reused by each call
};

}  // namespace kiln::optimizer
