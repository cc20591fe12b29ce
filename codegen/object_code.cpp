#include "codegen/object_code.h"

#include <mutex>

#include "codegen/llvm_optimizer.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "runtime/error.h"

namespace kiln::codegen {

namespace {

void initialize_llvm_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// `kiln_call_<name>(void** args)` calling `<name>(args[0], ..., args[n-1])` and storing a
// returned value through args[n]: one signature for every graph, so the host calls any of them
// through a plain function pointer.
void add_packed_entry(llvm::Module& module, const std::string& function) {
  llvm::Function* target = module.getFunction(function);
  if (!target || target->isDeclaration()) throw Error(fmt("codegen: the module defines no function '", function, "'"));
  llvm::LLVMContext& context = module.getContext();
  llvm::IRBuilder<> b(context);
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy()}, false);
  auto* entry = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, packed_entry_name(function), module);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", entry));
  llvm::Value* args = entry->getArg(0);
  auto slot = [&](unsigned i) { return b.CreateLoad(b.getPtrTy(), b.CreateConstInBoundsGEP1_64(b.getPtrTy(), args, i)); };
  std::vector<llvm::Value*> operands;
  for (unsigned i = 0; i < target->arg_size(); ++i) {
    if (!target->getArg(i)->getType()->isPointerTy())
      throw Error(fmt("codegen: argument ", i, " of '", function, "' is not an array's data pointer"));
    operands.push_back(slot(i));
  }
  llvm::Value* result = b.CreateCall(target, operands);
  if (!result->getType()->isVoidTy()) b.CreateStore(result, slot(target->arg_size()));
  b.CreateRetVoid();
}

// kiln's argument attributes (ir/KilnDialect.h) mean nothing to LLVM; left on, the translation
// warns about each one and prints the whole function into the (discarded) warning.
void drop_kiln_argument_attributes(mlir::ModuleOp module) {
  module.walk([](mlir::FunctionOpInterface function) {
    for (unsigned i = 0; i < function.getNumArguments(); ++i) {
      llvm::SmallVector<mlir::NamedAttribute> kept;
      for (mlir::NamedAttribute a : function.getArgAttrs(i))
        if (!a.getName().strref().starts_with("kiln.")) kept.push_back(a);
      function.setArgAttrs(i, kept);
    }
  });
}

// A graph's body is compiled once, as its entry function (lower-kiln-to-linalg gave it bare
// pointer arguments), and not inlined into its packed entry. MLIR's helpers that call the runtime
// through descriptors are private and always inlined. Every function prefers vectors of
// `vector_bits`: with AVX-512 LLVM otherwise prefers 256 bits, and kiln's kernels are shaped for
// the full width.
void prepare_functions(llvm::Module& module, const std::vector<std::string>& packed_entries, int64_t vector_bits) {
  for (const std::string& function : packed_entries) add_packed_entry(module, function);
  std::string bits = std::to_string(vector_bits);
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (f.hasLocalLinkage()) f.addFnAttr(llvm::Attribute::AlwaysInline);
    else if (!f.getName().starts_with(packed_entry_name(""))) f.addFnAttr(llvm::Attribute::NoInline);
    f.addFnAttr("prefer-vector-width", bits);
    f.addFnAttr("min-legal-vector-width", bits);
  }
}

}  // namespace

std::string packed_entry_name(const std::string& function) { return "kiln_call_" + function; }

std::unique_ptr<llvm::TargetMachine> make_target_machine(const std::string& cpu_option) {
  initialize_llvm_target();
  std::string triple = llvm::sys::getDefaultTargetTriple(), error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) throw Error(fmt("codegen: no LLVM target for ", triple, ": ", error));
  std::string cpu = cpu_option.empty() ? llvm::sys::getHostCPUName().str() : cpu_option;
  std::string features;
  if (cpu_option.empty())
    for (const auto& f : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Default));
  if (!machine || !machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    throw Error(fmt("codegen: unknown target CPU '", cpu, "' (try x86-64, x86-64-v2, x86-64-v3, x86-64-v4 or an LLVM CPU name)"));
  return machine;
}

VectorTarget vector_target_of(const llvm::TargetMachine& machine) {
  const llvm::MCSubtargetInfo& cpu = *machine.getMCSubtargetInfo();
  return vector_target_with(cpu.checkFeatures("+avx512f"), cpu.checkFeatures("+avx2"), cpu.checkFeatures("+fma"));
}

std::string emit_object(mlir::ModuleOp module, llvm::TargetMachine& machine, const ObjectOptions& options) {
  drop_kiln_argument_attributes(module);
  mlir::registerBuiltinDialectTranslation(*module.getContext());
  mlir::registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvm_module = mlir::translateModuleToLLVMIR(module, context, options.module_name);
  if (!llvm_module) throw Error("codegen: translation to LLVM IR failed");
  llvm_module->setDataLayout(machine.createDataLayout());
  llvm_module->setTargetTriple(machine.getTargetTriple().str());
  prepare_functions(*llvm_module, options.packed_entries, vector_target_of(machine).lanes * 32);
  if (auto err = optimize_llvm_module(*llvm_module, machine))
    throw Error(fmt("codegen: LLVM optimisation failed: ", llvm::toString(std::move(err))));
  if (options.dump_llvm_ir) {
    std::string text;
    llvm::raw_string_ostream out(text);
    llvm_module->print(out, nullptr);
    options.dump_llvm_ir(text);
  }
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream out(object);
  llvm::legacy::PassManager emit;
  if (machine.addPassesToEmitFile(emit, out, nullptr, llvm::CodeGenFileType::ObjectFile))
    throw Error("codegen: this target cannot emit object files");
  emit.run(*llvm_module);
  return std::string(object.data(), object.size());
}

}  // namespace kiln::codegen
