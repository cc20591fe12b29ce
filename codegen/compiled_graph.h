// CompiledGraph: a traced graph lowered to native code by the JIT, ready to call. MLIR-free.
//
// Thread safety: a CompiledGraph is immutable once compile() returns; run() may be called from
// any number of threads at once (the generated code keeps no state, and run() writes only to the
// caller's output arrays).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/array.h"

namespace kiln::codegen {

struct CompileOptions {
  // When not empty: write the module after each stage and the LLVM IR here, one file each,
  // named <dump_name>.<n>-<stage>.mlir and <dump_name>.5-llvm-ir.ll.
  std::string dump_dir;
  std::string dump_name = "graph";
};

class CompiledGraph {
 public:
  // Lowers and JIT-compiles `graph` for the host CPU. Throws kiln::Error on failure.
  static std::unique_ptr<CompiledGraph> compile(ir::Graph& graph, const CompileOptions& options = {});
  ~CompiledGraph();

  // Calls the native code: `arguments` in the graph's argument order, `results` preallocated with
  // result_shapes(). No allocation, lookup or string work happens here.
  void run(std::span<const Array* const> arguments, std::span<Array* const> results) const;

  size_t num_arguments() const { return argument_ranks_.size(); }
  const std::vector<Shape>& result_shapes() const { return result_shapes_; }
  // Time spent compiling: in total, in the MLIR lowering stages, and in LLVM (optimisation,
  // code generation, linking).
  double compile_ms() const { return compile_ms_; }
  double lowering_ms() const { return lowering_ms_; }
  double llvm_ms() const { return compile_ms_ - lowering_ms_; }

  // The most memref arguments (inputs, parameters and results) and the highest rank run() supports.
  static constexpr size_t kMaxArguments = 64;
  static constexpr size_t kMaxRank = 8;

 private:
  CompiledGraph() = default;
  struct Engine;
  std::unique_ptr<Engine> engine_;
  void (*entry_)(void**) = nullptr;  // the packed C interface of the graph's function
  std::vector<size_t> argument_ranks_;
  std::vector<Shape> result_shapes_;
  double compile_ms_ = 0, lowering_ms_ = 0;
};

}  // namespace kiln::codegen
