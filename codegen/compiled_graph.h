// CompiledGraph: a traced graph lowered to native code by the JIT, ready to call. MLIR-free.
//
// If kiln-hoist-parameter-computations moved work on parameters out of the graph (pre-transposed
// weights), the CompiledGraph also holds that work's results, computed by the generated
// `<name>_prepare` function and recomputed only when a parameter's data version changes.
//
// Thread safety: the compiled code and the calling convention are immutable once compile()
// returns; run() may be called from any number of threads at once. The prepared values are the
// one mutable part and are guarded internally: many calls share them, and a call that finds a
// parameter changed recomputes them alone.
#pragma once

#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "codegen/graph_mode.h"
#include "ir/graph.h"
#include "runtime/array.h"
#include "runtime/array_snapshot.h"

namespace kiln::codegen {

struct CompileOptions {
  // When not empty: write the module after each stage and the LLVM IR here, one file each,
  // named <dump_name>.<n>-<stage>.mlir and <dump_name>.<n>-llvm-ir.ll.
  std::string dump_dir;
  std::string dump_name = "graph";
  GraphMode mode = GraphMode::Inference;  // which optimisation stages run (codegen/pipeline.h)
};

class JitModule;

class CompiledGraph {
 public:
  // Optimises, lowers and JIT-compiles `graph` for the host CPU. Throws kiln::Error on failure.
  static std::unique_ptr<CompiledGraph> compile(ir::Graph& graph, const CompileOptions& options = {});
  ~CompiledGraph();

  // Gives the graph its parameter arguments, in the graph's order, once: the graph holds them and
  // reads their current values on every run() (a caller that replaces a parameter's array binds
  // again). Throws kiln::Error if the count or a shape is wrong. Not concurrent with run().
  void bind_parameters(std::vector<Array> parameters);
  // Calls the native code: `inputs` (the graph's non-parameter arguments, in order), `results`
  // preallocated with result_shapes(). Arguments the graph updates in place
  // (ir::Graph::add_update; updated_arguments()) are written, and their data version moves: the
  // caller must not share them with a concurrent call. No allocation, lookup or string work happens here, and no
  // per-parameter work while no watched array was written (runtime/array_snapshot.h); a changed
  // parameter recomputes the prepared values first. Returns the graph's exit status (ir::Graph):
  // 0 when it ran to the end, else the side exit taken; always 0 for a graph without one.
  int32_t run(std::span<const Array* const> inputs, std::span<Array* const> results) const;

  size_t num_inputs() const { return argument_kinds_.size() - parameter_shapes_.size(); }
  size_t num_parameters() const { return parameter_shapes_.size(); }
  // The arrays bind_parameters() gave, in order.
  const std::vector<Array>& parameters() const { return parameters_; }
  const std::vector<Shape>& result_shapes() const { return result_shapes_; }
  // The positions (among all arguments, parameters included) of those updated in place.
  const std::vector<size_t>& updated_arguments() const { return updated_arguments_; }
  // How many values the prepare function computes (0: the graph has none), and how many times it
  // has run.
  size_t num_prepared() const { return prepared_shapes_.size(); }
  size_t prepare_count() const;
  // Time spent compiling: in total, in the MLIR stages, and in LLVM (optimisation, code
  // generation, linking).
  double compile_ms() const { return compile_ms_; }
  double lowering_ms() const { return lowering_ms_; }
  double llvm_ms() const { return compile_ms_ - lowering_ms_; }
  // Whether the code came from the disk cache (codegen/compile_cache.h) rather than a compile.
  bool from_cache() const { return from_cache_; }

  // How many arrays a call passes without allocating (more are fine: their list goes on the
  // heap), and the highest rank a compiled graph accepts. Arrays cross as bare data pointers, so
  // the rank bound is not the call's: it bounds what a cached interface may record, which
  // read_interface checks.
  static constexpr size_t kInlineArguments = 64;
  static constexpr size_t kMaxRank = 8;

 private:
  using PackedFunction = void (*)(void**);  // kiln_call_<name> (codegen/object_code.h)
  enum class ArgumentKind { Input, Parameter };

  CompiledGraph() = default;
  // The calling convention and the object's data layout as text, for the disk cache, and back;
  // false if the text is malformed.
  std::string interface() const;
  bool read_interface(const std::string& text, bool& has_prepare, std::string& data_layout);
  // Whether the prepared values were computed from the bound parameters as they are now.
  bool prepared_current() const { return !prepared_.empty() && prepared_from_.unchanged(); }
  void prepare() const;
  // Where each updated argument comes from in a call, and (after one) moving their versions.
  void locate_updates();
  void mark_updated(std::span<const Array* const> inputs) const;

  std::unique_ptr<JitModule> jit_;
  PackedFunction forward_ = nullptr;
  PackedFunction prepare_ = nullptr;  // null when nothing was hoisted
  bool has_status_ = false;           // forward returns an i32 exit status
  std::vector<ArgumentKind> argument_kinds_;
  std::vector<Shape> parameter_shapes_;  // of the Parameter arguments, in order
  std::vector<Shape> prepared_shapes_;
  std::vector<Shape> result_shapes_;
  std::vector<size_t> updated_arguments_;
  struct Update {
    bool parameter;  // a bound parameter, else an input
    size_t index;    // among those
  };
  std::vector<Update> updates_;
  double compile_ms_ = 0, lowering_ms_ = 0;
  bool from_cache_ = false;

  std::vector<Array> parameters_;             // bind_parameters()
  std::vector<const float*> parameter_data_;  // and their data, which an array never moves
  // The parameters the prepare function reads (their positions, and the bound arrays): only a
  // write to one of these makes the prepared values stale — not the graph's own in-place updates
  // of others, such as BatchNorm's running averages.
  std::vector<size_t> prepare_reads_;
  std::vector<Array> prepare_inputs_;

  mutable std::shared_mutex prepared_mutex_;
  mutable std::vector<Array> prepared_;
  mutable std::vector<const float*> prepared_data_;  // their data, passed by every call
  mutable ArraysSnapshot prepared_from_;  // prepare_inputs_ as the prepared values were computed
  mutable size_t prepare_count_ = 0;
};

}  // namespace kiln::codegen
