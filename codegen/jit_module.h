// The native code of one compiled graph, linked into the process: an object file (compiled here
// by object_code.h, or read from the disk cache) in its own JITDylib of one process-wide ORC
// LLJIT, with the runtime's C ABI (runtime/c_abi.h) linked in. Functions are found by name once.
// Destroying a JitModule removes its code from the JIT; the JIT itself lives as long as the
// process, so a graph costs no JIT setup or teardown.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"

namespace llvm::orc {
class JITDylib;
}

namespace kiln::codegen {

class JitModule {
 public:
  using PackedFunction = void (*)(void**);  // object_code.h's packed entry

  // Compiles `module` (LLVM dialect) for the host CPU with packed entries for `entries`, and links
  // it. `dump_llvm_ir` sees the optimised LLVM IR when set.
  static std::unique_ptr<JitModule> compile(mlir::ModuleOp module, const std::vector<std::string>& entries,
                                            const std::function<void(const std::string&)>& dump_llvm_ir);
  // Links an object file from compile() (object()), built for `data_layout` (data_layout()).
  // Builds no target machine: a process that only loads cached objects never needs one. Throws
  // kiln::Error if it cannot link the object, or if the JIT links for another data layout.
  static std::unique_ptr<JitModule> load(std::string object, const std::string& data_layout);
  ~JitModule();
  JitModule(const JitModule&) = delete;
  JitModule& operator=(const JitModule&) = delete;

  // The packed entry of `function`. Throws kiln::Error if the object has none.
  PackedFunction lookup(const std::string& function);
  // The object code, and the data layout it was built for, as the disk cache stores them.
  const std::string& object() const { return object_; }
  const std::string& data_layout() const { return data_layout_; }

 private:
  JitModule() = default;
  llvm::orc::JITDylib* dylib_ = nullptr;
  std::string object_;
  std::string data_layout_;
};

}  // namespace kiln::codegen
