// The LLVM IR optimisation the JIT runs on a lowered graph. kiln's matmul kernels arrive already
// blocked and vectorised, so what LLVM adds is cleanup and the vectorisation of the elementwise
// loops: -O1 with the loop and SLP vectorisers gives the -O2 code on the seed MLP in less compile
// time, and the loop unroller (off) added ~40 ms per compile for no measurable speed.
#pragma once

#include <functional>

namespace llvm {
class Error;
class Module;
class TargetMachine;
}  // namespace llvm

namespace kiln::codegen {

struct LlvmOptimizerOptions {
  int level = 1;  // 0..3, as -O
  bool unroll_loops = false;
};

// A transformer for mlir::ExecutionEngineOptions. `machine` must outlive it.
std::function<llvm::Error(llvm::Module*)> make_llvm_optimizer(llvm::TargetMachine* machine,
                                                               LlvmOptimizerOptions options = {});

}  // namespace kiln::codegen
