#include "codegen/aot_compiler.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>

#include "codegen/llvm_optimizer.h"
#include "codegen/pipeline.h"
#include "codegen/vector_target.h"
#include "ir/KilnDialect.h"
#include "ir/graph_module.h"
#include "ir/program_module.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "runtime/error.h"
#include "runtime/file_io.h"

namespace kiln::codegen {

namespace {

namespace fs = std::filesystem;

// The entry point inside the library (each library has its own; dlopen keeps them apart).
constexpr const char* kGraph = "kiln_graph";

// One memref argument of the generated function, as the C source describes it.
struct Tensor {
  std::string name;  // a C identifier-safe label
  Shape shape;
};

struct Convention {
  std::vector<Tensor> inputs, parameters, prepared, outputs;  // parameters by their .params names
  bool has_prepare = false, has_status = false;
};

Shape shape_of(mlir::Type type) {
  auto shape = mlir::cast<mlir::RankedTensorType>(type).getShape();
  return Shape(shape.begin(), shape.end());
}

std::unique_ptr<llvm::TargetMachine> target_machine(const std::string& cpu_option) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  std::string triple = llvm::sys::getDefaultTargetTriple(), error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) throw Error(fmt("kiln-compile: no LLVM target for ", triple, ": ", error));
  std::string cpu = cpu_option.empty() ? llvm::sys::getHostCPUName().str() : cpu_option;
  std::string features;
  if (cpu_option.empty())
    for (const auto& f : llvm::sys::getHostCPUFeatures()) features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Default));
  if (!machine || !machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    throw Error(fmt("kiln-compile: unknown target CPU '", cpu, "' (try x86-64, x86-64-v2, x86-64-v3, x86-64-v4 or an LLVM CPU name)"));
  return machine;
}

std::string c_shape(const Shape& s) {
  std::string text;
  for (int64_t d : s) text += (text.empty() ? "" : ", ") + std::to_string(d);
  return text.empty() ? "0" : text;  // a rank-0 shape still needs an initialiser
}

std::string header_text(const std::string& name, const std::string& source, const Convention& c) {
  std::ostringstream h;
  auto list = [&](const char* what, const std::vector<Tensor>& ts) {
    for (size_t i = 0; i < ts.size(); ++i) h << " *   " << what << " " << i << ": " << shape_str(ts[i].shape) << " (" << ts[i].name << ")\n";
  };
  h << "/* " << name << ": a kiln model compiled ahead of time from " << source << ".\n"
    << " *\n * Links against kiln's runtime library (libkiln_rt.so) only. float32, row-major, contiguous.\n";
  list("input", c.inputs);
  list("output", c.outputs);
  h << " * C ABI: docs/export.md in kiln. */\n"
    << "#pragma once\n#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
    << "typedef struct kiln_model kiln_model;\n\n"
    << "/* Loads the parameters (a .params file, or NULL for those embedded in the library) and\n"
    << "   prepares the model; NULL on failure, with kiln_model_last_error() saying why. */\n"
    << "kiln_model* kiln_model_create(const char* parameters_path);\n"
    << "/* Runs the model: inputs[i] and outputs[i] point at arrays of the shapes below. Returns 0, or\n"
    << "   non-zero (an input taking a path the exported graph never traced) with the error set. Calls\n"
    << "   on one model from several threads at once are safe. */\n"
    << "int kiln_model_run(kiln_model* model, const float* const* inputs, float* const* outputs);\n"
    << "void kiln_model_destroy(kiln_model* model);\n"
    << "/* The last error of this thread's calls. */\n"
    << "const char* kiln_model_last_error(void);\n"
    << "int kiln_model_num_inputs(void);\nint kiln_model_num_outputs(void);\n"
    << "/* The rank of input/output i and its extents (an array of that many). */\n"
    << "int kiln_model_input_rank(int i);\nconst int64_t* kiln_model_input_shape(int i);\n"
    << "int kiln_model_output_rank(int i);\nconst int64_t* kiln_model_output_shape(int i);\n\n"
    << "#ifdef __cplusplus\n}\n#endif\n";
  return h.str();
}

std::string source_text(const std::string& name, const Convention& c, const std::string* embedded) {
  std::ostringstream s;
  std::vector<const std::vector<Tensor>*> groups{&c.inputs, &c.parameters, &c.prepared, &c.outputs};
  const char* group_names[] = {"input", "parameter", "prepared", "output"};
  std::set<size_t> ranks;
  for (auto* g : groups)
    for (const Tensor& t : *g) ranks.insert(t.shape.size());
  s << "/* Generated by kiln-compile: the C ABI of " << name << " (" << name << ".h). */\n"
    << "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"" << name << ".h\"\n\n";
  for (size_t r : ranks) {
    s << "typedef struct { float* allocated; float* aligned; int64_t offset;";
    if (r) s << " int64_t sizes[" << r << "]; int64_t strides[" << r << "];";
    s << " } desc" << r << ";\n";
  }
  auto params_of = [&](std::initializer_list<const std::vector<Tensor>*> gs) {
    std::string p;
    for (auto* g : gs)
      for (const Tensor& t : *g) p += (p.empty() ? "" : ", ") + fmt("desc", t.shape.size(), "*");
    return p.empty() ? std::string("void") : p;
  };
  s << "\nextern " << (c.has_status ? "int32_t" : "void") << " _mlir_ciface_" << kGraph << "("
    << params_of({&c.inputs, &c.parameters, &c.prepared, &c.outputs}) << ");\n";
  if (c.has_prepare) s << "extern void _mlir_ciface_" << kGraph << "_prepare(" << params_of({&c.parameters, &c.prepared}) << ");\n";
  s << "extern int kiln_aot_load_parameters(const char*, const void*, size_t, int, const char* const*, const int*,\n"
    << "                                    const int64_t* const*, float**, char*, size_t);\n"
    << "extern void* kiln_rt_aligned_alloc(size_t, size_t);\nextern void kiln_rt_free(void*);\n\n";
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& ts = *groups[g];
    for (size_t i = 0; i < ts.size(); ++i)
      s << "static const int64_t " << group_names[g] << "_shape_" << i << "[] = {" << c_shape(ts[i].shape) << "};\n";
    s << "static const int64_t* const " << group_names[g] << "_shapes[] = {";
    for (size_t i = 0; i < ts.size(); ++i) s << (i ? ", " : "") << group_names[g] << "_shape_" << i;
    s << (ts.empty() ? "0" : "") << "};\nstatic const int " << group_names[g] << "_ranks[] = {";
    for (size_t i = 0; i < ts.size(); ++i) s << (i ? ", " : "") << ts[i].shape.size();
    s << (ts.empty() ? "0" : "") << "};\n";
  }
  s << "static const char* const parameter_names[] = {";
  for (size_t i = 0; i < c.parameters.size(); ++i) s << (i ? ", " : "") << '"' << c.parameters[i].name << '"';
  s << (c.parameters.empty() ? "0" : "") << "};\n";
  if (embedded) {
    s << "static const unsigned char embedded_parameters[] = {";
    for (size_t i = 0; i < embedded->size(); ++i)
      s << (i == 0 ? "\n" : i % 24 ? "," : ",\n") << static_cast<unsigned>(static_cast<unsigned char>((*embedded)[i]));
    s << "};\n";
  }
  const size_t P = c.parameters.size(), Q = c.prepared.size();
  s << "\nstruct kiln_model { float* parameters[" << std::max<size_t>(P, 1) << "]; float* prepared["
    << std::max<size_t>(Q, 1) << "]; };\nstatic __thread char last_error[1024];\n"
    << "const char* kiln_model_last_error(void) { return last_error; }\n\n"
    << "/* A memref descriptor for row-major `data`: pointers, offset, sizes, strides (all 8 bytes). */\n"
    << "static void describe(void* d, const float* data, const int64_t* shape, int rank) {\n"
    << "  float** p = (float**)d; int64_t* w = (int64_t*)d; int64_t stride = 1; int i;\n"
    << "  p[0] = (float*)data; p[1] = (float*)data; w[2] = 0;\n"
    << "  for (i = rank - 1; i >= 0; --i) { w[3 + i] = shape[i]; w[3 + rank + i] = stride; stride *= shape[i]; }\n}\n"
    << "static size_t elements(const int64_t* shape, int rank) { size_t n = 1; int i; for (i = 0; i < rank; ++i) n *= (size_t)shape[i]; return n; }\n\n";
  auto declare = [&](const char* group, const std::vector<Tensor>& ts, const std::string& data) {
    for (size_t i = 0; i < ts.size(); ++i)
      s << "  desc" << ts[i].shape.size() << " " << group << i << "; describe(&" << group << i << ", " << fmt(data, "[", i, "]")
        << ", " << group << "_shape_" << i << ", " << ts[i].shape.size() << ");\n";
  };
  auto args = [&](std::initializer_list<std::pair<const char*, const std::vector<Tensor>*>> gs) {
    std::string a;
    for (auto& [group, ts] : gs)
      for (size_t i = 0; i < ts->size(); ++i) a += (a.empty() ? "&" : ", &") + fmt(group, i);
    return a;
  };
  s << "kiln_model* kiln_model_create(const char* parameters_path) {\n"
    << "  kiln_model* m = (kiln_model*)calloc(1, sizeof *m); int i;\n"
    << "  if (!m) { snprintf(last_error, sizeof last_error, \"kiln_model_create: out of memory\"); return 0; }\n";
  if (embedded)
    s << "  if (kiln_aot_load_parameters(parameters_path, embedded_parameters, sizeof embedded_parameters, " << P << ",\n";
  else
    s << "  if (!parameters_path) { snprintf(last_error, sizeof last_error, \"kiln_model_create: this library embeds no "
         "parameters; give the .params file\"); free(m); return 0; }\n"
      << "  if (kiln_aot_load_parameters(parameters_path, 0, 0, " << P << ",\n";
  s << "                               parameter_names, parameter_ranks, parameter_shapes, m->parameters, last_error,\n"
    << "                               sizeof last_error) != 0) { free(m); return 0; }\n"
    << "  for (i = 0; i < " << Q << "; ++i) m->prepared[i] = (float*)kiln_rt_aligned_alloc(64, elements(prepared_shapes[i], prepared_ranks[i]) * sizeof(float));\n";
  if (c.has_prepare) {
    s << "  {\n";
    declare("parameter", c.parameters, "m->parameters");
    declare("prepared", c.prepared, "m->prepared");
    s << "    _mlir_ciface_" << kGraph << "_prepare(" << args({{"parameter", &c.parameters}, {"prepared", &c.prepared}}) << ");\n  }\n";
  }
  s << "  return m;\n}\n\n"
    << "int kiln_model_run(kiln_model* m, const float* const* inputs, float* const* outputs) {\n";
  if (c.has_status) s << "  int32_t status;\n";
  declare("input", c.inputs, "inputs");
  declare("parameter", c.parameters, "m->parameters");
  declare("prepared", c.prepared, "m->prepared");
  declare("output", c.outputs, "outputs");
  std::string call = fmt("_mlir_ciface_", kGraph, "(",
                         args({{"input", &c.inputs}, {"parameter", &c.parameters}, {"prepared", &c.prepared}, {"output", &c.outputs}}), ")");
  if (c.has_status)
    s << "  status = " << call << ";\n  if (status != 0) snprintf(last_error, sizeof last_error, \"kiln_model_run: the input "
         "takes a path the exported graph never traced (side exit %d)\", (int)status);\n  return status;\n}\n\n";
  else
    s << "  " << call << ";\n  return 0;\n}\n\n";
  s << "void kiln_model_destroy(kiln_model* m) {\n  int i;\n  if (!m) return;\n"
    << "  for (i = 0; i < " << P << "; ++i) kiln_rt_free(m->parameters[i]);\n"
    << "  for (i = 0; i < " << Q << "; ++i) kiln_rt_free(m->prepared[i]);\n  free(m);\n}\n\n"
    << "int kiln_model_num_inputs(void) { return " << c.inputs.size() << "; }\n"
    << "int kiln_model_num_outputs(void) { return " << c.outputs.size() << "; }\n"
    << "int kiln_model_input_rank(int i) { return i >= 0 && i < " << c.inputs.size() << " ? input_ranks[i] : -1; }\n"
    << "const int64_t* kiln_model_input_shape(int i) { return i >= 0 && i < " << c.inputs.size() << " ? input_shapes[i] : 0; }\n"
    << "int kiln_model_output_rank(int i) { return i >= 0 && i < " << c.outputs.size() << " ? output_ranks[i] : -1; }\n"
    << "const int64_t* kiln_model_output_shape(int i) { return i >= 0 && i < " << c.outputs.size() << " ? output_shapes[i] : 0; }\n";
  return s.str();
}

}  // namespace

AotArtifact compile_library(const std::string& symbol_file, const std::string& out_dir, const AotOptions& options) {
  std::string name = fs::path(symbol_file).filename().string();
  const std::string suffix = "-symbol.mlir";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') ch = '_';

  std::unique_ptr<mlir::MLIRContext> context = ir::make_context();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      ir::parse_symbol_file(file_io::read(symbol_file, "kiln-compile"), symbol_file, *context);
  // Keep the one function asked for, as kiln_graph.
  mlir::func::FuncOp chosen;
  std::string available;
  for (auto f : llvm::make_early_inc_range(module->getOps<mlir::func::FuncOp>())) {
    available += (available.empty() ? "" : ", ") + f.getName().str();
    if (f.getName() == options.function) chosen = f;
    else f.erase();
  }
  if (!chosen)
    throw Error(fmt("kiln-compile: '", symbol_file, "' has no function '", options.function, "'; it has ", available));
  chosen.setName(kGraph);
  Convention c;

  std::unique_ptr<llvm::TargetMachine> machine = target_machine(options.cpu);
  const llvm::MCSubtargetInfo& cpu = *machine->getMCSubtargetInfo();
  VectorTarget vectors = vector_target_with(cpu.checkFeatures("+avx512f"), cpu.checkFeatures("+avx2"), cpu.checkFeatures("+fma"));

  run_stages(*module, optimization_stages(), nullptr);
  auto graph = module->lookupSymbol<mlir::func::FuncOp>(kGraph);
  for (unsigned i = 0; i < graph.getNumArguments(); ++i) {
    Shape shape = shape_of(graph.getArgument(i).getType());
    if (graph.getArgAttr(i, ir::kPreparedAttr)) {
      c.prepared.push_back({fmt("prepared ", c.prepared.size()), shape});
      continue;
    }
    Tensor named{graph.getArgAttrOfType<mlir::StringAttr>(i, ir::kNameAttr).str(), shape};
    (graph.getArgAttr(i, ir::kParameterAttr) ? c.parameters : c.inputs).push_back(named);
  }
  for (mlir::Type t : graph.getResultTypes()) {
    if (t.isInteger(32)) c.has_status = true;
    else c.outputs.push_back({fmt("output ", c.outputs.size()), shape_of(t)});
  }
  c.has_prepare = static_cast<bool>(module->lookupSymbol<mlir::func::FuncOp>(std::string(kGraph) + "_prepare"));
  run_stages(*module, lowering_stages(vectors), nullptr);

  // LLVM IR, optimised as the JIT does it, then an object file for the target CPU.
  mlir::registerBuiltinDialectTranslation(*context);
  mlir::registerLLVMDialectTranslation(*context);
  llvm::LLVMContext llvm_context;
  std::unique_ptr<llvm::Module> llvm_module = mlir::translateModuleToLLVMIR(*module, llvm_context, name);
  if (!llvm_module) throw Error("kiln-compile: translation to LLVM IR failed");
  llvm_module->setDataLayout(machine->createDataLayout());
  llvm_module->setTargetTriple(machine->getTargetTriple().str());
  mark_functions(*llvm_module, vectors.lanes * 32);
  if (auto err = make_llvm_optimizer(machine.get())(llvm_module.get()))
    throw Error(fmt("kiln-compile: LLVM optimisation failed: ", llvm::toString(std::move(err))));
  llvm::SmallVector<char, 0> object;
  {
    llvm::raw_svector_ostream out(object);
    llvm::legacy::PassManager emit;
    if (machine->addPassesToEmitFile(emit, out, nullptr, llvm::CodeGenFileType::ObjectFile))
      throw Error("kiln-compile: this target cannot emit object files");
    emit.run(*llvm_module);
  }

  fs::create_directories(out_dir);
  fs::path dir(out_dir);
  std::string object_path = (dir / (name + "_graph.o")).string();
  std::string source_path = (dir / (name + "_model.c")).string();
  AotArtifact artifact{(dir / ("lib" + name + ".so")).string(), (dir / (name + ".h")).string()};
  file_io::write_atomically(object_path, std::string_view(object.data(), object.size()), "kiln-compile");
  std::string embedded;
  if (options.embed_parameters) embedded = file_io::read(options.parameters_file, "kiln-compile --embed-params");
  file_io::write_atomically(artifact.header, header_text(name, symbol_file, c), "kiln-compile");
  file_io::write_atomically(source_path, source_text(name, c, options.embed_parameters ? &embedded : nullptr),
                            "kiln-compile");

  std::string runtime_dir = options.runtime_dir.empty() ? KILN_RUNTIME_LIBRARY_DIR : options.runtime_dir;
  std::string command = fmt(options.c_compiler, " -O2 -fPIC -shared -o '", artifact.library, "' '", source_path, "' '",
                            object_path, "' -L'", runtime_dir, "' -lkiln_rt -Wl,-rpath,'", runtime_dir, "' 2>&1");
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[512];
    while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
    if (::pclose(pipe) != 0) throw Error(fmt("kiln-compile: linking failed:\n", command, "\n", output));
  } else {
    throw Error(fmt("kiln-compile: cannot run '", options.c_compiler, "'"));
  }
  return artifact;
}

}  // namespace kiln::codegen
