#include "codegen/jit_module.h"

#include <filesystem>
#include <mutex>
#include <unistd.h>

#include "codegen/llvm_optimizer.h"
#include "codegen/vector_target.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/c_abi.h"
#include "runtime/error.h"
#include "runtime/file_io.h"

namespace kiln::codegen {
namespace {

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

template <class T>
T take(llvm::Expected<T> value, const char* what) {
  if (!value) throw Error(fmt("codegen: ", what, ": ", llvm::toString(value.takeError())));
  return std::move(*value);
}

// What generated code calls in kiln's runtime (runtime/c_abi.h).
llvm::orc::SymbolMap runtime_symbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, auto* fn) {
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn), llvm::JITSymbolFlags::Exported};
  };
  add("_mlir_ciface_kiln_rt_fully_connected", &_mlir_ciface_kiln_rt_fully_connected);
  add("_mlir_ciface_kiln_rt_fully_connected_no_bias", &_mlir_ciface_kiln_rt_fully_connected_no_bias);
  add("_mlir_ciface_kiln_rt_dot", &_mlir_ciface_kiln_rt_dot);
  add("_mlir_ciface_kiln_rt_transpose_2d", &_mlir_ciface_kiln_rt_transpose_2d);
  add("_mlir_memref_to_llvm_alloc", &kiln_rt_alloc);
  add("_mlir_memref_to_llvm_aligned_alloc", &kiln_rt_aligned_alloc);
  add("_mlir_memref_to_llvm_free", &kiln_rt_free);
  return symbols;
}

}  // namespace

JitModule::~JitModule() = default;

std::unique_ptr<JitModule> JitModule::compile(mlir::ModuleOp module,
                                              const std::function<void(const std::string&)>& dump_llvm_ir,
                                              bool keep_object) {
  initialize_llvm();
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  // The optimiser needs the host's target machine: without it LLVM's vectorisers see no vector
  // registers. Keep the transformer alive: ExecutionEngineOptions holds only a reference to it.
  auto machine = take(take(llvm::orc::JITTargetMachineBuilder::detectHost(), "host").createTargetMachine(),
                      "target machine");
  std::function<llvm::Error(llvm::Module*)> optimize = make_llvm_optimizer(machine.get());
  std::function<llvm::Error(llvm::Module*)> transform = [&](llvm::Module* m) -> llvm::Error {
    mark_functions(*m, host_vector_target().lanes * 32);
    if (auto err = optimize(m)) return err;
    if (dump_llvm_ir) {
      std::string text;
      llvm::raw_string_ostream out(text);
      m->print(out, nullptr);
      dump_llvm_ir(text);
    }
    return llvm::Error::success();
  };
  mlir::ExecutionEngineOptions options;
  options.transformer = transform;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  options.enableObjectDump = keep_object;
  llvm::StringRef runtime_libraries[] = {KILN_MLIR_C_RUNNER_UTILS};
  options.sharedLibPaths = runtime_libraries;
  std::unique_ptr<JitModule> jit(new JitModule());
  jit->engine_ = take(mlir::ExecutionEngine::create(module, options), "JIT compilation failed");
  jit->engine_->registerSymbols(runtime_symbols);
  return jit;
}

std::string JitModule::object() const {
  if (!engine_) throw Error("codegen: only a module compiled here has its object code at hand");
  auto path = std::filesystem::temp_directory_path() / fmt("kiln-object-", ::getpid(), "-", this, ".o");
  engine_->dumpToObjectFile(path.string());  // the ExecutionEngine writes files only
  std::string bytes = file_io::read(path.string(), "compile cache");
  std::filesystem::remove(path);
  return bytes;
}

std::unique_ptr<JitModule> JitModule::load(const std::string& object) {
  initialize_llvm();
  std::unique_ptr<JitModule> jit(new JitModule());
  auto builder = take(llvm::orc::JITTargetMachineBuilder::detectHost(), "host");
  jit->jit_ = take(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(builder)).create(), "JIT");
  llvm::orc::JITDylib& dylib = jit->jit_->getMainJITDylib();
  char prefix = jit->jit_->getDataLayout().getGlobalPrefix();
  dylib.addGenerator(take(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix), "process symbols"));
  dylib.addGenerator(take(llvm::orc::DynamicLibrarySearchGenerator::Load(KILN_MLIR_C_RUNNER_UTILS, prefix),
                          "MLIR's C runner utilities"));
  llvm::orc::MangleAndInterner interner(jit->jit_->getExecutionSession(), jit->jit_->getDataLayout());
  if (auto err = dylib.define(llvm::orc::absoluteSymbols(runtime_symbols(interner))))
    throw Error(fmt("codegen: ", llvm::toString(std::move(err))));
  if (auto err = jit->jit_->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "kiln-cached-graph")))
    throw Error(fmt("codegen: cannot load the cached object: ", llvm::toString(std::move(err))));
  return jit;
}

JitModule::PackedFunction JitModule::lookup(const std::string& function) {
  std::string name = "_mlir_ciface_" + function;
  if (engine_) {
    auto fn = engine_->lookupPacked(name);
    if (!fn) throw Error(fmt("codegen: no entry point ", function, ": ", llvm::toString(fn.takeError())));
    return *fn;
  }
  auto address = jit_->lookup("_mlir_" + name);  // the packed wrapper ExecutionEngine generated
  if (!address) throw Error(fmt("codegen: no entry point ", function, ": ", llvm::toString(address.takeError())));
  return address->toPtr<PackedFunction>();
}

}  // namespace kiln::codegen
