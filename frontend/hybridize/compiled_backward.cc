#include "frontend/hybridize/compiled_backward.h"

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/error.h"
#include "runtime/inline_buffer.h"

namespace kiln::nn {

namespace {

// The backward of one compiled call: its saved values and the plan that runs on them.
class CompiledCallBackward : public CustomBackward {
 public:
  CompiledCallBackward(std::shared_ptr<const BackwardPlan> plan, std::vector<NDArray> saved)
      : plan_(std::move(plan)), saved_(std::move(saved)) {}

  std::vector<NDArray> backward(std::span<const NDArray> out_grads) const override {
    const BackwardPlan& plan = *plan_;
    std::vector<NDArray> zeros;  // for outputs no gradient reached
    zeros.reserve(out_grads.size());
    size_t n = out_grads.size() + saved_.size();
    InlineBuffer<const Array*, codegen::CompiledGraph::kInlineArguments> arguments(n);
    for (size_t i = 0; i < out_grads.size(); ++i)
      arguments[i] = out_grads[i].defined() ? &out_grads[i] : &zeros.emplace_back(nd::zeros(plan.output_shapes[i]));
    for (size_t i = 0; i < saved_.size(); ++i) arguments[out_grads.size() + i] = &saved_[i];
    std::vector<NDArray> results;
    results.reserve(plan.targets.size());
    for (const Shape& s : plan.graph->result_shapes()) results.emplace_back(s);
    InlineBuffer<Array*, codegen::CompiledGraph::kInlineArguments> slots(results.size());
    for (size_t i = 0; i < results.size(); ++i) slots[i] = &results[i];
    if (plan.graph->run({arguments.data(), n}, {slots.data(), results.size()}) != 0)
      throw Error("hybridize: a compiled backward left its graph at a side exit");  // traced without guards
    std::vector<NDArray> grads(plan.node_inputs);
    for (size_t k = 0; k < results.size(); ++k) grads[plan.targets[k]] = std::move(results[k]);
    return grads;
  }

 private:
  std::shared_ptr<const BackwardPlan> plan_;
  std::vector<NDArray> saved_;
};

}  // namespace

std::optional<TracedBackward> trace_backward(const Tracer& forward, std::span<const NDArray> inputs,
                                             const std::vector<std::shared_ptr<Parameter>>& parameters,
                                             std::span<const NDArray> outputs, const Tracer::ParameterFinder& find,
                                             std::string& why) {
  // The targets, as tape-node inputs: the call's inputs, then the parameters.
  std::vector<NDArray> targets;
  std::vector<size_t> target_index;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (autograd::requires_grad(inputs[i])) {
      targets.push_back(inputs[i]);
      target_index.push_back(i);
    }
  for (size_t i = 0; i < parameters.size(); ++i)
    if (autograd::requires_grad(parameters[i]->data())) {
      targets.push_back(parameters[i]->data());
      target_index.push_back(inputs.size() + i);
    }
  std::vector<NDArray> head_grads;
  for (const NDArray& out : outputs) head_grads.push_back(nd::ones(out.shape()));
  Tracer tracer(head_grads, find, forward);
  std::vector<NDArray> grads;
  {
    TraceScope scope(&tracer);
    grads = autograd::gradients_at(std::vector<NDArray>(outputs.begin(), outputs.end()), head_grads, targets);
  }
  if (tracer.untraceable()) {
    why = fmt("its backward ", tracer.untraceable());
    return std::nullopt;
  }
  TracedBackward traced;
  std::vector<NDArray> results;
  for (size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined()) continue;  // no gradient reaches this target
    results.push_back(grads[k]);
    traced.result_shapes.push_back(grads[k].shape());
    traced.targets.push_back(target_index[k]);
  }
  traced.trace = tracer.finish(results);
  traced.saved_values = tracer.saved_values();
  if (traced.trace.guard_count()) {
    why = "its backward reads values on the host";
    return std::nullopt;
  }
  return traced;
}

void record_compiled_call(std::shared_ptr<const BackwardPlan> plan, std::span<const NDArray> inputs,
                          std::span<const Array> parameters, std::vector<NDArray> saved, std::span<NDArray> outputs) {
  std::vector<NDArray> node_inputs(inputs.begin(), inputs.end());
  node_inputs.insert(node_inputs.end(), parameters.begin(), parameters.end());
  autograd::record_custom(std::make_shared<CompiledCallBackward>(std::move(plan), std::move(saved)),
                          std::move(node_inputs), outputs);
}

}  // namespace kiln::nn
