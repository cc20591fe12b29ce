#include "codegen/compiled_graph.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>

#include "codegen/compile_cache.h"
#include "codegen/jit_module.h"
#include "codegen/kiln_build_id.h"
#include "codegen/pipeline.h"
#include "ir/KilnDialect.h"
#include "ir/graph_module.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "passes/matmul_strategy.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "runtime/error.h"
#include "runtime/inline_buffer.h"
#include "runtime/log.h"

namespace kiln::codegen {

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

// The argument list of a packed entry (codegen/object_code.h): each array's data pointer in the
// graph's argument order (shapes are compiled in), then where the exit status goes.
class PackedCall {
 public:
  explicit PackedCall(size_t arrays) : packed_(arrays + 1) {}
  void add(const Array& a) { packed_[n_++] = const_cast<float*>(a.data()); }
  void add(const float* data) { packed_[n_++] = const_cast<float*>(data); }
  void add_result_slot(int32_t* slot) { packed_[n_++] = slot; }
  void invoke(void (*fn)(void**)) { fn(packed_.data()); }

 private:
  InlineBuffer<void*, CompiledGraph::kInlineArguments + 1> packed_;
  size_t n_ = 0;
};

// A sanity bound on the array counts a cached interface may record (a damaged entry could name
// billions); far above any real graph's.
constexpr size_t kMaxInterfaceArrays = 1 << 20;

Shape shape_of(mlir::Type type) {
  auto shape = mlir::cast<mlir::RankedTensorType>(type).getShape();
  return Shape(shape.begin(), shape.end());
}

}  // namespace

namespace {

// What the compiled code depends on besides the module: the pipeline (with any disabled
// passes), where products go to oneDNN, the target CPU and every feature it reports (a virtual
// machine may hide some behind a known CPU name), LLVM and kiln's build. None of it changes
// while the process runs.
std::string make_configuration() {
  std::vector<std::string> features;
  for (const auto& feature : llvm::sys::getHostCPUFeatures())
    if (feature.second) features.push_back(feature.first().str());
  std::sort(features.begin(), features.end());
  std::string text = fmt(pipeline_text(optimization_stages()), "|", pipeline_text(optimization_stages(GraphMode::Training)),
                         "|", pipeline_text(lowering_stages()),
                         "|onednn from ", passes::onednn_multiply_adds(), "|", llvm::sys::getHostCPUName().str(), "|");
  for (const std::string& f : features) text += f + ",";
  return text + fmt("|LLVM ", LLVM_VERSION_STRING, "|kiln ", KILN_BUILD_ID);
}

const std::string& configuration() {
  static const std::string text = make_configuration();
  return text;
}

}  // namespace

std::string CompiledGraph::interface() const {
  std::string text = "arguments";
  for (ArgumentKind k : argument_kinds_) text += k == ArgumentKind::Parameter ? " p" : " i";
  auto shapes = [&](const char* name, const std::vector<Shape>& list) {
    text += fmt("\n", name, " ", list.size());
    for (const Shape& s : list) {
      text += fmt(" ", s.size());
      for (int64_t d : s) text += fmt(" ", d);
    }
  };
  shapes("parameters", parameter_shapes_);
  shapes("prepared", prepared_shapes_);
  shapes("results", result_shapes_);
  text += fmt("\nupdates ", updated_arguments_.size());
  for (size_t a : updated_arguments_) text += fmt(" ", a);
  text += fmt("\nprepare ", prepare_ ? 1 : 0, " ", prepare_reads_.size());
  for (size_t r : prepare_reads_) text += fmt(" ", r);
  return text + fmt("\nstatus ", has_status_ ? 1 : 0, "\nlayout ", jit_->data_layout(), "\n");
}

bool CompiledGraph::read_interface(const std::string& text, bool& has_prepare, std::string& data_layout) {
  std::istringstream in(text);
  std::string word;
  in >> word;
  if (word != "arguments") return false;
  while (in >> word && (word == "i" || word == "p"))
    argument_kinds_.push_back(word == "p" ? ArgumentKind::Parameter : ArgumentKind::Input);
  auto shapes = [&](const std::string& name, std::vector<Shape>& list) {
    size_t count = 0;
    if (word != name || !(in >> count) || count > kMaxInterfaceArrays) return false;
    for (size_t i = 0; i < count; ++i) {
      size_t rank = 0;
      if (!(in >> rank) || rank > kMaxRank) return false;
      Shape s(rank);
      for (int64_t& d : s)
        if (!(in >> d) || d < 0) return false;
      list.push_back(s);
    }
    return static_cast<bool>(in >> word);
  };
  auto updates = [&] {
    size_t count = 0;
    if (word != "updates" || !(in >> count) || count > argument_kinds_.size()) return false;
    for (size_t i = 0; i < count; ++i) {
      size_t a = 0;
      if (!(in >> a) || a >= argument_kinds_.size()) return false;
      updated_arguments_.push_back(a);
    }
    return static_cast<bool>(in >> word);
  };
  auto reads = [&] {
    size_t count = 0;
    if (!(in >> count) || count > parameter_shapes_.size()) return false;
    for (size_t i = 0; i < count; ++i) {
      size_t r = 0;
      if (!(in >> r) || r >= parameter_shapes_.size()) return false;
      prepare_reads_.push_back(r);
    }
    return static_cast<bool>(in >> word);
  };
  int prepare = 0, status = 0;
  auto parameter_kinds = std::count(argument_kinds_.begin(), argument_kinds_.end(), ArgumentKind::Parameter);
  if (!shapes("parameters", parameter_shapes_) || parameter_shapes_.size() != static_cast<size_t>(parameter_kinds) ||
      !shapes("prepared", prepared_shapes_) || !shapes("results", result_shapes_) || !updates() || word != "prepare" ||
      !(in >> prepare) || !reads() || word != "status" || !(in >> status) || !(in >> word) ||
      word != "layout" || !(in >> data_layout))
    return false;
  has_prepare = prepare == 1;
  has_status_ = status == 1;
  return true;
}

std::unique_ptr<CompiledGraph> CompiledGraph::compile(ir::Graph& graph, const CompileOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(); };
  mlir::ModuleOp module = ir::module_of(graph);
  std::string entry_name = (*module.getOps<mlir::func::FuncOp>().begin()).getName().str();
  int index = 0;
  auto dump = [&](const std::string& stage, const std::string& text, const char* extension) {
    if (!options.dump_dir.empty())
      write_file(fmt(options.dump_dir, "/", options.dump_name, ".", index, "-", stage, extension), text);
    ++index;
  };
  // Printing a module costs a few milliseconds: only when the stages are dumped.
  std::function<void(const std::string&, mlir::ModuleOp)> dump_stage;
  if (!options.dump_dir.empty()) dump_stage = [&](const std::string& stage, mlir::ModuleOp m) { dump(stage, print(m), ".mlir"); };
  // A second process finds the object code on disk and compiles nothing.
  bool use_cache = !compile_cache::directory().empty() && options.dump_dir.empty();
  std::string traced = use_cache || !options.dump_dir.empty() ? print(module) : "";
  dump("traced", traced, ".mlir");
  std::unique_ptr<CompiledGraph> compiled(new CompiledGraph());

  std::string cache_key =
      use_cache ? compile_cache::key(traced, configuration() + (options.mode == GraphMode::Training ? "|training" : "")) : "";
  if (use_cache)
    if (auto entry = compile_cache::load(cache_key)) {
      bool has_prepare = false;
      std::string data_layout;
      if (compiled->read_interface(entry->interface, has_prepare, data_layout)) {
        try {
          compiled->jit_ = JitModule::load(entry->object, data_layout);
          compiled->forward_ = compiled->jit_->lookup(entry_name);
          if (has_prepare) compiled->prepare_ = compiled->jit_->lookup(entry_name + "_prepare");
          compiled->from_cache_ = true;
          compiled->locate_updates();
          compiled->compile_ms_ = elapsed_ms();
          return compiled;
        } catch (const Error& e) {
          if (log::enabled("recompiles")) log::print(fmt("compile cache: an entry does not link (", e.what(), ")"));
        }
      }
      compiled.reset(new CompiledGraph());  // an unreadable or unlinkable entry: compile afresh
    }

  run_stages(module, optimization_stages(options.mode), dump_stage);
  // The calling convention is final now: inputs and parameters, then prepared values, then results.
  auto forward = module.lookupSymbol<mlir::func::FuncOp>(entry_name);
  std::vector<Shape> all_shapes;
  for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
    Shape shape = shape_of(forward.getArgument(i).getType());
    all_shapes.push_back(shape);
    if (forward.getArgAttr(i, ir::kPreparedAttr)) {
      compiled->prepared_shapes_.push_back(shape);
    } else if (forward.getArgAttr(i, ir::kParameterAttr)) {
      compiled->argument_kinds_.push_back(ArgumentKind::Parameter);
      compiled->parameter_shapes_.push_back(shape);
    } else {
      compiled->argument_kinds_.push_back(ArgumentKind::Input);
    }
  }
  compiled->result_shapes_ = graph.result_shapes();
  compiled->updated_arguments_ = graph.updated_arguments();
  compiled->locate_updates();
  compiled->has_status_ = graph.has_status();
  all_shapes.insert(all_shapes.end(), compiled->result_shapes_.begin(), compiled->result_shapes_.end());
  for (const Shape& s : all_shapes)
    if (s.size() > kMaxRank) throw Error(fmt("codegen: rank ", s.size(), " exceeds the supported ", kMaxRank));
  auto prepare = module.lookupSymbol<mlir::func::FuncOp>(entry_name + "_prepare");
  bool has_prepare = static_cast<bool>(prepare);
  // Its arguments are every parameter, in order, then the prepared values it writes.
  if (prepare)
    for (size_t i = 0; i < compiled->parameter_shapes_.size(); ++i)
      if (!prepare.getArgument(static_cast<unsigned>(i)).use_empty()) compiled->prepare_reads_.push_back(i);

  run_stages(module, lowering_stages(), dump_stage);
  compiled->lowering_ms_ = elapsed_ms();

  std::function<void(const std::string&)> dump_llvm_ir;
  if (!options.dump_dir.empty()) dump_llvm_ir = [&](const std::string& text) { dump("llvm-ir", text, ".ll"); };
  std::vector<std::string> entries{entry_name};
  if (has_prepare) entries.push_back(entry_name + "_prepare");
  compiled->jit_ = JitModule::compile(module, entries, dump_llvm_ir);
  compiled->forward_ = compiled->jit_->lookup(entry_name);  // the first lookup links the object
  if (has_prepare) compiled->prepare_ = compiled->jit_->lookup(entry_name + "_prepare");
  compiled->compile_ms_ = elapsed_ms();
  if (use_cache) compile_cache::store(cache_key, {compiled->interface(), compiled->jit_->object()});
  return compiled;
}

CompiledGraph::~CompiledGraph() = default;

size_t CompiledGraph::prepare_count() const {
  std::shared_lock lock(prepared_mutex_);
  return prepare_count_;
}

void CompiledGraph::bind_parameters(std::vector<Array> parameters) {
  if (parameters.size() != parameter_shapes_.size())
    throw Error(fmt("codegen: the compiled graph takes ", parameter_shapes_.size(), " parameters; ",
                    parameters.size(), " were bound"));
  for (size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].shape() != parameter_shapes_[i])
      throw ShapeError(fmt("codegen: parameter ", i, " of the compiled graph has shape ", shape_str(parameter_shapes_[i]),
                           "; an array of shape ", shape_str(parameters[i].shape()), " was bound"));
  parameter_data_.clear();
  for (const Array& p : parameters) parameter_data_.push_back(p.data());
  parameters_ = std::move(parameters);
  prepare_inputs_.clear();
  for (size_t r : prepare_reads_) prepare_inputs_.push_back(parameters_[r]);
  prepared_from_ = ArraysSnapshot();  // computed from other arrays, if any
}

void CompiledGraph::prepare() const {
  if (prepared_.empty()) {  // all or nothing: a failed allocation leaves none behind
    std::vector<Array> values;
    std::vector<const float*> data;
    for (const Shape& s : prepared_shapes_) data.push_back(values.emplace_back(s).data());
    prepared_data_ = std::move(data);
    prepared_ = std::move(values);
  }
  // Recorded before the values are read: a write from here on makes them stale again.
  prepared_from_.take(prepare_inputs_);
  PackedCall call(parameter_data_.size() + prepared_data_.size());
  for (const float* p : parameter_data_) call.add(p);
  for (const float* p : prepared_data_) call.add(p);
  call.invoke(prepare_);
  ++prepare_count_;
}

void CompiledGraph::locate_updates() {
  updates_.clear();
  for (size_t position : updated_arguments_) {
    // The argument's index among the inputs, or among the parameters.
    auto before = argument_kinds_.begin() + static_cast<std::ptrdiff_t>(position);
    auto index = static_cast<size_t>(std::count(argument_kinds_.begin(), before, argument_kinds_[position]));
    updates_.push_back({argument_kinds_[position] == ArgumentKind::Parameter, index});
  }
}

void CompiledGraph::mark_updated(std::span<const Array* const> inputs) const {
  for (const Update& u : updates_) {
    Array handle = u.parameter ? parameters_[u.index] : *inputs[u.index];
    handle.data();  // write access moves the version
  }
}

int32_t CompiledGraph::run(std::span<const Array* const> inputs, std::span<Array* const> results) const {
  if (inputs.size() + parameter_data_.size() != argument_kinds_.size() || results.size() != result_shapes_.size())
    throw Error(fmt("codegen: the compiled graph takes ", num_inputs(), " inputs, ", num_parameters(),
                    " bound parameters and ", result_shapes_.size(), " results; got ", inputs.size(), ", ",
                    parameter_data_.size(), " and ", results.size()));
  int32_t status = 0;
  auto call_forward = [&] {
    PackedCall call(argument_kinds_.size() + prepared_data_.size() + results.size());
    const Array* const* input = inputs.data();
    const float* const* parameter = parameter_data_.data();
    for (ArgumentKind kind : argument_kinds_)
      if (kind == ArgumentKind::Input) call.add(**input++);
      else call.add(*parameter++);
    for (const float* p : prepared_data_) call.add(p);
    for (Array* r : results) call.add(*r);
    if (has_status_) call.add_result_slot(&status);
    call.invoke(forward_);
    if (!updates_.empty()) mark_updated(inputs);
    return status;
  };
  if (!prepare_) return call_forward();
  {
    std::shared_lock lock(prepared_mutex_);
    if (prepared_current()) return call_forward();
  }
  std::unique_lock lock(prepared_mutex_);  // a parameter changed (or first call): recompute alone
  if (!prepared_current()) prepare();
  return call_forward();
}

}  // namespace kiln::codegen
