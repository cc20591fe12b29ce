#include "frontend/optimizer/compiled_step.h"

#include <algorithm>
#include <cstdlib>

#include "codegen/compiled_graph.h"
#include "frontend/autograd/autograd.h"
#include "frontend/autograd/autograd_graph.h"
#include "frontend/hybridize/input_checks.h"
#include "frontend/hybridize/trace_tree.h"
#include "frontend/hybridize/tracer.h"
#include "frontend/nd.h"
#include "frontend/optimizer/trainer.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::gluon {

namespace {
// Paths one signature may take before its step runs eagerly, as hybridize's cache limit.
constexpr size_t kMaxPaths = 8;
}  // namespace

// One input signature's compiled step.
struct CompiledStep::Entry {
  Shape x_shape, y_shape;
  // The paths the step has taken (host reads in the forward make several), each with its own
  // backward: loops are not folded, since the backward unrolls them.
  TraceTree tree{/*fold_loops=*/false};
  std::unique_ptr<codegen::CompiledGraph> graph;  // null: this signature runs eagerly
  std::unique_ptr<InputChecks> checks;
  // The parameters the graph reads (and their arrays as bound), and the Trainer slots it
  // updates, in order.
  std::vector<std::shared_ptr<Parameter>> parameters;
  std::vector<Array> bound;
  std::vector<size_t> updated;
  std::vector<Array> scalars;      // the optimizer's scalars, refilled each call
  std::vector<const Array*> arguments;
  Shape loss_shape, prediction_shape;
};

CompiledStep::CompiledStep(Trainer& trainer, nn::Block& net, loss::Loss& loss)
    : trainer_(&trainer), net_(&net), loss_(&loss) {}
CompiledStep::CompiledStep(CompiledStep&&) noexcept = default;
CompiledStep::~CompiledStep() = default;

size_t CompiledStep::compile_count() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e->graph != nullptr;
  return n;
}

NDArray CompiledStep::operator()(const NDArray& x, const NDArray& y) {
  if (x.ndim() == 0 || y.ndim() == 0 || x.shape()[0] != y.shape()[0])
    throw ShapeError(fmt("compile_step: a batch of ", x.ndim() ? x.shape()[0] : 0, " inputs (shape ", shape_str(x.shape()),
                         ") and labels of shape ", shape_str(y.shape()), " disagree in length"));
  last_compiled_ = false;
  if (!trainer_->optimizer_->compiles()) return eager_step(x, y);
  for (auto& e : entries_) {
    if (e->x_shape != x.shape() || e->y_shape != y.shape()) continue;
    if (!e->graph) return eager_step(x, y);
    bool same_arrays = true;  // a parameter given new storage (initialize(force_reinit)) retraces
    for (size_t i = 0; i < e->parameters.size(); ++i)
      same_arrays &= e->parameters[i]->data().identity() == e->bound[i].identity();
    if (same_arrays) return run(*e, x, y);
    std::swap(e, entries_.back());
    entries_.pop_back();  // traced anew below
    break;
  }
  entries_.push_back(std::make_unique<Entry>());
  entries_.back()->x_shape = x.shape();
  entries_.back()->y_shape = y.shape();
  try {
    return trace(*entries_.back(), x, y);
  } catch (...) {
    entries_.pop_back();  // a call that failed (a bad label, say) leaves nothing: the next one traces
    throw;
  }
}

NDArray CompiledStep::eager_step(const NDArray& x, const NDArray& y) {
  NDArray l;
  {
    auto rec = autograd::record();
    prediction_ = (*net_)(x);
    l = (*loss_)(prediction_, y);
  }
  l.backward();
  trainer_->step(x.shape()[0]);
  return l;
}

std::vector<float> CompiledStep::step_scalars(int64_t batch) {
  Trainer& t = *trainer_;
  int64_t num_update = 0;  // as Trainer::update counts: every slot takes this step
  for (const auto& slot : t.slots_) num_update = std::max(num_update, slot.updates + 1);
  t.optimizer_->begin_step(num_update);
  t.optimizer_->set_rescale_grad(t.scale_ / static_cast<float>(batch));
  return t.optimizer_->step_scalars(num_update);
}

NDArray CompiledStep::trace(Entry& e, const NDArray& x, const NDArray& y) {
  Trainer& t = *trainer_;
  optimizer::Optimizer& opt = *t.optimizer_;
  for (const auto& slot : t.slots_)
    if (!slot.parameter->is_initialized()) {
      auto predict = autograd::predict_mode();
      (*net_)(x);  // completes deferred shapes before tracing
      break;
    }
  std::vector<float> scalar_values = step_scalars(x.shape()[0]);

  // Inputs: x, y, every slot's states, the scalars.
  std::vector<NDArray> inputs{x, y};
  for (auto& slot : t.slots_) {
    std::vector<NDArray>& states = t.states_of(slot);
    inputs.insert(inputs.end(), states.begin(), states.end());
  }
  size_t first_scalar = inputs.size();
  e.scalars.clear();
  for (float v : scalar_values) {
    e.scalars.push_back(Array::from_values({}, {v}));
    inputs.push_back(e.scalars.back());
  }
  auto parameter_of = [&](const Array& a) -> std::shared_ptr<Parameter> {
    for (const auto& params : {net_->collect_params(), loss_->collect_params()})
      for (const auto& [name, p] : params)
        if (p->is_initialized() && !p->is_constant() && p->data().identity() == a.identity()) return p;
    return nullptr;
  };
  Tracer tracer(inputs, parameter_of);
  e.checks = std::make_unique<InputChecks>(std::span<const NDArray>(inputs.data(), 2));
  std::vector<NDArray> outputs;
  std::vector<size_t> updated;  // slots, in the order of their outputs
  {
    TraceScope scope(&tracer);
    InputChecks::Scope checks(e.checks.get());
    NDArray l, prediction;
    {
      auto rec = autograd::record();
      prediction = (*net_)(x);
      l = (*loss_)(prediction, y);
    }
    std::vector<NDArray> weights;
    for (const auto& slot : t.slots_) weights.push_back(slot.parameter->data());
    std::vector<NDArray> grads = autograd::gradients_at({l}, {nd::ones(l.shape())}, weights);
    outputs.push_back(l);
    outputs.push_back(prediction.copy());  // its own value: the net's output may be an input or a parameter
    std::span<const NDArray> scalars(inputs.data() + first_scalar, scalar_values.size());
    for (size_t i = 0; i < t.slots_.size(); ++i) {
      if (!grads[i].defined()) continue;  // no gradient reaches it: left as it is
      std::vector<NDArray> next = opt.rule(weights[i], grads[i], t.slots_[i].states, scalars);
      outputs.insert(outputs.end(), next.begin(), next.end());
      updated.push_back(i);
    }
  }
  // The traced step's values are this call's: write them (the compiled calls write their own).
  constexpr size_t kResults = 2;  // the loss and the prediction, then the updates
  auto apply_first_step = [&] {
    size_t out = kResults;
    for (size_t i : updated) {
      NDArray w = t.slots_[i].parameter->data();
      w.assign(outputs[out++]);
      for (NDArray& s : t.slots_[i].states) s.assign(outputs[out++]);
      ++t.slots_[i].updates;
    }
  };
  try {
    if (tracer.untraceable()) throw Error(fmt("the step ", tracer.untraceable()));
    std::vector<Shape> shapes;
    for (const NDArray& o : outputs) shapes.push_back(o.shape());
    TraceTree& tree = e.tree;
    tree.add(tracer.finish(outputs), shapes);
    if (tree.paths() > kMaxPaths)
      throw Error(fmt("its host reads took more than ", kMaxPaths, " paths for inputs of shape ", shape_str(x.shape())));
    // Each update's argument: a weight is a parameter argument, a state an input.
    std::vector<size_t> state_input(t.slots_.size());
    for (size_t i = 0, next = 2; i < t.slots_.size(); next += t.slots_[i].states.size(), ++i) state_input[i] = next;
    std::vector<std::pair<size_t, size_t>> updates;
    size_t out = kResults;
    const auto& params = tree.parameters();
    for (size_t i : updated) {
      auto at = std::find(params.begin(), params.end(), t.slots_[i].parameter);
      if (at == params.end()) throw Error(fmt("Parameter '", t.slots_[i].parameter->name(), "' is not an argument of the step"));
      updates.emplace_back(out++, inputs.size() + static_cast<size_t>(at - params.begin()));
      for (size_t k = 0; k < t.slots_[i].states.size(); ++k) updates.emplace_back(out++, state_input[i] + k);
    }
    TraceTree::Built built = tree.build("train_step", updates);
    codegen::CompileOptions options;
    options.dump_name = fmt("train_step.", shape_str(x.shape()));
    options.mode = codegen::GraphMode::Training;
    if (const char* dir = std::getenv("KILN_DUMP_IR")) options.dump_dir = dir;
    e.graph = codegen::CompiledGraph::compile(built.graph, options);
    e.parameters = params;
    e.bound.clear();
    for (const auto& p : params) e.bound.push_back(p->data());
    e.graph->bind_parameters(e.bound);
    e.updated = updated;
  } catch (const Error& err) {
    e.graph.reset();
    log::print(fmt("warning: compile_step: the training step of ", net_->type_name(), " cannot be compiled (", err.what(),
                   "); it runs eagerly"));
  }
  apply_first_step();
  e.loss_shape = outputs[0].shape();
  e.prediction_shape = outputs[1].shape();
  prediction_ = outputs[1];
  e.arguments.assign(first_scalar + e.scalars.size(), nullptr);
  return outputs[0];
}

NDArray CompiledStep::run(Entry& e, const NDArray& x, const NDArray& y) {
  Trainer& t = *trainer_;
  const NDArray given[] = {x, y};
  e.checks->run(given);
  std::vector<float> scalar_values = step_scalars(x.shape()[0]);
  size_t n = 0;
  e.arguments[n++] = &x;
  e.arguments[n++] = &y;
  for (auto& slot : t.slots_)
    for (NDArray& s : t.states_of(slot)) e.arguments[n++] = &s;  // load_states may have replaced them
  for (size_t i = 0; i < e.scalars.size(); ++i) {
    e.scalars[i].data()[0] = scalar_values[i];
    e.arguments[n++] = &e.scalars[i];
  }
  Array loss(e.loss_shape), prediction(e.prediction_shape);
  Array* results[] = {&loss, &prediction};
  // A side exit (a host read came out as no traced path had it) has written nothing: the step
  // is traced eagerly along the new path, which joins the graph.
  if (e.graph->run(e.arguments, results) != 0) return trace(e, x, y);
  prediction_ = prediction;
  for (size_t i : e.updated) ++t.slots_[i].updates;
  last_compiled_ = true;
  return loss;
}

}  // namespace kiln::gluon
