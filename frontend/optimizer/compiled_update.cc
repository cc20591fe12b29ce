#include "frontend/optimizer/compiled_update.h"

#include <cstdlib>

#include "frontend/autograd/autograd.h"
#include "frontend/hybridize/trace_tree.h"
#include "frontend/hybridize/tracer.h"
#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::optimizer {

CompiledUpdate::CompiledUpdate(const Optimizer& optimizer, const Shape& shape) {
  auto pause = autograd::pause();
  size_t states = optimizer.num_states();
  size_t scalars = optimizer.step_scalars(1).size();
  // Placeholders in the argument order: weight, states, gradient, scalars.
  std::vector<NDArray> inputs;
  for (size_t i = 0; i < 2 + states; ++i) inputs.push_back(nd::zeros(shape));
  for (size_t i = 0; i < scalars; ++i) inputs.push_back(nd::zeros({}));
  Tracer tracer(inputs, [](const Array&) { return std::shared_ptr<Parameter>(); });
  std::vector<NDArray> outputs;
  {
    TraceScope scope(&tracer);
    std::span<const NDArray> all(inputs);
    outputs = optimizer.rule(inputs[0], inputs[1 + states], all.subspan(1, states), all.subspan(2 + states));
  }
  if (tracer.untraceable()) throw Error(fmt("optimizer ", optimizer.name(), ": its rule ", tracer.untraceable()));
  std::vector<Shape> shapes(outputs.size(), shape);
  TraceTree tree;
  tree.add(tracer.finish(outputs), shapes);
  // Output i (weight, then states) is input i's new value.
  std::vector<std::pair<size_t, size_t>> updates;
  for (size_t i = 0; i < outputs.size(); ++i) updates.emplace_back(i, i);
  TraceTree::Built built = tree.build("update_" + optimizer.name(), updates);
  codegen::CompileOptions options;
  options.dump_name = fmt("update_", optimizer.name(), ".", shape_str(shape));
  options.mode = codegen::GraphMode::Training;
  if (const char* dir = std::getenv("KILN_DUMP_IR")) options.dump_dir = dir;  // as hybridize's graphs
  graph_ = codegen::CompiledGraph::compile(built.graph, options);
  graph_->bind_parameters({});
  for (size_t i = 0; i < scalars; ++i) scalars_.push_back(Array::zeros({}));
  arguments_.resize(inputs.size());
}

void CompiledUpdate::run(NDArray& weight, const NDArray& grad, std::span<NDArray> states, std::span<const float> scalars) {
  size_t n = states.size();
  arguments_[0] = &weight;
  for (size_t i = 0; i < n; ++i) arguments_[1 + i] = &states[i];
  arguments_[1 + n] = &grad;
  for (size_t i = 0; i < scalars_.size(); ++i) {
    scalars_[i].data()[0] = scalars[i];
    arguments_[2 + n + i] = &scalars_[i];
  }
  graph_->run(arguments_, {});
}

}  // namespace kiln::optimizer
