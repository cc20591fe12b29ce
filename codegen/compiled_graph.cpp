#include "codegen/compiled_graph.h"

#include <chrono>
#include <fstream>
#include <mutex>

#include "codegen/llvm_optimizer.h"
#include "codegen/pipeline.h"
#include "ir/graph_module.h"
#include "ir/KilnDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
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

// Builds the packed argument list of an MLIR C-interface function: one memref descriptor per
// array, laid out as StridedMemRefType<float, rank> (allocated pointer, aligned pointer, offset,
// sizes[rank], strides[rank]), all on the stack.
class PackedCall {
 public:
  void add(const Array& a) {
    int64_t* d = descriptors_[n_];
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
    descriptor_ptrs_[n_] = d;
    packed_[n_] = &descriptor_ptrs_[n_];
    ++n_;
  }
  void invoke(void (*fn)(void**)) { fn(packed_); }

 private:
  static constexpr size_t kWords = 3 + 2 * CompiledGraph::kMaxRank;
  int64_t descriptors_[CompiledGraph::kMaxArguments][kWords];
  void* descriptor_ptrs_[CompiledGraph::kMaxArguments];
  void* packed_[CompiledGraph::kMaxArguments];
  size_t n_ = 0;
};

Shape shape_of(mlir::Type type) {
  auto shape = mlir::cast<mlir::RankedTensorType>(type).getShape();
  return Shape(shape.begin(), shape.end());
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
  std::string entry_name = (*module.getOps<mlir::func::FuncOp>().begin()).getName().str();
  int index = 0;
  auto dump = [&](const std::string& stage, const std::string& text, const char* extension) {
    if (!options.dump_dir.empty())
      write_file(fmt(options.dump_dir, "/", options.dump_name, ".", index, "-", stage, extension), text);
    ++index;
  };
  auto dump_stage = [&](const std::string& stage, mlir::ModuleOp m) { dump(stage, print(m), ".mlir"); };
  dump_stage("traced", module);
  run_stages(module, optimization_stages(), dump_stage);

  // The calling convention is final now: inputs and parameters, then prepared values, then results.
  std::unique_ptr<CompiledGraph> compiled(new CompiledGraph());
  auto forward = module.lookupSymbol<mlir::func::FuncOp>(entry_name);
  std::vector<Shape> all_shapes;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    Shape shape = shape_of(forward.getArgument(i).getType());
    all_shapes.push_back(shape);
    if (forward.getArgAttr(i, ir::kPreparedAttr))
      compiled->prepared_shapes_.push_back(shape);
    else
      compiled->argument_kinds_.push_back(forward.getArgAttr(i, ir::kParameterAttr) ? ArgumentKind::Parameter
                                                                                   : ArgumentKind::Input);
  }
  compiled->result_shapes_ = graph.result_shapes();
  all_shapes.insert(all_shapes.end(), compiled->result_shapes_.begin(), compiled->result_shapes_.end());
  if (all_shapes.size() > kMaxArguments)
    throw Error(fmt("codegen: the graph has ", all_shapes.size(), " inputs, parameters and outputs; at most ",
                    kMaxArguments, " are supported"));
  for (const Shape& s : all_shapes)
    if (s.size() > kMaxRank) throw Error(fmt("codegen: rank ", s.size(), " exceeds the supported ", kMaxRank));
  bool has_prepare = static_cast<bool>(module.lookupSymbol<mlir::func::FuncOp>(entry_name + "_prepare"));

  run_stages(module, lowering_stages(), dump_stage);
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
  std::function<llvm::Error(llvm::Module*)> optimize = make_llvm_optimizer(machine->get());
  // With AVX-512, LLVM still prefers 256-bit vectors unless told otherwise; the kernels are
  // shaped for the full register width, and so should LLVM's own vectorised loops be.
  std::string vector_bits = std::to_string(host_vector_target().lanes * 32);
  std::function<llvm::Error(llvm::Module*)> transform = [&](llvm::Module* m) -> llvm::Error {
    for (llvm::Function& f : *m)
      if (!f.isDeclaration()) {
        f.addFnAttr("prefer-vector-width", vector_bits);
        f.addFnAttr("min-legal-vector-width", vector_bits);
        // The C-interface wrappers would each inline a copy of the graph's body: compile it once.
        if (!f.getName().starts_with("_mlir")) f.addFnAttr(llvm::Attribute::NoInline);
      }
      if (auto err = optimize(m)) return err;
    if (!options.dump_dir.empty()) {
      std::string text;
      llvm::raw_string_ostream out(text);
      m->print(out, nullptr);
      dump("llvm-ir", text, ".ll");
    }
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
    add("_mlir_ciface_kiln_rt_transpose_2d", &_mlir_ciface_kiln_rt_transpose_2d);
    add("_mlir_memref_to_llvm_alloc", &kiln_rt_alloc);
    add("_mlir_memref_to_llvm_aligned_alloc", &kiln_rt_aligned_alloc);
    add("_mlir_memref_to_llvm_free", &kiln_rt_free);
    return symbols;
  });
  auto lookup = [&](const std::string& name) {
    auto fn = (*engine)->lookupPacked("_mlir_ciface_" + name);  // the first lookup JIT-compiles the module
    if (!fn) throw Error(fmt("codegen: no entry point ", name, ": ", llvm::toString(fn.takeError())));
    return *fn;
  };
  compiled->forward_ = lookup(entry_name);
  if (has_prepare) compiled->prepare_ = lookup(entry_name + "_prepare");
  compiled->engine_ = std::make_unique<Engine>(Engine{std::move(*engine)});
  compiled->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return compiled;
}

CompiledGraph::~CompiledGraph() = default;

size_t CompiledGraph::prepare_count() const {
  std::shared_lock lock(prepared_mutex_);
  return prepare_count_;
}

bool CompiledGraph::prepared_current(std::span<const Array* const> arguments) const {
  if (prepared_.empty()) return false;
  size_t p = 0;
  for (size_t i = 0; i < arguments.size(); ++i)
    if (argument_kinds_[i] == ArgumentKind::Parameter && arguments[i]->version() != prepared_versions_[p++])
      return false;
  return true;
}

void CompiledGraph::prepare(std::span<const Array* const> arguments) const {
  PackedCall call;
  prepared_versions_.clear();
  for (size_t i = 0; i < arguments.size(); ++i)
    if (argument_kinds_[i] == ArgumentKind::Parameter) {
      call.add(*arguments[i]);
      prepared_versions_.push_back(arguments[i]->version());
    }
  if (prepared_.empty())
    for (const Shape& s : prepared_shapes_) prepared_.emplace_back(s);
  for (Array& a : prepared_) call.add(a);
  call.invoke(prepare_);
  ++prepare_count_;
}

void CompiledGraph::run(std::span<const Array* const> arguments, std::span<Array* const> results) const {
  if (arguments.size() != argument_kinds_.size() || results.size() != result_shapes_.size())
    throw Error(fmt("codegen: the compiled graph takes ", argument_kinds_.size(), " arguments and ",
                    result_shapes_.size(), " results; got ", arguments.size(), " and ", results.size()));
  auto call_forward = [&] {
    PackedCall call;
    for (const Array* a : arguments) call.add(*a);
    for (const Array& a : prepared_) call.add(a);
    for (Array* r : results) call.add(*r);
    call.invoke(forward_);
  };
  if (!prepare_) return call_forward();
  {
    std::shared_lock lock(prepared_mutex_);
    if (prepared_current(arguments)) return call_forward();
  }
  std::unique_lock lock(prepared_mutex_);  // a parameter changed (or first call): recompute alone
  if (!prepared_current(arguments)) prepare(arguments);
  call_forward();
}

}  // namespace kiln::codegen
