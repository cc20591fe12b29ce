// The native code of one compiled graph: compiled from the LLVM dialect by MLIR's
// ExecutionEngine, or loaded from an object file (the disk cache) into an ORC LLJIT. Either way
// the runtime's C ABI (runtime/c_abi.h) is linked in and functions are found by name once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "mlir/IR/BuiltinOps.h"

namespace llvm::orc {
class LLJIT;
}
namespace mlir {
class ExecutionEngine;
}

namespace kiln::codegen {

class JitModule {
 public:
  using PackedFunction = void (*)(void**);  // MLIR's packed C interface

  // Optimises and compiles `module` (LLVM dialect) for the host CPU. `dump_llvm_ir` sees the
  // optimised LLVM IR when set; with `keep_object`, object() gives the object code after the
  // first lookup (which is when the module is compiled).
  static std::unique_ptr<JitModule> compile(mlir::ModuleOp module, const std::function<void(const std::string&)>& dump_llvm_ir,
                                            bool keep_object);
  // Links an object file from compile(..., keep_object = true). Throws kiln::Error if it cannot.
  static std::unique_ptr<JitModule> load(const std::string& object);
  ~JitModule();

  // The packed C-interface entry of `function` ("forward" -> _mlir__mlir_ciface_forward).
  PackedFunction lookup(const std::string& function);
  std::string object() const;

 private:
  JitModule() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
};

}  // namespace kiln::codegen
