// The LLVM IR optimisation the JIT and AOT run on a lowered graph. kiln's matmul kernels arrive
// already blocked and vectorised, so what LLVM adds is cleanup and the vectorisation of the
// elementwise loops: a short function pipeline (llvm_optimizer.cpp) gives the code -O1 with the
// vectorisers gave in a third of its time, and the loop unroller (off) added ~40 ms per compile
// for no measurable speed.
#pragma once

#include <cstdint>
#include <functional>

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

// Marks the module's functions as both the JIT and AOT compile them: vectors of `vector_bits`
// (with AVX-512, LLVM otherwise prefers 256 bits, while kiln's kernels are shaped for the full
// width), and the graph's body compiled once rather than inlined into its C-interface wrappers.
void mark_functions(llvm::Module& module, int64_t vector_bits);

// Optimises a module in place for `machine`, which must outlive the returned function.
std::function<llvm::Error(llvm::Module*)> make_llvm_optimizer(llvm::TargetMachine* machine,
                                                               LlvmOptimizerOptions options = {});

}  // namespace kiln::codegen
