#include "frontend/autograd/autograd.h"

#include <unordered_map>
#include <unordered_set>

#include "frontend/autograd/autograd_graph.h"
#include "frontend/nd.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/error.h"

namespace kiln::autograd {
namespace {

thread_local bool t_recording = false;
thread_local bool t_training = false;

GradNode* node_of(const Array& a) {
  const auto& meta = a.autograd_meta();
  return meta ? meta->node.get() : nullptr;
}

// A recorded node and the array it made (found through that array's meta).
struct Visit {
  GradNode* node;
  const NDArray* output;
};

// Nodes reachable from the heads, producers after consumers (reverse topological order).
std::vector<Visit> nodes_to_visit(const std::vector<NDArray>& heads) {
  std::vector<Visit> post_order;
  std::unordered_set<GradNode*> seen;
  std::vector<std::pair<Visit, size_t>> stack;
  auto push = [&](const NDArray& a) {
    GradNode* n = node_of(a);
    if (n && seen.insert(n).second) stack.push_back({{n, &a}, 0});
  };
  // One head at a time: a node is finished only after everything that reads it, even when a
  // later head reaches it through another path.
  for (const NDArray& h : heads) {
    push(h);
    while (!stack.empty()) {
      auto& [visit, next] = stack.back();
      if (next < visit.node->inputs.size()) {
        push(visit.node->inputs[next++]);
      } else {
        post_order.push_back(visit);
        stack.pop_back();
      }
    }
  }
  return {post_order.rbegin(), post_order.rend()};
}

void accumulate(NDArray& slot, const NDArray& g) { slot = slot.defined() ? slot + g : g; }

NDArray head_grad_for(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads, size_t i) {
  if (i < head_grads.size() && head_grads[i].defined()) {
    if (head_grads[i].shape() != heads[i].shape())
      throw ShapeError(fmt("backward: head gradient shape ", shape_str(head_grads[i].shape()),
                           " differs from the head's shape ", shape_str(heads[i].shape())));
    return head_grads[i];
  }
  return nd::ones(heads[i].shape());
}

// What a run of the chain rule found: each leaf's gradient (keyed by its meta) and each stop
// target's (gradients_at).
struct Propagated {
  std::unordered_map<AutogradMeta*, NDArray> leaves;
  std::vector<NDArray> targets;
};

// Runs the chain rule from `heads`. Gradients stop at `targets` (by array identity). Unless
// `allow_none`, a call where no head requires grad is an error.
Propagated propagate(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads,
                     std::span<const NDArray> targets = {}, bool allow_none = false) {
  if (!head_grads.empty() && head_grads.size() != heads.size())
    throw ValueError(fmt("backward: ", heads.size(), " heads but ", head_grads.size(), " head gradients"));
  Scope no_record(false, is_training());  // gradient ops are not themselves recorded
  std::unordered_map<GradNode*, std::vector<NDArray>> node_grads;  // per output of the node
  Propagated found;
  found.targets.resize(targets.size());
  std::unordered_map<const void*, size_t> target_index;
  for (size_t i = 0; i < targets.size(); ++i) target_index.emplace(targets[i].identity(), i);
  auto deliver = [&](const NDArray& target, const NDArray& g) {
    if (!target_index.empty())
      if (auto it = target_index.find(target.identity()); it != target_index.end())
        return accumulate(found.targets[it->second], g);
    const auto& meta = target.autograd_meta();
    if (!meta) return;
    if (meta->node) {
      auto& slots = node_grads[meta->node.get()];
      slots.resize(meta->node->outputs);
      accumulate(slots[meta->output_index], g);
    } else if (meta->grad_req != GradReq::Null) {
      accumulate(found.leaves[meta.get()], g);
    }
  };
  bool any = false;
  for (size_t i = 0; i < heads.size(); ++i) {
    if (!requires_grad(heads[i])) continue;
    any = true;
    deliver(heads[i], head_grad_for(heads, head_grads, i));
  }
  if (!any && !allow_none)
    throw ValueError("backward: no head depends on an array with attach_grad() through ops recorded under "
                     "autograd::record(); nothing to differentiate");
  for (auto [node, output] : nodes_to_visit(heads)) {
    auto it = node_grads.find(node);
    if (it == node_grads.end()) continue;
    std::vector<NDArray> input_grads;
    if (node->custom) {
      input_grads = node->custom->backward(it->second);
    } else {
      if (!node->op->gradient) continue;
      NDArray values = output->detach();  // what the rule reads, without the output's history
      GradContext ctx{node->inputs, values, it->second[0], node->attrs};
      input_grads = node->op->gradient(ctx);
    }
    for (size_t i = 0; i < node->inputs.size(); ++i)
      if (input_grads[i].defined() && requires_grad(node->inputs[i])) deliver(node->inputs[i], input_grads[i]);
  }
  return found;
}

}  // namespace

bool is_recording() { return t_recording; }
bool is_training() { return t_training; }

Scope::Scope(bool recording, bool training) : saved_recording_(t_recording), saved_training_(t_training) {
  t_recording = recording;
  t_training = training;
}
Scope::~Scope() {
  t_recording = saved_recording_;
  t_training = saved_training_;
}

bool requires_grad(const Array& a) {
  const auto& meta = a.autograd_meta();
  return meta && (meta->node || meta->grad_req != GradReq::Null);
}

void record_op(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, NDArray& output) {
  auto node = std::make_shared<GradNode>();
  node->op = &op;
  node->attrs = attrs;
  node->inputs.assign(inputs.begin(), inputs.end());
  auto meta = std::make_shared<AutogradMeta>();
  meta->node = std::move(node);
  output.set_autograd_meta(std::move(meta));
}

void record_custom(std::shared_ptr<const CustomBackward> backward, std::vector<NDArray> inputs,
                   std::span<NDArray> outputs) {
  auto node = std::make_shared<GradNode>();
  node->custom = std::move(backward);
  node->outputs = outputs.size();
  node->inputs = std::move(inputs);
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto meta = std::make_shared<AutogradMeta>();
    meta->node = node;
    meta->output_index = i;
    outputs[i].set_autograd_meta(std::move(meta));
  }
}

std::vector<NDArray> gradients_at(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads,
                                  std::span<const NDArray> targets) {
  return propagate(heads, head_grads, targets, /*allow_none=*/true).targets;
}

void backward(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads) {
  for (auto& [meta, g] : propagate(heads, head_grads).leaves) {
    if (meta->grad_req == GradReq::Add) meta->grad.assign(meta->grad + g);
    else meta->grad.assign(g);
    ++meta->grad_writes;
  }
}

uint64_t gradient_writes(const Array& a) {
  const auto& meta = a.autograd_meta();
  return meta ? meta->grad_writes : 0;
}

std::vector<NDArray> grad(const std::vector<NDArray>& heads, const std::vector<NDArray>& variables,
                          const std::vector<NDArray>& head_grads) {
  auto leaf_grads = propagate(heads, head_grads).leaves;
  std::vector<NDArray> out;
  for (const NDArray& v : variables) {
    const auto& meta = v.autograd_meta();
    if (!meta || meta->grad_req == GradReq::Null || meta->node)
      throw ValueError("autograd.grad: every variable must be a leaf array with attach_grad()");
    auto it = leaf_grads.find(meta.get());
    out.push_back(it != leaf_grads.end() ? it->second : nd::zeros(v.shape()));
  }
  return out;
}

}  // namespace kiln::autograd

namespace kiln {

void NDArray::attach_grad(GradReq req) {
  auto meta = std::make_shared<AutogradMeta>();
  meta->grad_req = req;
  meta->grad = nd::zeros(shape());
  set_autograd_meta(std::move(meta));
}

NDArray NDArray::grad() const {
  const auto& meta = autograd_meta();
  if (!meta || meta->node || meta->grad_req == GradReq::Null)
    throw ValueError(fmt("grad: this array (shape ", shape_str(shape()),
                         ") has no gradient buffer; call attach_grad() on it before recording"));
  return meta->grad;
}

void NDArray::backward(const NDArray& head_grad) const {
  autograd::backward({*this}, {head_grad});
}

namespace {
// copy()'s node: the gradient passes through unchanged.
class Identity final : public CustomBackward {
 public:
  std::vector<NDArray> backward(std::span<const NDArray> out_grads) const override { return {out_grads[0]}; }
};
}  // namespace

NDArray NDArray::copy() const {
  NDArray out = Array::copy();
  // The same value in a traced graph, and (under record) one node on the tape, so that a copy in
  // the forward (control flow's results are copies) keeps the gradient's path.
  if (TraceHook* trace = active_trace()) trace->alias(out, *this);
  if (autograd::is_recording() && autograd::requires_grad(*this)) {
    static const auto identity = std::make_shared<const Identity>();
    autograd::record_custom(identity, {*this}, std::span<NDArray>(&out, 1));
  }
  return out;
}

NDArray NDArray::detach() const {
  NDArray out(view_as(shape()));
  // The same value in a traced graph. Gradients stop here all the same: a compiled backward is
  // derived from the recorded graph, where the detached array has no history.
  if (TraceHook* trace = active_trace()) trace->alias(out, *this);
  return out;
}

}  // namespace kiln
