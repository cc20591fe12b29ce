#include "codegen/llvm_optimizer.h"

#include "llvm/IR/Module.h"
#include "llvm/Passes/OptimizationLevel.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln::codegen {

namespace {
// Level 1: what kiln's lowered graphs need from LLVM, and no more. Their kernels arrive blocked
// and vectorised and their bodies are not inlined, so the interprocedural half of -O1
// (IPSCCP, attribute inference, the inliner, global optimisation) finds nothing to do; what pays
// is cleanup (SROA, EarlyCSE, InstCombine, SimplifyCFG, LICM) and vectorising the elementwise
// loops. A third of -O1's time on the seed MLP (6 ms against 19 in one run).
constexpr const char* kKernelCleanupPipeline =
    "always-inline,function(sroa,early-cse,instcombine<no-verify-fixpoint>,simplifycfg,loop-mssa(licm),loop-simplify,lcssa,"
    "loop-rotate,loop-vectorize,slp-vectorizer,instcombine<no-verify-fixpoint>,simplifycfg)";
}  // namespace

llvm::Error optimize_llvm_module(llvm::Module& module, llvm::TargetMachine& machine, LlvmOptimizerOptions options) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = options.unroll_loops;
  tuning.LoopInterleaving = options.unroll_loops;
  tuning.LoopVectorization = options.level >= 1;
  tuning.SLPVectorization = options.level >= 1;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  static const llvm::OptimizationLevel levels[] = {llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1,
                                                   llvm::OptimizationLevel::O2, llvm::OptimizationLevel::O3};
  llvm::OptimizationLevel level = levels[std::clamp(options.level, 0, 3)];
  llvm::ModulePassManager pipeline;
  if (options.level == 1) {
    if (auto err = builder.parsePassPipeline(pipeline, kKernelCleanupPipeline)) return err;
  } else {
    pipeline = level == llvm::OptimizationLevel::O0 ? builder.buildO0DefaultPipeline(level)
                                                    : builder.buildPerModuleDefaultPipeline(level);
  }
  pipeline.run(module, modules);
  return llvm::Error::success();
}

}  // namespace kiln::codegen
