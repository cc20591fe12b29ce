#include "codegen/pipeline.h"

#include <chrono>
#include <cstdlib>
#include <mutex>

#include "codegen/lower_kiln_to_linalg.h"
#include "codegen/pass_log.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "passes/passes.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::codegen {

namespace {

Step optional(const std::string& pass, const std::string& text = "") { return {pass, text.empty() ? pass : text, true}; }
Step required(const std::string& pass, const std::string& text = "") { return {pass, text.empty() ? pass : text, false}; }

// Each stage ends with canonicalisation and CSE, which also fold constants.
std::vector<Step> cleanup() { return {optional("canonicalize"), optional("cse")}; }

std::vector<Step> concat(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

bool pass_disabled(const std::string& pass) {
  static const std::vector<std::string> disabled = [] {
    std::vector<std::string> names;
    const char* text = std::getenv("KILN_DISABLE_PASSES");
    for (std::string list = text ? text : ""; !list.empty();) {
      size_t comma = list.find(',');
      names.push_back(list.substr(0, comma));
      list = comma == std::string::npos ? "" : list.substr(comma + 1);
    }
    return names;
  }();
  for (const std::string& name : disabled)
    if (name == pass || name == "all") return true;
  return false;
}

std::string Stage::pipeline() const {
  std::string text;
  for (const Step& step : steps)
    if (!step.optional || !pass_disabled(step.pass)) text += (text.empty() ? "" : ",") + step.text;
  return text;
}

std::vector<Stage> optimization_stages(GraphMode mode, const VectorTarget& target) {
  // A training step changes every parameter: a pre-transposed weight would be transposed again
  // on every step, costing a pass over the weight to save less than that in the product.
  if (mode == GraphMode::Training)
    return {{"optimized", concat(concat(cleanup(), {optional("kiln-hoist-parameter-computations")}), cleanup())}};
  // oneDNN blocks activations by a vector register's floats (8 with AVX2, 16 with AVX-512).
  std::vector<Step> layouts{optional("kiln-transpose-dense-weights"), optional("kiln-fold-batch-norm"),
                            optional("kiln-pack-conv-weights"),
                            optional("kiln-fuse-conv-activation", "func.func(kiln-fuse-conv-activation)")};
  if (target.lanes == 8 || target.lanes == 16)
    layouts.push_back(
        optional("kiln-keep-blocked-layout", fmt("func.func(kiln-keep-blocked-layout{block=", target.lanes, "})")));
  // CSE before hoisting: a weight used twice is transposed once, and prepare returns each value
  // once (buffer-results-to-out-params cannot return one buffer twice).
  layouts.insert(layouts.end(), {optional("cse"), optional("kiln-hoist-parameter-computations")});
  return {{"optimized", concat(concat(cleanup(), layouts), cleanup())}};
}

std::vector<Stage> lowering_stages(const VectorTarget& target) {
  std::string vectorize = fmt("func.func(kiln-vectorize-matmul{lanes=", target.lanes, " registers=", target.registers, "})");
  return {
      {"linalg", concat({required("lower-kiln-to-linalg"), optional("linalg-fuse-elementwise-ops")}, cleanup())},
      {"bufferized",
       {optional("kiln-compute-updates-in-place", "func.func(kiln-compute-updates-in-place)"),
        required("one-shot-bufferize",
                 "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map "
                 "allow-return-allocs-from-loops}"),
        required("kiln-drop-updated-results", "func.func(kiln-drop-updated-results)"),
        optional("kiln-fuse-product-updates"),
        required("kiln-distinct-results", "func.func(kiln-distinct-results)"),
        required("buffer-results-to-out-params", "buffer-results-to-out-params{hoist-static-allocs}"),
        optional("buffer-hoisting", "func.func(buffer-hoisting)"), optional("buffer-loop-hoisting", "func.func(buffer-loop-hoisting)"),
        optional("kiln-plan-buffers", "func.func(kiln-plan-buffers)"),
        required("buffer-deallocation-pipeline")}},
      {"vectorized", concat({optional("kiln-vectorize-matmul", vectorize)}, cleanup())},
      // No cleanup after this: canonicalize and CSE found nothing here on any workload (at most a
      // few ops that LLVM removes anyway) and cost ~1 ms a compile.
      {"loops", {required("convert-linalg-to-loops"), optional("kiln-approximate-exp", "func.func(kiln-approximate-exp)")}},
      {"llvm",
       {required("expand-strided-metadata"), required("lower-affine"), required("convert-scf-to-cf"),
        required("convert-math-to-libm"), required("convert-math-to-llvm"), required("convert-vector-to-llvm"),
        required("finalize-memref-to-llvm", "finalize-memref-to-llvm{use-generic-functions}"),
        required("convert-arith-to-llvm"), required("convert-func-to-llvm"), required("convert-cf-to-llvm"),
        required("reconcile-unrealized-casts")}},
  };
}

std::string pipeline_text(const std::vector<Stage>& stages) {
  std::string text;
  for (const Stage& stage : stages) {
    std::string part = stage.pipeline();
    if (!part.empty()) text += (text.empty() ? "" : ",") + part;
  }
  return text;
}

namespace {
// The upstream passes the stages above name, and only those: registering all of MLIR's passes
// cost ~2.3 ms of every process's first compile. kiln-opt registers the rest for tests.
void register_upstream_passes() {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerLinalgElementwiseOpFusionPassPass();
  mlir::bufferization::registerOneShotBufferizePass();
  mlir::bufferization::registerBufferResultsToOutParamsPass();
  mlir::bufferization::registerBufferHoistingPass();
  mlir::bufferization::registerBufferLoopHoistingPass();
  mlir::bufferization::registerBufferizationPipelines();  // buffer-deallocation-pipeline
  mlir::registerConvertLinalgToLoopsPassPass();
  mlir::memref::registerExpandStridedMetadataPass();
  mlir::registerConvertAffineToStandardPass();
  mlir::registerSCFToControlFlowPass();
  mlir::registerConvertMathToLibmPass();
  mlir::registerConvertMathToLLVMPassPass();
  mlir::registerConvertVectorToLLVMPassPass();
  mlir::registerFinalizeMemRefToLLVMConversionPassPass();
  mlir::registerArithToLLVMConversionPassPass();
  mlir::registerConvertFuncToLLVMPassPass();
  mlir::registerConvertControlFlowToLLVMPassPass();
  mlir::registerReconcileUnrealizedCastsPass();
}
}  // namespace

void register_passes_and_pipelines() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    register_upstream_passes();
    registerLowerKilnToLinalgPass();
    passes::registerKilnPasses();
    auto pipeline = [](const char* name, const char* description, const std::vector<Stage>& stages) {
      mlir::PassPipelineRegistration<>(name, description, [stages](mlir::OpPassManager& pm) {
        if (mlir::failed(mlir::parsePassPipeline(pipeline_text(stages), pm)))
          throw Error(fmt("codegen: kiln's own pipeline does not parse"));
      });
    };
    pipeline("kiln-optimize", "kiln's optimisation stages (codegen/pipeline.cpp)", optimization_stages());
    pipeline("kiln-optimize-training", "kiln's optimisation stages for training graphs (codegen/pipeline.cpp)",
             optimization_stages(GraphMode::Training));
    pipeline("kiln-lower-to-llvm", "kiln's lowering stages to the LLVM dialect (codegen/pipeline.cpp)",
             lowering_stages());
  });
}

void run_stages(mlir::ModuleOp module, const std::vector<Stage>& stages,
                const std::function<void(const std::string&, mlir::ModuleOp)>& after_stage) {
  register_passes_and_pipelines();
  mlir::MLIRContext* ctx = module.getContext();
  // One thread: graphs are small, a 2-core host gains nothing from the pool, and pass
  // statistics and logs stay in order.
  ctx->disableMultithreading();
  // Every dialect and extension (bufferization models, ...) the stages may load, built once.
  static const mlir::DialectRegistry registry = [] {
    mlir::DialectRegistry all;
    mlir::registerAllDialects(all);
    mlir::registerAllExtensions(all);
    return all;
  }();
  ctx->appendDialectRegistry(registry);

  std::string diagnostics;
  mlir::ScopedDiagnosticHandler capture(ctx, [&](mlir::Diagnostic& d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  bool log_passes = log::enabled("passes");
  static const bool verify_each_pass = std::getenv("KILN_VERIFY_EACH_PASS") != nullptr;
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  for (const Stage& stage : stages) {
    Clock::time_point started = Clock::now();
    mlir::PassManager pm(ctx);
    // Verifying after every pass was half the MLIR time of a compile, and verifying after every
    // stage a tenth; the module is verified once, after the last stage. kiln-opt (and so every
    // FileCheck test of the pipelines) verifies after each pass, as KILN_VERIFY_EACH_PASS=1 does
    // here to debug a pass.
    bool last = &stage == &stages.back();
    pm.enableVerifier(verify_each_pass);
    std::string error;
    llvm::raw_string_ostream error_stream(error);
    if (mlir::failed(mlir::parsePassPipeline(stage.pipeline(), pm, error_stream)))
      throw Error(fmt("codegen: bad pipeline for stage ", stage.name, ": ", error));
    PassLog* pass_log = nullptr;
    if (log_passes) {
      auto owned = std::make_unique<PassLog>();
      pass_log = owned.get();
      pm.addInstrumentation(std::move(owned));
    }
    double parse_ms = ms_since(started);
    Clock::time_point running = Clock::now();
    if (mlir::failed(pm.run(module)))
      throw Error(fmt("codegen: stage '", stage.name, "' failed: ", diagnostics));
    double run_ms = ms_since(running);
    Clock::time_point verifying = Clock::now();
    if (last && !verify_each_pass && mlir::failed(mlir::verify(module)))
      throw Error(fmt("codegen: stage '", stage.name, "' produced invalid IR: ", diagnostics));
    if (pass_log) {
      pass_log->print(stage.name);
      log::print(fmt("stage ", stage.name, ": ", ms_since(started), " ms (pipeline set-up ", parse_ms, ", run ", run_ms,
                     ", verify ", ms_since(verifying), ")"));
    }
    if (after_stage) after_stage(stage.name, module);
  }
}

}  // namespace kiln::codegen
