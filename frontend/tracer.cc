#include "frontend/tracer.h"

namespace kiln {

Tracer::Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter)
    : find_parameter_(std::move(find_parameter)) {
  for (const NDArray& in : inputs) {
    ids_[in.identity()] = graph_.add_argument(in.shape());
    seen_.push_back(in);
  }
}

int Tracer::value_of(const NDArray& a) {
  auto it = ids_.find(a.identity());
  if (it != ids_.end()) return it->second;
  int id;
  if (auto param = find_parameter_(a)) {
    id = graph_.add_argument(a.shape(), ir::Graph::ArgumentKind::Parameter);
    parameters_.push_back(std::move(param));
  } else {
    id = graph_.add_constant(a.shape(), std::span<const float>(a.data(), a.size()));
  }
  ids_[a.identity()] = id;
  seen_.push_back(a);
  return id;
}

void Tracer::record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) {
  std::vector<int> operands;
  operands.reserve(inputs.size());
  for (const NDArray& in : inputs) operands.push_back(value_of(in));
  // For an in-place op `output` is inputs[0]'s array: from here on it names the new value.
  ids_[output.identity()] = graph_.add_op(op.name, operands, attrs, output.shape());
  seen_.push_back(output);
}

void Tracer::host_read(const char* what) {
  if (!host_read_) host_read_ = what;
}

ir::Graph Tracer::finish(std::span<const NDArray> outputs) {
  std::vector<int> results;
  for (const NDArray& out : outputs) results.push_back(value_of(out));
  graph_.set_results(results);
  return std::move(graph_);
}

}  // namespace kiln
