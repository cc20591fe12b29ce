#include "frontend/hybrid.h"

#include <cstdlib>
#include <mutex>

#include "frontend/autograd.h"
#include "frontend/block.h"
#include "frontend/tracer.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::nn {

namespace {
std::atomic<uint64_t> g_epoch{0};
}  // namespace

std::vector<NDArray> HybridState::run_eagerly(Block& block, std::span<const NDArray> inputs) {
  return block.forward_multi(std::vector<NDArray>(inputs.begin(), inputs.end()));
}

uint64_t structure_epoch() { return g_epoch.load(std::memory_order_relaxed); }
void bump_structure_epoch() { g_epoch.fetch_add(1, std::memory_order_relaxed); }

bool Signature::matches(std::span<const NDArray> inputs, bool training_now) const {
  if (training != training_now || shapes.size() != inputs.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (shapes[i] != inputs[i].shape()) return false;
  return true;
}

std::string Signature::str() const {
  std::string s;
  for (const Shape& shape : shapes) s += shape_str(shape) + ",";
  return s + (training ? "train" : "predict");
}

namespace {
// Whether the parameters a static_params graph baked in still hold the values it was built from.
bool frozen_current(const CompiledEntry& e) {
  for (const FrozenParameter& f : e.frozen)
    if (f.parameter->data().version() != f.version) return false;
  return true;
}
}  // namespace

const CompiledEntry* HybridState::find(std::span<const NDArray> inputs, bool training, uint64_t epoch) const {
  for (const CompiledEntry& e : cache_)
    if (e.epoch == epoch && e.signature.matches(inputs, training) && frozen_current(e)) return &e;
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

std::vector<NDArray> HybridState::call(Block& block, std::span<const NDArray> inputs) {
  bool training = autograd::is_training();
  uint64_t epoch = structure_epoch();
  {
    std::shared_lock lock(mutex_);
    if (const CompiledEntry* entry = find(inputs, training, epoch)) return run(*entry, inputs);
  }
  std::unique_lock lock(mutex_);
  if (const CompiledEntry* entry = find(inputs, training, epoch)) return run(*entry, inputs);  // compiled meanwhile
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (!it->signature.matches(inputs, training)) continue;
    if (it->epoch == epoch) {  // only a frozen parameter's data changed (static_params)
      if (!warned_frozen_) {
        warned_frozen_ = true;
        log::print(fmt("warning: ", block.display_name(), " was hybridized with static_params, but a parameter ",
                       "changed; it recompiles on every change (hybridize without static_params to train)"));
      }
      cache_.erase(it);
      return trace_and_compile(block, inputs, "a frozen parameter changed (static_params)");
    }
    cache_.erase(it);  // stale: the block or its parameters changed since it was compiled
    return trace_and_compile(block, inputs, "invalidated (the block or a parameter changed)");
  }
  if (eager_only_) return run_eagerly(block, inputs);
  if (cache_.size() >= options_.cache_limit) {
    if (!warned_bound_) {
      warned_bound_ = true;
      log::print(fmt("warning: ", block.display_name(), " has compiled ", options_.cache_limit,
                     " input signatures (its cache bound); new signatures run eagerly"));
    }
    return run_eagerly(block, inputs);
  }
  return trace_and_compile(block, inputs, cache_.empty() ? "first call" : "new input signature");
}

std::vector<NDArray> HybridState::trace_and_compile(Block& block, std::span<const NDArray> inputs,
                                                    const std::string& reason) {
  bool training = autograd::is_training();
  ParameterDict params = block.collect_params();
  // With static_params no parameter becomes an argument: their values are baked in as constants.
  Tracer tracer(inputs, [&](const Array& a) -> std::shared_ptr<Parameter> {
    if (options_.static_params) return nullptr;
    for (const auto& [name, p] : params)
      if (!p->is_constant() && p->is_initialized() && p->data().identity() == a.identity()) return p;
    return nullptr;
  });
  std::vector<NDArray> outputs;
  {
    TraceScope scope(&tracer);
    outputs = run_eagerly(block, inputs);  // the caller gets these eager results
  }
  if (tracer.host_read()) {
    eager_only_ = true;
    log::print(fmt("warning: ", block.display_name(), " reads a value on the host (", tracer.host_read(),
                   ") in forward, so its control flow depends on data; it runs eagerly"));
    return outputs;
  }

  CompiledEntry entry;
  for (const NDArray& in : inputs) entry.signature.shapes.push_back(in.shape());
  entry.signature.training = training;
  std::string name = fmt(block.type_name(), "-", compiles_);
  if (log::enabled("recompiles"))
    log::print(fmt("compiling ", block.display_name(), " for ", entry.signature.str(), ": ", reason));
  ir::Graph graph = tracer.finish(outputs);
  entry.traced_ir = graph.str();
  entry.parameters = tracer.parameters();
  if (options_.static_params)
    for (const auto& [name, p] : params)
      if (!p->is_constant() && p->is_initialized()) entry.frozen.push_back({p, p->data().version()});
  entry.epoch = structure_epoch();
  codegen::CompileOptions options;
  if (const char* dir = std::getenv("KILN_DUMP_IR")) options.dump_dir = dir;
  options.dump_name = fmt(block.type_name(), ".", entry.signature.str(), ".", compiles_);
  entry.graph = codegen::CompiledGraph::compile(graph, options);
  if (log::enabled("recompiles"))
    log::print(entry.graph->from_cache()
                   ? fmt("loaded ", block.display_name(), " from the compile cache in ", entry.graph->compile_ms(), " ms")
                   : fmt("compiled ", block.display_name(), " in ", entry.graph->compile_ms(), " ms (MLIR lowering ",
                         entry.graph->lowering_ms(), " ms, LLVM ", entry.graph->llvm_ms(), " ms)"));
  last_traced_ir_ = entry.traced_ir;
  ++compiles_;
  cache_.push_back(std::move(entry));
  return outputs;
}

std::vector<NDArray> HybridState::run(const CompiledEntry& entry, std::span<const NDArray> inputs) {
  const Array* arguments[codegen::CompiledGraph::kMaxArguments];
  size_t n = 0;
  for (const NDArray& in : inputs) arguments[n++] = &in;
  for (const auto& p : entry.parameters) arguments[n++] = &p->data();
  std::vector<NDArray> outputs;
  outputs.reserve(entry.graph->result_shapes().size());
  Array* results[codegen::CompiledGraph::kMaxArguments];
  for (const Shape& s : entry.graph->result_shapes()) outputs.emplace_back(s);
  for (size_t i = 0; i < outputs.size(); ++i) results[i] = &outputs[i];
  entry.graph->run({arguments, n}, {results, outputs.size()});
  return outputs;
}

}  // namespace kiln::nn
