#include "codegen/compiled_graph.h"

#include <chrono>
#include <fstream>
#include <mutex>

#include "codegen/pipeline.h"
#include "ir/graph_module.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/c_abi.h"
#include "runtime/error.h"

namespace kiln::codegen {

struct CompiledGraph::Engine {
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw Error(fmt("KILN_DUMP_IR: cannot write '", path, "'"));
}

std::string print(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out);
  return text;
}

}  // namespace

std::unique_ptr<CompiledGraph> CompiledGraph::compile(ir::Graph& graph, const CompileOptions& options) {
  auto start = std::chrono::steady_clock::now();
  static std::once_flag native_target;
  std::call_once(native_target, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });

  mlir::ModuleOp module = ir::module_of(graph);
  auto function = *module.getOps<mlir::func::FuncOp>().begin();
  std::string entry_name = function.getName().str();

  std::unique_ptr<CompiledGraph> compiled(new CompiledGraph());
  for (mlir::Type t : function.getArgumentTypes())
    compiled->argument_ranks_.push_back(mlir::cast<mlir::RankedTensorType>(t).getRank());
  compiled->result_shapes_ = graph.result_shapes();
  for (const Shape& s : compiled->result_shapes_) compiled->argument_ranks_.push_back(s.size());  // out-params
  if (compiled->argument_ranks_.size() > kMaxArguments)
    throw Error(fmt("codegen: the graph has ", compiled->argument_ranks_.size(), " inputs and outputs; at most ",
                    kMaxArguments, " are supported"));
  for (size_t rank : compiled->argument_ranks_)
    if (rank > kMaxRank) throw Error(fmt("codegen: rank ", rank, " exceeds the supported ", kMaxRank));

  auto dump = [&](const std::string& stage, int index, const std::string& text, const char* extension) {
    if (!options.dump_dir.empty())
      write_file(fmt(options.dump_dir, "/", options.dump_name, ".", index, "-", stage, extension), text);
  };
  dump("traced", 0, print(module), ".mlir");
  int index = 1;
  lower_to_llvm(module, [&](const std::string& stage, mlir::ModuleOp m) { dump(stage, index++, print(m), ".mlir"); });

  compiled->lowering_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  // The optimiser needs the host's target machine: without it LLVM's vectorisers see no vector
  // registers. Keep the transformer alive: ExecutionEngineOptions holds only a reference to it.
  auto machine_builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine_builder) throw Error(fmt("codegen: ", llvm::toString(machine_builder.takeError())));
  auto machine = machine_builder->createTargetMachine();
  if (!machine) throw Error(fmt("codegen: ", llvm::toString(machine.takeError())));
  std::function<llvm::Error(llvm::Module*)> optimize = mlir::makeOptimizingTransformer(2, 0, machine->get());
  std::function<llvm::Error(llvm::Module*)> transform = [&](llvm::Module* m) -> llvm::Error {
    if (auto err = optimize(m)) return err;
    std::string text;
    llvm::raw_string_ostream out(text);
    m->print(out, nullptr);
    dump("llvm-ir", index, text, ".ll");
    return llvm::Error::success();
  };
  mlir::ExecutionEngineOptions engine_options;
  engine_options.transformer = transform;
  engine_options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  llvm::StringRef runtime_libraries[] = {KILN_MLIR_C_RUNNER_UTILS};
  engine_options.sharedLibPaths = runtime_libraries;
  auto engine = mlir::ExecutionEngine::create(module, engine_options);
  if (!engine) throw Error(fmt("codegen: JIT compilation failed: ", llvm::toString(engine.takeError())));
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](const char* name, auto* fn) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn), llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_ciface_kiln_rt_fully_connected", &_mlir_ciface_kiln_rt_fully_connected);
    add("_mlir_ciface_kiln_rt_fully_connected_no_bias", &_mlir_ciface_kiln_rt_fully_connected_no_bias);
    add("_mlir_ciface_kiln_rt_dot", &_mlir_ciface_kiln_rt_dot);
    return symbols;
  });
  auto entry = (*engine)->lookupPacked("_mlir_ciface_" + entry_name);  // JIT-compiles the module
  if (!entry) throw Error(fmt("codegen: no entry point: ", llvm::toString(entry.takeError())));

  compiled->engine_ = std::make_unique<Engine>(Engine{std::move(*engine)});
  compiled->entry_ = *entry;
  compiled->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return compiled;
}

CompiledGraph::~CompiledGraph() = default;

void CompiledGraph::run(std::span<const Array* const> arguments, std::span<Array* const> results) const {
  // One memref descriptor per argument, laid out as MLIR's StridedMemRefType<float, rank>:
  // allocated pointer, aligned pointer, offset, sizes[rank], strides[rank].
  constexpr size_t kWords = 3 + 2 * kMaxRank;
  int64_t descriptors[kMaxArguments][kWords];
  void* descriptor_ptrs[kMaxArguments];
  void* packed[kMaxArguments];
  size_t n = 0;
  auto describe = [&](const Array& a) {
    int64_t* d = descriptors[n];
    float* data = const_cast<float*>(a.data());
    d[0] = reinterpret_cast<int64_t>(data);
    d[1] = reinterpret_cast<int64_t>(data);
    d[2] = 0;
    const Shape& shape = a.shape();
    size_t rank = shape.size();
    int64_t stride = 1;
    for (size_t i = rank; i-- > 0;) {
      d[3 + i] = shape[i];
      d[3 + rank + i] = stride;
      stride *= shape[i];
    }
    descriptor_ptrs[n] = d;
    packed[n] = &descriptor_ptrs[n];
    ++n;
  };
  for (const Array* a : arguments) describe(*a);
  for (Array* r : results) describe(*r);
  entry_(packed);
}

}  // namespace kiln::codegen
