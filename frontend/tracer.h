// Tracer: records the ops of one eager forward into an ir::Graph (frontend internal).
//
// The forward's inputs are the graph's first arguments. An array the trace meets without having
// produced it is either a Parameter's data — it becomes a graph argument, so training updates
// are seen without recompiling — or anything else (get_constant values, scalars), which is baked
// in as a constant.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/parameter.h"
#include "frontend/trace_hook.h"
#include "ir/graph.h"

namespace kiln {

class Tracer : public TraceHook {
 public:
  // `find_parameter` names the non-constant Parameter whose data is `a`, or returns null.
  using ParameterFinder = std::function<std::shared_ptr<Parameter>(const Array& a)>;
  Tracer(std::span<const NDArray> inputs, ParameterFinder find_parameter);

  void record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) override;
  void host_read(const char* what) override;

  // Returns `outputs` from the graph and hands it over.
  ir::Graph finish(std::span<const NDArray> outputs);
  // The Parameters behind the graph arguments that follow the inputs, in argument order.
  const std::vector<std::shared_ptr<Parameter>>& parameters() const { return parameters_; }
  // What was read on the host, or null if nothing was.
  const char* host_read() const { return host_read_; }

 private:
  int value_of(const NDArray& a);

  ir::Graph graph_;
  ParameterFinder find_parameter_;
  std::unordered_map<const void*, int> ids_;  // array identity -> graph value
  std::vector<NDArray> seen_;                 // keeps every keyed array alive: identities stay unique
  std::vector<std::shared_ptr<Parameter>> parameters_;
  const char* host_read_ = nullptr;
};

}  // namespace kiln
