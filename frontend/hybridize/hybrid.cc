#include "frontend/hybridize/hybrid.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "frontend/autograd/autograd.h"
#include "frontend/nn/block.h"
#include "frontend/hybridize/tracer.h"
#include "runtime/error.h"
#include "runtime/inline_buffer.h"
#include "runtime/log.h"

namespace kiln::nn {

namespace {
std::atomic<uint64_t> g_epoch{0};
}  // namespace

std::vector<NDArray> HybridState::run_forward(Block& block, const Invocation& call) {
  if (!call.multi) return {block.forward(call.inputs[0])};
  return block.forward_multi(std::vector<NDArray>(call.inputs.begin(), call.inputs.end()));
}

std::vector<NDArray> HybridState::run_eagerly(Block& block, const Invocation& call) {
  eager_calls_.fetch_add(1, std::memory_order_relaxed);
  return run_forward(block, call);
}

uint64_t structure_epoch() { return g_epoch.load(std::memory_order_relaxed); }
void bump_structure_epoch() { g_epoch.fetch_add(1, std::memory_order_relaxed); }

bool Signature::matches(const Invocation& call) const {
  if (training != call.training || multi != call.multi || recording != call.recording ||
      shapes.size() != call.inputs.size())
    return false;
  for (size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i] != call.inputs[i].shape() || (recording && input_grads[i] != autograd::requires_grad(call.inputs[i])))
      return false;
  return true;
}

std::string Signature::str() const {
  std::string s;
  for (const Shape& shape : shapes) s += shape_str(shape) + ",";
  return s + (training ? "train" : "predict") + (recording ? ",record" : "");
}

namespace {
// Whether the parameters require gradients as they did when `e` was traced.
bool same_parameter_grads(const CompiledEntry& e) {
  for (size_t i = 0; i < e.parameter_grads.size(); ++i)
    if (e.parameter_grads[i] != autograd::requires_grad(e.parameters[i]->data())) return false;
  return true;
}
}  // namespace

void TreeSnapshot::add(const Block& block) {
  blocks_.emplace_back(block.structure_version_, block.structure_version_->load(std::memory_order_relaxed));
  for (const auto& [name, child] : block.children()) add(*child);
}

void TreeSnapshot::take(const Block& root) {
  blocks_.clear();
  parameters_.clear();
  add(root);
  for (const auto& [name, p] : root.collect_params())
    parameters_.emplace_back(p, p->is_initialized() ? p->data().identity() : nullptr);
}

bool TreeSnapshot::unchanged() const {
  for (const auto& [version, seen] : blocks_)
    if (version->load(std::memory_order_relaxed) != seen) return false;
  for (const auto& [p, identity] : parameters_)
    if ((p->is_initialized() ? p->data().identity() : nullptr) != identity) return false;
  return true;
}

bool HybridState::tree_current(const CompiledEntry& e, uint64_t epoch) {
  if (e.checked.value.load(std::memory_order_relaxed) == epoch) return true;
  if (!e.tree.unchanged()) return false;
  e.checked.value.store(epoch, std::memory_order_relaxed);
  return true;
}

CompiledEntry* HybridState::find(const Invocation& call, uint64_t epoch) {
  for (CompiledEntry& e : cache_)
    // The arrays baked in must hold the values the graph was built from (compile() always takes
    // the snapshot).
    if (e.signature.matches(call) && tree_current(e, epoch) && e.frozen.unchanged() &&
        (!call.recording || same_parameter_grads(e)))
      return &e;
  return nullptr;
}

size_t HybridState::compile_count() const {
  std::shared_lock lock(mutex_);
  return compiles_;
}

std::string HybridState::last_traced_ir() const {
  std::shared_lock lock(mutex_);
  return last_traced_ir_;
}

std::vector<ir::ExportedGraph> HybridState::exported_graphs(const Block& block,
                                                            std::vector<std::pair<std::string, Array>>& parameters) const {
  std::shared_lock lock(mutex_);
  ParameterDict all = block.collect_params();
  auto name_of = [&](const std::shared_ptr<Parameter>& p) {
    for (const auto& [name, q] : all)
      if (q == p) return name;
    throw Error(fmt("export: a parameter of ", block.display_name(), "'s graph is no longer in the block"));
  };
  std::vector<ir::ExportedGraph> graphs;
  for (const CompiledEntry& e : cache_) {
    if (!e.tree.unchanged()) continue;  // stale: the block changed since
    ir::ExportedGraph g{e.traced_ir, e.signature.str(), {}};
    size_t inputs = e.signature.shapes.size();
    for (size_t i = 0; i < inputs; ++i) g.argument_names.push_back(inputs == 1 ? "data" : fmt("data", i));
    for (const auto& p : e.parameters) {
      std::string name = name_of(p);
      g.argument_names.push_back(name);
      bool listed = false;
      for (const auto& [n, a] : parameters) listed |= n == name;
      if (!listed) parameters.emplace_back(name, p->data());
    }
    graphs.push_back(std::move(g));
  }
  return graphs;
}

HybridStats HybridState::stats() const {
  size_t prepares = 0;
  {
    std::shared_lock lock(mutex_);
    for (const CompiledEntry& e : cache_)
      if (e.graph) prepares += e.graph->prepare_count();
  }
  return {.compiled = compiled_calls_,
          .traced = traced_calls_,
          .eager = eager_calls_,
          .recorded = recorded_calls_,
          .side_exits = side_exits_,
          .prepares = prepares};
}

std::vector<NDArray> HybridState::finish_call(const CompiledEntry& entry, std::span<const NDArray> inputs,
                                              std::vector<NDArray> results) {
  if (!entry.signature.recording) return results;
  std::vector<NDArray> saved;
  if (entry.backward) {
    const BackwardPlan& plan = *entry.backward;
    saved.reserve(plan.saved.size());
    for (const BackwardPlan::Source& s : plan.saved) saved.push_back(s.from_input ? inputs[s.index] : results[s.index]);
  }
  results.resize(entry.outputs);
  if (entry.backward) record_compiled_call(entry.backward, inputs, entry.graph->parameters(), std::move(saved), results);
  return results;
}

std::vector<NDArray> HybridState::call(Block& block, std::span<const NDArray> inputs, bool multi) {
  const Invocation call{inputs, multi, autograd::is_training(), autograd::is_recording()};
  uint64_t epoch = structure_epoch();
  int32_t exit = 0;
  {
    std::shared_lock lock(mutex_);
    if (const CompiledEntry* entry = find(call, epoch)) {
      auto [outputs, status] = run(*entry, inputs);
      if (status == 0) {
        compiled_calls_.fetch_add(1, std::memory_order_relaxed);  // a statistic: no ordering needed
        return finish_call(*entry, inputs, std::move(outputs));
      }
      exit = status;
    }
    if (call.recording && eager_recording_) {
      lock.unlock();
      return run_eagerly(block, call);
    }
  }
  if (exit) return side_exit(block, call, exit);
  std::unique_lock lock(mutex_);
  if (find(call, epoch)) {  // compiled meanwhile
    lock.unlock();
    return this->call(block, inputs, multi);
  }
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (!it->signature.matches(call)) continue;
    if (tree_current(*it, epoch)) {  // only the values of an array baked into the graph changed
      if (!warned_frozen_) {
        warned_frozen_ = true;
        log::print(fmt("warning: ", block.display_name(), "'s compiled graph holds the values of arrays its forward ",
                       "read as constants (get_constant values, NDArray members", options_.static_params ?
                       ", and its parameters under static_params" : "", "), and one of them changed; it recompiles ",
                       "on every such change", options_.static_params ? " (hybridize without static_params to train)" : ""));
      }
      cache_.erase(it);
      return trace_and_compile(block, call, "an array baked into the graph changed");
    }
    cache_.erase(it);  // stale: the block or its parameters changed since it was compiled
    return trace_and_compile(block, call, "invalidated (the block or a parameter changed)");
  }
  if (eager_only_) return run_eagerly(block, call);
  if (cache_.size() >= options_.cache_limit) {
    if (!warned_bound_) {
      warned_bound_ = true;
      log::print(fmt("warning: ", block.display_name(), " has compiled ", options_.cache_limit,
                     " input signatures (its cache bound); new signatures run eagerly"));
    }
    return run_eagerly(block, call);
  }
  return trace_and_compile(block, call, cache_.empty() ? "first call" : "new input signature");
}

std::vector<NDArray> HybridState::side_exit(Block& block, const Invocation& call, int32_t exit) {
  side_exits_.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mutex_);
  CompiledEntry* entry = find(call, structure_epoch());
  if (!entry) return run_eagerly(block, call);  // invalidated meanwhile; the next call retraces
  std::string what = exit > 0 && static_cast<size_t>(exit) <= entry->exits.size() ? entry->exits[exit - 1] : "?";
  if (call.recording) {
    // A recorded signature compiles one path (its backward is traced from it); other paths run
    // eagerly, and an error the eager run raises (a label out of range) reaches the caller.
    if (!warned_recorded_paths_) {
      warned_recorded_paths_ = true;
      log::print(fmt("warning: ", block.display_name(), "'s recorded call left its compiled path (", what,
                     "); under autograd::record() kiln compiles one path per signature, so calls that take "
                     "another run eagerly"));
    }
    lock.unlock();
    return run_eagerly(block, call);
  }
  if (entry->paths.paths() >= options_.path_limit) {
    if (!warned_paths_) {
      warned_paths_ = true;
      log::print(fmt("warning: ", block.display_name(), " has compiled ", options_.path_limit, " paths for ",
                     entry->signature.str(), " (its path bound); calls that take other paths run eagerly"));
    }
    return run_eagerly(block, call);
  }
  if (log::enabled("guards"))
    log::print(fmt("guard failed in ", block.display_name(), " (", entry->signature.str(), "): side exit ", exit, ", ",
                   what, "; tracing the new path"));
  return trace_and_compile(block, call, fmt("new path (side exit ", exit, ")"), entry);
}

std::vector<NDArray> HybridState::trace_and_compile(Block& block, const Invocation& call, const std::string& reason,
                                                    CompiledEntry* entry) {
  std::span<const NDArray> inputs = call.inputs;
  traced_calls_.fetch_add(1, std::memory_order_relaxed);
  ParameterDict params = block.collect_params();
  // With static_params no parameter becomes an argument: their values are baked in as constants.
  // An array that receives gradients but is none of the block's parameters (the weight of a child
  // held as a plain member, never registered) must not be baked: its updates would be ignored.
  auto parameter_of = [&](const Array& a) -> std::shared_ptr<Parameter> {
    for (const auto& [name, p] : params)
      if (p->is_initialized() && p->data().identity() == a.identity()) return p;
    return nullptr;
  };
  Tracer::ParameterFinder find_parameter = [&](const Array& a) -> std::shared_ptr<Parameter> {
    auto p = parameter_of(a);
    return !p || options_.static_params || p->is_constant() ? nullptr : p;
  };
  std::optional<Shape> unregistered;
  Tracer tracer(inputs, [&](const Array& a) {
    if (!unregistered && autograd::requires_grad(a) && !parameter_of(a)) unregistered = a.shape();
    return find_parameter(a);
  });
  std::vector<NDArray> outputs;
  {
    TraceScope scope(&tracer);
    outputs = run_forward(block, call);  // the caller's results
  }
  auto give_up = [&](const std::string& why) {
    eager_only_ = true;
    cache_.clear();
    log::print(fmt("warning: ", block.display_name(), " ", why, "; it runs eagerly"));
    return outputs;
  };
  if (tracer.untraceable()) return give_up(fmt("cannot be compiled: its forward ", tracer.untraceable()));
  if (unregistered)
    return give_up(fmt("cannot be compiled: its forward reads an array of shape ", shape_str(*unregistered),
                       " that receives gradients but is not one of its parameters (a child block held as a plain member ",
                       "instead of registered with register_block()?); a compiled graph would bake its values in and ",
                       "ignore its updates"));

  std::vector<Shape> result_shapes;
  for (const NDArray& out : outputs) result_shapes.push_back(out.shape());
  if (!entry) {
    CompiledEntry fresh;
    for (const NDArray& in : inputs) {
      fresh.signature.shapes.push_back(in.shape());
      if (call.recording) fresh.signature.input_grads.push_back(autograd::requires_grad(in));
    }
    fresh.signature.multi = call.multi;
    fresh.signature.training = call.training;
    fresh.signature.recording = call.recording;
    fresh.outputs = outputs.size();
    cache_.push_back(std::move(fresh));
    entry = &cache_.back();
  }
  try {
    Trace trace = tracer.finish(outputs);
    if (log::enabled("guards") && trace.guard_count())
      log::print(fmt("new path in ", block.display_name(), ": ", trace.guard_summary()));
    if (call.recording) {
      // The outputs' eager tape gives this call its gradients; later calls get them compiled.
      // Where the backward cannot be, recorded calls run eagerly (predict-mode graphs are kept).
      bool compiled = false;
      try {
        compiled = compile_backward(block, *entry, tracer, trace, result_shapes, inputs, outputs, find_parameter);
      } catch (const Error& e) {
        give_up_recording(block, fmt("its backward cannot be compiled (", e.what(), ")"));
      }
      if (!compiled) {
        cache_.pop_back();  // a recorded signature's entry is always new (side exits run eagerly)
        return outputs;
      }
    }
    if (entry->paths.add(std::move(trace), result_shapes)) compile(block, *entry, reason);
  } catch (const Error& e) {
    return give_up(fmt("cannot be compiled (", e.what(), ")"));
  }
  return outputs;
}

codegen::CompileOptions HybridState::compile_options(const Block& block, const CompiledEntry& entry,
                                                     const std::string& suffix) const {
  codegen::CompileOptions options;
  if (const char* dir = std::getenv("KILN_DUMP_IR")) options.dump_dir = dir;
  options.dump_name = fmt(block.type_name(), ".", entry.signature.str(), ".", compiles_, suffix);
  // A recorded call is a training step: its parameters change between calls.
  if (entry.signature.recording) options.mode = codegen::GraphMode::Training;
  return options;
}

void HybridState::give_up_recording(Block& block, const std::string& why) {
  if (!eager_recording_)
    log::print(fmt("warning: ", block.display_name(), "'s calls under autograd::record() cannot be compiled: ", why,
                   "; they run eagerly (their gradients are the eager ones)"));
  eager_recording_ = true;
}

bool HybridState::compile_backward(Block& block, CompiledEntry& entry, const Tracer& tracer, Trace& trace,
                                   std::vector<Shape>& result_shapes, std::span<const NDArray> inputs,
                                   std::span<const NDArray> outputs, const Tracer::ParameterFinder& find) {
  for (const Step& step : trace.steps)
    if (step.kind != Step::Kind::Op && step.kind != Step::Kind::Constant && step.kind != Step::Kind::Guard) {
      give_up_recording(block, "its forward uses nd::cond / nd::while_loop / nd::foreach, whose compiled backward "
                               "kiln does not derive yet");
      return false;
    }
  if (options_.static_params) {
    // Its parameters are constants of the graph, so the backward could not return their gradients.
    give_up_recording(block, "hybridize({.static_params = true}) bakes the parameters in as constants (hybridize "
                             "without static_params to train)");
    return false;
  }
  std::string why;
  std::optional<TracedBackward> traced = trace_backward(tracer, inputs, trace.parameters, outputs, find, why);
  if (!traced) {
    give_up_recording(block, why);
    return false;
  }
  for (const auto& p : trace.parameters) entry.parameter_grads.push_back(autograd::requires_grad(p->data()));
  if (traced->targets.empty()) return true;  // nothing requires a gradient: no tape node
  auto plan = std::make_shared<BackwardPlan>();
  plan->output_shapes = result_shapes;
  plan->targets = traced->targets;
  plan->node_inputs = inputs.size() + trace.parameters.size();
  // Saved inputs come with the call; other saved values are results of the forward graph.
  for (ValueId v : traced->saved_values) {
    if (static_cast<size_t>(v) < inputs.size()) {
      plan->saved.push_back({true, static_cast<size_t>(v)});
      continue;
    }
    // A value saved twice is returned once. An output the backward reads is returned again, as
    // a copy (kiln-distinct-results): the tape node that holds the saved values hangs off the
    // outputs, and holding an output (or a view, which keeps it alive) would be a cycle.
    auto it = std::find(trace.results.begin() + static_cast<std::ptrdiff_t>(entry.outputs), trace.results.end(), v);
    if (it == trace.results.end()) {
      trace.results.push_back(v);
      result_shapes.push_back(traced->trace.inputs[outputs.size() + plan->saved.size()]);
      it = trace.results.end() - 1;
    }
    plan->saved.push_back({false, static_cast<size_t>(it - trace.results.begin())});
  }
  TraceTree tree;
  tree.add(std::move(traced->trace), traced->result_shapes);
  TraceTree::Built built = tree.build("backward");
  plan->traced_ir = built.graph.str();
  plan->graph = codegen::CompiledGraph::compile(built.graph, compile_options(block, entry, ".backward"));
  std::vector<Array> parameters;
  for (const auto& p : tree.parameters()) parameters.push_back(p->data());
  plan->graph->bind_parameters(std::move(parameters));
  entry.backward_baked = tree.baked();
  entry.backward = std::move(plan);
  return true;
}

void HybridState::compile(Block& block, CompiledEntry& entry, const std::string& reason) {
  if (log::enabled("recompiles"))
    log::print(fmt("compiling ", block.display_name(), " for ", entry.signature.str(), ": ", reason));
  TraceTree::Built built = entry.paths.build("forward");
  entry.traced_ir = built.graph.str();
  entry.parameters = entry.paths.parameters();
  entry.exits = std::move(built.exits);
  // The graph is valid while the arrays it baked in keep their values: constants the traces read
  // (get_constant values, members of the block) and, with static_params, the parameters.
  std::vector<Array> frozen = entry.paths.baked();
  frozen.insert(frozen.end(), entry.backward_baked.begin(), entry.backward_baked.end());
  if (options_.static_params)
    for (const auto& [name, p] : block.collect_params())
      if (!p->is_constant() && p->is_initialized()) frozen.push_back(p->data());
  entry.frozen.take(std::move(frozen));
  entry.tree.take(block);
  entry.checked.value = structure_epoch();
  entry.graph = codegen::CompiledGraph::compile(built.graph, compile_options(block, entry));
  // A parameter's array changes only with the structure epoch, which retires this entry.
  std::vector<Array> parameters;
  for (const auto& p : entry.parameters) parameters.push_back(p->data());
  entry.graph->bind_parameters(std::move(parameters));
  if (log::enabled("recompiles"))
    log::print(entry.graph->from_cache()
                   ? fmt("loaded ", block.display_name(), " from the compile cache in ", entry.graph->compile_ms(), " ms")
                   : fmt("compiled ", block.display_name(), " in ", entry.graph->compile_ms(), " ms (MLIR lowering ",
                         entry.graph->lowering_ms(), " ms, LLVM ", entry.graph->llvm_ms(), " ms)"));
  if (log::enabled("guards") && entry.paths.has_exits())
    log::print(fmt(block.display_name(), " (", entry.signature.str(), "): ", entry.paths.paths(), " paths, ",
                   entry.paths.loops(), " loops, ", entry.exits.size(), " side exits compiled"));
  last_traced_ir_ = entry.traced_ir;
  ++compiles_;
}

std::pair<std::vector<NDArray>, int32_t> HybridState::run(const CompiledEntry& entry, std::span<const NDArray> inputs) {
  InlineBuffer<const Array*, codegen::CompiledGraph::kInlineArguments> arguments(inputs.size());
  size_t n = 0;
  for (const NDArray& in : inputs) arguments[n++] = &in;
  std::vector<NDArray> outputs;
  outputs.reserve(entry.graph->result_shapes().size());
  for (const Shape& s : entry.graph->result_shapes()) outputs.emplace_back(s);
  InlineBuffer<Array*, codegen::CompiledGraph::kInlineArguments> results(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) results[i] = &outputs[i];
  int32_t status = entry.graph->run({arguments.data(), n}, {results.data(), outputs.size()});
  return {std::move(outputs), status};
}

}  // namespace kiln::nn
