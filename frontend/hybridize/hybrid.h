// A hybridized block's compiled graphs, one per input signature (frontend internal).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "codegen/compiled_graph.h"
#include "frontend/hybridize/compiled_backward.h"
#include "frontend/hybridize/hybridize_options.h"
#include "frontend/nn/parameter.h"
#include "frontend/hybridize/trace_tree.h"
#include "ir/program.h"
#include "runtime/array_snapshot.h"

namespace kiln::nn {

class Block;

// Bumped whenever any block tree or parameter changes structure (a child is registered, a
// parameter gets new storage). A compiled graph then checks its own tree (TreeSnapshot) once:
// a change elsewhere in the process costs it that check, never a recompile.
uint64_t structure_epoch();
void bump_structure_epoch();


// What a compiled graph assumed about its block tree: each block's count of registered children
// and each parameter's array (its identity: new storage is a new array).
struct TreeSnapshot {
  void take(const Block& root);
  bool unchanged() const;

 private:
  void add(const Block& block);
  std::vector<std::pair<std::shared_ptr<const std::atomic<uint64_t>>, uint64_t>> blocks_;
  std::vector<std::pair<std::shared_ptr<Parameter>, const void*>> parameters_;  // null: not initialised
};

// The structure epoch at which an entry's TreeSnapshot last held (atomic: calls that share the
// cache's lock refresh it).
struct EpochStamp {
  std::atomic<uint64_t> value{0};
  EpochStamp() = default;
  EpochStamp(EpochStamp&& o) noexcept : value(o.value.load()) {}
  EpochStamp& operator=(EpochStamp&& o) noexcept {
    value = o.value.load();
    return *this;
  }
};

// One call of a hybridized block: its inputs, the training mode, and which of the block's entries
// it came through — operator()(NDArray) runs forward, operator()(vector) forward_multi, and a
// graph traced through one never serves the other.
struct Invocation {
  std::span<const NDArray> inputs;
  bool multi = false;
  bool training = false;
  bool recording = false;  // under autograd::record(): the call records its backward
};

// What a call is compiled for: the inputs' shapes, the entry, the training mode and, for
// recorded calls, which inputs require gradients.
struct Signature {
  std::vector<Shape> shapes;
  bool multi = false;
  bool training = false;
  bool recording = false;
  std::vector<bool> input_grads;  // recording: requires_grad of each input
  bool matches(const Invocation& call) const;
  std::string str() const;  // "2x20,predict", "2x20,train,record"
};

struct CompiledEntry {
  Signature signature;
  TraceTree paths;  // every path traced for the signature
  std::unique_ptr<codegen::CompiledGraph> graph;
  std::vector<std::shared_ptr<Parameter>> parameters;  // graph arguments after the inputs
  std::vector<std::string> exits;                      // what each side exit stands for
  ArraysSnapshot frozen;  // the arrays baked in as constants (static_params: the parameters too), as they were
  TreeSnapshot tree;      // the block tree it was compiled from
  mutable EpochStamp checked;  // the structure epoch at which `tree` was last found unchanged
  std::string traced_ir;
  // Recorded signatures: the forward graph returns `backward->saved` values after `outputs` of
  // them; `parameter_grads` says which parameters required gradients when it was traced.
  size_t outputs = 0;
  std::shared_ptr<const BackwardPlan> backward;  // null: no gradient flows through the call
  std::vector<Array> backward_baked;             // the constants the backward graph holds
  std::vector<bool> parameter_grads;
};

class HybridState {
 public:
  explicit HybridState(const HybridizeOptions& options) : options_(options) {}

  // Runs `block` on `inputs` (through forward_multi when `multi`, else forward): compiled if a
  // graph for the signature exists, else eagerly while tracing and compiling one (or plain
  // eagerly where the block cannot be compiled).
  std::vector<NDArray> call(Block& block, std::span<const NDArray> inputs, bool multi);
  // A call made under autograd::record() (counted in stats()).
  void count_recorded() { recorded_calls_.fetch_add(1, std::memory_order_relaxed); }

  size_t compile_count() const;
  std::string last_traced_ir() const;
  HybridStats stats() const;
  // Each compiled signature's traced graph with its arguments' names, for export; the
  // parameters the graphs take, by name.
  std::vector<ir::ExportedGraph> exported_graphs(const Block& block, std::vector<std::pair<std::string, Array>>& parameters) const;

 private:
  // The fresh compiled entry for this call, or null.
  CompiledEntry* find(const Invocation& call, uint64_t epoch);
  // Whether `entry`'s block tree is as it was compiled (checked once per structure epoch).
  static bool tree_current(const CompiledEntry& entry, uint64_t epoch);
  // Runs eagerly while tracing; adds the path to `entry` (a new entry when null) and compiles.
  std::vector<NDArray> trace_and_compile(Block& block, const Invocation& call, const std::string& reason,
                                         CompiledEntry* entry = nullptr);
  // A compiled call left its paths at side exit `exit`: complete it on the host.
  std::vector<NDArray> side_exit(Block& block, const Invocation& call, int32_t exit);
  void compile(Block& block, CompiledEntry& entry, const std::string& reason);
  // Compiles a recorded signature's backward from the call just traced; false (after a one-time
  // warning) when it cannot be, and such calls then run eagerly.
  bool compile_backward(Block& block, CompiledEntry& entry, const Tracer& tracer, Trace& trace,
                        std::vector<Shape>& result_shapes, std::span<const NDArray> inputs, std::span<const NDArray> outputs,
                        const Tracer::ParameterFinder& find);
  // A compiled call's outputs, with its tape node when it is recorded.
  static std::vector<NDArray> finish_call(const CompiledEntry& entry, std::span<const NDArray> inputs,
                                          std::vector<NDArray> results);
  void give_up_recording(Block& block, const std::string& why);
  // KILN_DUMP_IR's naming and the graph mode for one of `entry`'s graphs.
  codegen::CompileOptions compile_options(const Block& block, const CompiledEntry& entry,
                                          const std::string& suffix = "") const;
  // The compiled graph's outputs and exit status.
  static std::pair<std::vector<NDArray>, int32_t> run(const CompiledEntry& entry, std::span<const NDArray> inputs);
  std::vector<NDArray> run_eagerly(Block& block, const Invocation& call);
  // The block's own forward (or forward_multi), run eagerly.
  static std::vector<NDArray> run_forward(Block& block, const Invocation& call);

  // Compiled graphs are immutable: calls that find one share the lock; tracing, compiling and
  // evicting take it alone.
  mutable std::shared_mutex mutex_;
  HybridizeOptions options_;
  std::vector<CompiledEntry> cache_;
  size_t compiles_ = 0;
  std::string last_traced_ir_;
  bool eager_only_ = false;    // the forward cannot be compiled (a random draw, ...): it stays eager
  bool warned_bound_ = false;  // the cache bound warning was printed
  bool warned_frozen_ = false;  // the static_params recompile warning was printed
  bool warned_paths_ = false;   // the path bound warning was printed
  bool eager_recording_ = false;  // recorded calls cannot be compiled: they run eagerly
  bool warned_recorded_paths_ = false;  // a recorded call left its one compiled path
  std::atomic<size_t> compiled_calls_{0}, side_exits_{0}, traced_calls_{0}, eager_calls_{0}, recorded_calls_{0};
};

}  // namespace kiln::nn
