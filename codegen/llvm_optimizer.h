// The LLVM IR optimisation the JIT and AOT run on a lowered graph. kiln's matmul kernels arrive
// already blocked and vectorised, so what LLVM adds is cleanup and the vectorisation of the
// elementwise loops: a short function pipeline (llvm_optimizer.cpp) gives the code -O1 with the
// vectorisers gave in a third of its time, and the loop unroller (off) added ~40 ms per compile
// for no measurable speed.
#pragma once


namespace llvm {
class Error;
class Module;
class TargetMachine;
}  // namespace llvm

namespace kiln::codegen {

struct LlvmOptimizerOptions {
  int level = 1;  // 0, 2, 3: LLVM's -O pipelines; 1: kiln's kernel cleanup (llvm_optimizer.cpp)
  bool unroll_loops = false;
};

// Optimises `module` in place for `machine`. The always-inliner runs first: object_code.cpp marks
// MLIR's private runtime-call helpers to be inlined where they are called.
llvm::Error optimize_llvm_module(llvm::Module& module, llvm::TargetMachine& machine, LlvmOptimizerOptions options = {});

}  // namespace kiln::codegen
