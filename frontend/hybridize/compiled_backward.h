// Compiled backward: how a hybridized call under autograd::record() gets its gradients from
// compiled code (frontend internal).
//
// The first recorded call of a signature runs eagerly, recording both the tape and the trace.
// From that tape the backward is traced like any forward — the gradient rules are nd:: ops — by
// a Tracer chained to the forward's (tracer.h): the head gradients are its first inputs, and
// every forward value a rule reads (an input, an activation, a mask) becomes an input after
// them, "saved" from the forward. The forward graph of a recorded signature returns those
// values after its outputs; the backward graph returns the gradient of each input and parameter
// that requires one. Later calls run the forward graph and record one tape node whose backward
// runs the backward graph on the saved values (MXNet's CachedOp, AOTAutograd's joint graph split
// in two).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codegen/compiled_graph.h"
#include "frontend/autograd/autograd_graph.h"
#include "frontend/hybridize/tracer.h"

namespace kiln::nn {

// The backward of one compiled signature. Immutable once built: tape nodes share it.
struct BackwardPlan {
  // Where a saved value comes from: a call input, or a result of the forward graph (its outputs,
  // then the values it returns for the backward).
  struct Source {
    bool from_input = false;
    size_t index = 0;
  };
  std::unique_ptr<codegen::CompiledGraph> graph;
  std::vector<Shape> output_shapes;  // the forward's outputs, whose gradients the graph takes first
  std::vector<Source> saved;         // then these, in order
  // The graph's result k is the gradient of tape-node input targets[k]: the call's inputs, then
  // the forward graph's parameters.
  std::vector<size_t> targets;
  size_t node_inputs = 0;
  std::string traced_ir;
};

// A backward traced from a recorded eager call, not yet compiled.
struct TracedBackward {
  Trace trace;
  std::vector<Shape> result_shapes;
  std::vector<size_t> targets;       // as BackwardPlan::targets
  std::vector<ValueId> saved_values;  // each saved input's value in the forward trace
};

// Traces the backward of the call `forward` just traced, whose eager run produced `outputs` on
// the tape from `inputs` and `parameters`. Null, with `why` set, when it cannot be traced.
std::optional<TracedBackward> trace_backward(const Tracer& forward, std::span<const NDArray> inputs,
                                             const std::vector<std::shared_ptr<Parameter>>& parameters,
                                             std::span<const NDArray> outputs, const Tracer::ParameterFinder& find,
                                             std::string& why);

// Records the compiled call's tape node: `outputs` (the forward graph's outputs) get one node over
// `inputs` and the parameters' arrays whose backward runs `plan` on `saved`.
void record_compiled_call(std::shared_ptr<const BackwardPlan> plan, std::span<const NDArray> inputs,
                          std::span<const Array> parameters, std::vector<NDArray> saved, std::span<NDArray> outputs);

}  // namespace kiln::nn
