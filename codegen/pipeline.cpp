#include "codegen/pipeline.h"

#include <mutex>

#include "codegen/lower_kiln_to_linalg.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "passes/passes.h"
#include "runtime/error.h"

namespace kiln::codegen {

const std::vector<Stage>& optimization_stages() {
  static const std::vector<Stage> stages{
      {"optimized", "canonicalize,cse,kiln-transpose-dense-weights,kiln-hoist-parameter-computations,canonicalize,cse"},
  };
  return stages;
}

std::vector<Stage> lowering_stages(const VectorTarget& target) {
  std::string vectorize = fmt("func.func(kiln-vectorize-matmul{lanes=", target.lanes, " registers=", target.registers, "})");
  return {
      {"linalg", "lower-kiln-to-linalg,canonicalize,cse"},
      {"bufferized",
       "one-shot-bufferize{bufferize-function-boundaries "
       "function-boundary-type-conversion=identity-layout-map},"
       "buffer-results-to-out-params{hoist-static-allocs},func.func(kiln-promote-buffers-to-stack),"
       "buffer-deallocation-pipeline"},
      {"vectorized", vectorize + ",canonicalize,cse"},
      {"loops", "convert-linalg-to-loops,canonicalize,cse"},
      {"llvm",
       "expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-math-to-libm,"
       "convert-math-to-llvm,convert-vector-to-llvm,finalize-memref-to-llvm{use-generic-functions},convert-arith-to-llvm,"
       "convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts"},
  };
}

std::string pipeline_text(const std::vector<Stage>& stages) {
  std::string text;
  for (const Stage& stage : stages) text += (text.empty() ? "" : ",") + stage.pipeline;
  return text;
}

void register_passes_and_pipelines() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    mlir::registerAllPasses();
    registerLowerKilnToLinalgPass();
    passes::registerKilnPasses();
    auto pipeline = [](const char* name, const char* description, const std::vector<Stage>& stages) {
      mlir::PassPipelineRegistration<>(name, description, [stages](mlir::OpPassManager& pm) {
        if (mlir::failed(mlir::parsePassPipeline(pipeline_text(stages), pm)))
          throw Error(fmt("codegen: kiln's own pipeline does not parse"));
      });
    };
    pipeline("kiln-optimize", "kiln's optimisation stages (codegen/pipeline.cpp)", optimization_stages());
    pipeline("kiln-lower-to-llvm", "kiln's lowering stages to the LLVM dialect (codegen/pipeline.cpp)",
             lowering_stages());
  });
}

void run_stages(mlir::ModuleOp module, const std::vector<Stage>& stages,
                const std::function<void(const std::string&, mlir::ModuleOp)>& after_stage) {
  register_passes_and_pipelines();
  mlir::MLIRContext* ctx = module.getContext();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  ctx->appendDialectRegistry(registry);

  std::string diagnostics;
  mlir::ScopedDiagnosticHandler capture(ctx, [&](mlir::Diagnostic& d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  for (const Stage& stage : stages) {
    mlir::PassManager pm(ctx);
    std::string error;
    llvm::raw_string_ostream error_stream(error);
    if (mlir::failed(mlir::parsePassPipeline(stage.pipeline, pm, error_stream)))
      throw Error(fmt("codegen: bad pipeline for stage ", stage.name, ": ", error));
    if (mlir::failed(pm.run(module)))
      throw Error(fmt("codegen: stage '", stage.name, "' failed: ", diagnostics));
    if (after_stage) after_stage(stage.name, module);
  }
}

}  // namespace kiln::codegen
