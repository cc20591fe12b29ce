// The pass pipeline from a traced kiln function to the LLVM dialect, in named stages so that
// KILN_DUMP_IR can write the module after each one and kiln-opt can run the same text.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "codegen/graph_mode.h"
#include "codegen/vector_target.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::codegen {

// One pass of a stage, as pipeline text ("canonicalize", "func.func(kiln-vectorize-matmul{...})").
// An optional step only makes code faster; KILN_DISABLE_PASSES=<name>[,<name>] (or `all`) skips
// it by its pass name, so a wrong result can be bisected to one pass.
struct Step {
  std::string pass;  // the pass name: "kiln-vectorize-matmul"
  std::string text;  // its pipeline text
  bool optional = true;
};

struct Stage {
  std::string name;  // "optimized", "linalg", "bufferized", ...
  std::vector<Step> steps;
  // The enabled steps as one pipeline text on a module: kiln-opt
  // --pass-pipeline='builtin.module(<pipeline()>)' runs it.
  std::string pipeline() const;
};

// Whether KILN_DISABLE_PASSES names `pass` (or is `all`). Read once.
bool pass_disabled(const std::string& pass);

// On the kiln dialect: canonicalisation, CSE, weight and activation layouts (inference; the
// activations blocked as oneDNN blocks them for `target`), hoisting of parameter computations.
// The graph's calling convention (which arguments are prepared values) is final after these.
std::vector<Stage> optimization_stages(GraphMode mode = GraphMode::Inference,
                                       const VectorTarget& target = host_vector_target());
// kiln -> linalg/tensor -> bufferized memrefs (results become out-parameters) -> vector kernels
// shaped for `target` -> loops -> LLVM.
std::vector<Stage> lowering_stages(const VectorTarget& target = host_vector_target());

// The stages' pipelines joined into one pipeline text.
std::string pipeline_text(const std::vector<Stage>& stages);

// Runs `stages` on `module`; `after_stage(name, module)` sees the module after each one.
// Throws kiln::Error with the diagnostics if a stage fails.
void run_stages(mlir::ModuleOp module, const std::vector<Stage>& stages,
                const std::function<void(const std::string&, mlir::ModuleOp)>& after_stage = {});

// Registers the upstream passes the stages use, kiln's passes, the lowering pass and two
// pipelines for kiln-opt:
// --kiln-optimize (optimization_stages), --kiln-optimize-training (for training graphs) and
// --kiln-lower-to-llvm (lowering_stages for the host).
void register_passes_and_pipelines();

}  // namespace kiln::codegen
