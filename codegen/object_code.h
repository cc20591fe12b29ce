// Object code for a lowered graph: the LLVM-dialect module translated to LLVM IR, optimised
// (llvm_optimizer.h) and compiled by one TargetMachine. The JIT links the object in-process
// (jit_module.h), the disk cache keeps its bytes, kiln-compile links it into a shared library:
// all three run this one path, so cached, JIT-compiled and AOT code are made the same way.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codegen/vector_target.h"
#include "mlir/IR/BuiltinOps.h"

namespace llvm {
class TargetMachine;
}

namespace kiln::codegen {

// A target machine for `cpu` (an LLVM CPU name such as "x86-64-v3"), or for the host with every
// feature it reports when `cpu` is empty. Position-independent code, so the object links into a
// shared library as well as into the JIT. Throws kiln::Error for an unknown CPU.
std::unique_ptr<llvm::TargetMachine> make_target_machine(const std::string& cpu = "");
// The vector unit `machine` generates code for (what lowering_stages() shapes kernels for).
VectorTarget vector_target_of(const llvm::TargetMachine& machine);

struct ObjectOptions {
  std::string module_name = "kiln_graph";
  // Functions that get a packed entry `kiln_call_<name>(void** args)`: args[i] is the i-th
  // argument of `_mlir_ciface_<name>` (a memref descriptor's address), and, when the function
  // returns a value, args[n] is where it is stored. The JIT calls graphs through these.
  std::vector<std::string> packed_entries;
  // Sees the optimised LLVM IR as text when set.
  std::function<void(const std::string&)> dump_llvm_ir;
};

// Compiles `module` (LLVM dialect) to an ELF object for `machine`. Throws kiln::Error on failure.
std::string emit_object(mlir::ModuleOp module, llvm::TargetMachine& machine, const ObjectOptions& options);

// The packed entry's symbol for `function`.
std::string packed_entry_name(const std::string& function);

}  // namespace kiln::codegen
