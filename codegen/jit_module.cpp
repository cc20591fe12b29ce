#include "codegen/jit_module.h"

#include <atomic>

#include "codegen/object_code.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "runtime/c_abi.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::codegen {
namespace {

template <class T>
T take(llvm::Expected<T> value, const char* what) {
  if (!value) throw Error(fmt("codegen: ", what, ": ", llvm::toString(value.takeError())));
  return std::move(*value);
}

void check(llvm::Error error, const char* what) {
  if (error) throw Error(fmt("codegen: ", what, ": ", llvm::toString(std::move(error))));
}

// What generated code calls in kiln's runtime (runtime/c_abi.h), under the names MLIR's
// lowering gives the calls.
llvm::orc::SymbolMap runtime_symbols(llvm::orc::MangleAndInterner& interner) {
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, auto* fn) {
    symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn), llvm::JITSymbolFlags::Exported};
  };
  add("_mlir_ciface_kiln_rt_fully_connected", &_mlir_ciface_kiln_rt_fully_connected);
  add("_mlir_ciface_kiln_rt_fully_connected_no_bias", &_mlir_ciface_kiln_rt_fully_connected_no_bias);
  add("_mlir_ciface_kiln_rt_dot", &_mlir_ciface_kiln_rt_dot);
  add("_mlir_ciface_kiln_rt_dot_accumulate", &_mlir_ciface_kiln_rt_dot_accumulate);
  add("_mlir_ciface_kiln_rt_transpose_2d", &_mlir_ciface_kiln_rt_transpose_2d);
  add("_mlir_ciface_kiln_rt_conv2d", &_mlir_ciface_kiln_rt_conv2d);
  add("_mlir_ciface_kiln_rt_conv2d_no_bias", &_mlir_ciface_kiln_rt_conv2d_no_bias);
  add("_mlir_ciface_kiln_rt_conv2d_backward_data", &_mlir_ciface_kiln_rt_conv2d_backward_data);
  add("_mlir_ciface_kiln_rt_conv2d_backward_weights", &_mlir_ciface_kiln_rt_conv2d_backward_weights);
  add("_mlir_ciface_kiln_rt_conv2d_pack_weights", &_mlir_ciface_kiln_rt_conv2d_pack_weights);
  add("_mlir_ciface_kiln_rt_conv2d_packed_in_layouts", &_mlir_ciface_kiln_rt_conv2d_packed_in_layouts);
  add("_mlir_ciface_kiln_rt_conv2d_packed_in_layouts_no_bias", &_mlir_ciface_kiln_rt_conv2d_packed_in_layouts_no_bias);
  add("_mlir_ciface_kiln_rt_conv2d_packed_activated", &_mlir_ciface_kiln_rt_conv2d_packed_activated);
  add("_mlir_ciface_kiln_rt_conv2d_packed_activated_no_bias", &_mlir_ciface_kiln_rt_conv2d_packed_activated_no_bias);
  add("_mlir_ciface_kiln_rt_reorder_activations", &_mlir_ciface_kiln_rt_reorder_activations);
  add("_mlir_ciface_kiln_rt_max_pool2d", &_mlir_ciface_kiln_rt_max_pool2d);
  add("_mlir_ciface_kiln_rt_max_pool2d_backward", &_mlir_ciface_kiln_rt_max_pool2d_backward);
  add("_mlir_ciface_kiln_rt_avg_pool2d", &_mlir_ciface_kiln_rt_avg_pool2d);
  add("_mlir_ciface_kiln_rt_pool2d_in_layout", &_mlir_ciface_kiln_rt_pool2d_in_layout);
  add("_mlir_ciface_kiln_rt_avg_pool2d_backward", &_mlir_ciface_kiln_rt_avg_pool2d_backward);
  add("_mlir_ciface_kiln_rt_batch_norm_stats", &_mlir_ciface_kiln_rt_batch_norm_stats);
  add("_mlir_ciface_kiln_rt_batch_norm", &_mlir_ciface_kiln_rt_batch_norm);
  add("_mlir_ciface_kiln_rt_batch_norm_backward", &_mlir_ciface_kiln_rt_batch_norm_backward);
  add("_mlir_ciface_kiln_rt_batch_norm_scale_shift_grad", &_mlir_ciface_kiln_rt_batch_norm_scale_shift_grad);
  add("_mlir_ciface_kiln_rt_random_uniform", &_mlir_ciface_kiln_rt_random_uniform);
  add("_mlir_ciface_kiln_rt_random_normal", &_mlir_ciface_kiln_rt_random_normal);
  add("_mlir_memref_to_llvm_alloc", &kiln_rt_alloc);
  add("_mlir_memref_to_llvm_aligned_alloc", &kiln_rt_aligned_alloc);
  add("_mlir_memref_to_llvm_free", &kiln_rt_free);
  add("memrefCopy", &kiln_rt_memref_copy);
  return symbols;
}

// The host's target machine, one per thread: code generation mutates it, and building one (with
// its subtarget's lowering tables) is a cost worth paying once.
llvm::TargetMachine& host_machine() {
  thread_local std::unique_ptr<llvm::TargetMachine> machine = make_target_machine();
  return *machine;
}

// The JIT only links objects (compiled by object_code.h); this stands in for the IR compiler an
// LLJIT would otherwise build, with target machines of its own, at creation.
class ObjectsOnly : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  ObjectsOnly() : IRCompiler(llvm::orc::IRSymbolMapper::ManglingOptions()) {}
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module&) override {
    return llvm::make_error<llvm::StringError>("kiln's JIT links object files only", llvm::inconvertibleErrorCode());
  }
};

// One LLJIT for the process: its main JITDylib holds the runtime's symbols and sees the
// process's (libm, memcpy); each graph's object gets a JITDylib of its own that links against it.
// Never destroyed: a graph held in static storage may be destroyed after any other static.
struct ProcessJit {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::atomic<uint64_t> next_dylib{0};
};

// Created when the first graph is linked, with the data layout its object was built for (for a
// cached object, read from the cache: computing it costs a target machine). Later callers pass
// no layout.
ProcessJit& process_jit(const llvm::DataLayout* first_layout = nullptr) {
  static ProcessJit* instance = [&] {
    if (!first_layout) throw Error("codegen: the JIT was used before any graph was linked");
    const llvm::DataLayout& layout = *first_layout;
    auto* p = new ProcessJit();
    p->jit = take(llvm::orc::LLJITBuilder()
                      .setJITTargetMachineBuilder(take(llvm::orc::JITTargetMachineBuilder::detectHost(), "host"))
                      .setDataLayout(layout)
                      .setCompileFunctionCreator([](llvm::orc::JITTargetMachineBuilder)
                                                     -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                        return std::make_unique<ObjectsOnly>();
                      })
                      .create(),
                  "cannot create the JIT");
    llvm::orc::JITDylib& main = p->jit->getMainJITDylib();
    char prefix = p->jit->getDataLayout().getGlobalPrefix();
    main.addGenerator(take(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(prefix), "process symbols"));
    llvm::orc::MangleAndInterner interner(p->jit->getExecutionSession(), p->jit->getDataLayout());
    check(main.define(llvm::orc::absoluteSymbols(runtime_symbols(interner))), "runtime symbols");
    return p;
  }();
  return *instance;
}

}  // namespace

std::unique_ptr<JitModule> JitModule::compile(mlir::ModuleOp module, const std::vector<std::string>& entries,
                                              const std::function<void(const std::string&)>& dump_llvm_ir) {
  ObjectOptions options;
  options.packed_entries = entries;
  options.dump_llvm_ir = dump_llvm_ir;
  llvm::TargetMachine& machine = host_machine();
  return load(emit_object(module, machine, options), machine.createDataLayout().getStringRepresentation());
}

std::unique_ptr<JitModule> JitModule::load(std::string object, const std::string& data_layout) {
  llvm::DataLayout layout = take(llvm::DataLayout::parse(data_layout), "the object's data layout");
  ProcessJit& p = process_jit(&layout);
  if (p.jit->getDataLayout() != layout)
    throw Error(fmt("codegen: the object was built for data layout '", data_layout, "' but the JIT links for '",
                    p.jit->getDataLayout().getStringRepresentation(), "'"));
  std::unique_ptr<JitModule> jit(new JitModule());
  jit->object_ = std::move(object);
  jit->data_layout_ = data_layout;
  auto created = p.jit->createJITDylib(fmt("kiln-graph-", p.next_dylib++));
  if (!created) throw Error(fmt("codegen: JITDylib: ", llvm::toString(created.takeError())));
  llvm::orc::JITDylib& dylib = *created;
  dylib.addToLinkOrder(p.jit->getMainJITDylib());
  jit->dylib_ = &dylib;
  // The buffer only refers to object_: JITLink copies what it keeps into executable memory.
  auto buffer = llvm::MemoryBuffer::getMemBuffer(jit->object_, "kiln-graph", false);
  check(p.jit->addObjectFile(dylib, std::move(buffer)), "cannot link the object code");
  return jit;
}

JitModule::~JitModule() {
  if (!dylib_) return;
  if (llvm::Error error = process_jit().jit->getExecutionSession().removeJITDylib(*dylib_))
    log::print(fmt("codegen: removing a graph's code from the JIT: ", llvm::toString(std::move(error))));
}

JitModule::PackedFunction JitModule::lookup(const std::string& function) {
  auto address = process_jit().jit->lookup(*dylib_, packed_entry_name(function));
  if (!address) throw Error(fmt("codegen: no entry point ", function, ": ", llvm::toString(address.takeError())));
  return address->toPtr<PackedFunction>();
}

}  // namespace kiln::codegen
