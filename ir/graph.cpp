#include "ir/graph.h"

#include <algorithm>

#include "ir/KilnDialect.h"
#include "ir/graph_module.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "runtime/error.h"

using namespace mlir;

namespace kiln::ir {

struct Graph::Impl {
  std::unique_ptr<MLIRContext> context = make_context();
  OpBuilder builder{context.get()};
  OwningOpRef<ModuleOp> module;
  func::FuncOp function;
  Block* body = nullptr;
  std::vector<Value> values;
  std::vector<Type> argument_types;
  std::vector<Attribute> argument_attrs;  // one DictionaryAttr per argument
  std::vector<Shape> result_shapes;
  bool has_status = false;
  int status_value = -1;
  std::vector<int> argument_ids;     // each argument's value id, by position
  std::vector<size_t> updated;       // add_update: argument positions ...
  std::vector<int> update_values;    // ... and their new values
  bool results_set = false;
  std::vector<Operation*> open_regions;  // the scf ops being built, innermost last

  RankedTensorType type_of(const Shape& shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  int keep(Value v) {
    values.push_back(v);
    return static_cast<int>(values.size()) - 1;
  }
  // Results: the outputs, the exit status, then the updates (kUpdatesAttr names each one's argument).
  void sync_signature() {
    SmallVector<Type> results;
    for (const Shape& s : result_shapes) results.push_back(type_of(s));
    if (has_status) results.push_back(builder.getI32Type());
    SmallVector<Attribute> result_attrs(results.size(), builder.getDictionaryAttr({}));
    for (size_t u = 0; u < updated.size(); ++u) {
      results.push_back(argument_types[updated[u]]);
      result_attrs.push_back(builder.getDictionaryAttr(
          builder.getNamedAttr(kUpdatesAttr, builder.getI64IntegerAttr(static_cast<int64_t>(updated[u])))));
    }
    function.setFunctionType(builder.getFunctionType(argument_types, results));
    function.setAllArgAttrs(argument_attrs);
    function.setAllResultAttrs(result_attrs);
  }
};

std::unique_ptr<MLIRContext> make_context() {
  // One thread: the passes run single-threaded anyway (codegen/pipeline.cpp), and a context made
  // without threading builds no thread pool and uniques types and attributes without locks.
  auto ctx = std::make_unique<MLIRContext>(MLIRContext::Threading::DISABLED);
  ctx->loadDialect<KilnDialect, func::FuncDialect, scf::SCFDialect, arith::ArithDialect>();
  return ctx;
}

Graph::Graph(std::string function_name) : impl_(std::make_unique<Impl>()) {
  Impl& g = *impl_;
  Location loc = g.builder.getUnknownLoc();
  g.module = ModuleOp::create(loc);
  g.builder.setInsertionPointToEnd(g.module->getBody());
  g.function = g.builder.create<func::FuncOp>(loc, function_name, g.builder.getFunctionType({}, {}));
  // The generated code exposes a C entry point taking memref descriptors (codegen/jit).
  g.function->setAttr("llvm.emit_c_interface", g.builder.getUnitAttr());
  g.body = g.function.addEntryBlock();
  g.builder.setInsertionPointToEnd(g.body);
}

Graph::~Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;

int Graph::add_argument(const Shape& shape, ArgumentKind kind) {
  Impl& g = *impl_;
  RankedTensorType type = g.type_of(shape);
  g.argument_types.push_back(type);
  SmallVector<NamedAttribute> attrs;
  if (kind == ArgumentKind::Parameter) attrs.push_back(g.builder.getNamedAttr(kParameterAttr, g.builder.getUnitAttr()));
  g.argument_attrs.push_back(g.builder.getDictionaryAttr(attrs));
  int id = g.keep(g.body->addArgument(type, g.builder.getUnknownLoc()));
  g.argument_ids.push_back(id);
  g.sync_signature();
  return id;
}

int Graph::add_constant(const Shape& shape, std::span<const float> values) {
  Impl& g = *impl_;
  auto attr = DenseElementsAttr::get(g.type_of(shape), ArrayRef<float>(values.data(), values.size()));
  return g.keep(g.builder.create<ConstantOp>(g.builder.getUnknownLoc(), attr));
}

int Graph::add_op(std::string_view op, std::span<const int> operands, const OpAttrs& attrs, const Shape& result) {
  Impl& g = *impl_;
  OpBuilder& b = g.builder;
  std::string name = "kiln." + std::string(op);
  auto registered = RegisteredOperationName::lookup(name, g.context.get());
  if (!registered) throw Error(fmt("ir: the kiln dialect has no op '", name, "'"));
  OperationState state(b.getUnknownLoc(), *registered);
  for (int id : operands) state.addOperands(g.values.at(id));
  state.addTypes(g.type_of(result));
  // Every field of OpAttrs the op declares becomes its attribute of the same name.
  auto declares = [&](StringRef attr) { return llvm::is_contained(registered->getAttributeNames(), attr); };
  if (attrs.axis && declares("axis")) state.addAttribute("axis", b.getI64IntegerAttr(*attrs.axis));
  if (declares("keepdims")) state.addAttribute("keepdims", b.getBoolAttr(attrs.keepdims));
  if (declares("transpose_a")) state.addAttribute("transpose_a", b.getBoolAttr(attrs.transpose_a));
  if (declares("transpose_b")) state.addAttribute("transpose_b", b.getBoolAttr(attrs.transpose_b));
  if (declares("shape")) state.addAttribute("shape", b.getDenseI64ArrayAttr(attrs.shape));
  if (declares("perm")) state.addAttribute("perm", b.getDenseI64ArrayAttr(attrs.perm));
  if (declares("begin")) state.addAttribute("begin", b.getI64IntegerAttr(attrs.begin));
  if (declares("end")) state.addAttribute("end", b.getI64IntegerAttr(attrs.end));
  if (declares("depth")) state.addAttribute("depth", b.getI64IntegerAttr(attrs.depth));
  auto pair_or = [](const std::vector<int64_t>& v, int64_t fallback) {
    return v.empty() ? std::vector<int64_t>{fallback, fallback} : v;
  };
  if (declares("kernel")) state.addAttribute("kernel", b.getDenseI64ArrayAttr(attrs.kernel));
  if (declares("strides")) state.addAttribute("strides", b.getDenseI64ArrayAttr(pair_or(attrs.strides, 1)));
  if (declares("padding")) state.addAttribute("padding", b.getDenseI64ArrayAttr(pair_or(attrs.padding, 0)));
  if (declares("dilation")) state.addAttribute("dilation", b.getDenseI64ArrayAttr(pair_or(attrs.dilation, 1)));
  if (declares("groups")) state.addAttribute("groups", b.getI64IntegerAttr(attrs.groups));
  if (declares("count_include_pad")) state.addAttribute("count_include_pad", b.getBoolAttr(attrs.count_include_pad));
  if (declares("epsilon")) state.addAttribute("epsilon", b.getF32FloatAttr(attrs.epsilon));
  if (declares("batch_stats")) state.addAttribute("batch_stats", b.getBoolAttr(attrs.batch_stats));
  for (auto [name, value] : {std::pair{"low", attrs.low}, {"high", attrs.high}, {"mean", attrs.mean}, {"stddev", attrs.stddev}})
    if (declares(name)) state.addAttribute(name, b.getF32FloatAttr(value));
  Operation* created = b.create(state);

  std::string diagnostics;
  ScopedDiagnosticHandler capture(g.context.get(), [&](Diagnostic& d) {
    diagnostics += d.str() + "\n";
    return success();
  });
  if (failed(verify(created)))
    throw Error(fmt("ir: recorded op ", name, " does not verify: ", diagnostics));
  return g.keep(created->getResult(0));
}

int Graph::add_splat(const Shape& shape, float value) {
  Impl& g = *impl_;
  return g.keep(g.builder.create<ConstantOp>(g.builder.getUnknownLoc(), DenseElementsAttr::get(g.type_of(shape), value)));
}

namespace {
SmallVector<Value> values_of(const std::vector<Value>& values, std::span<const int> ids) {
  SmallVector<Value> out;
  for (int id : ids) out.push_back(values.at(id));
  return out;
}
}  // namespace

int Graph::add_compare(std::string_view predicate, int lhs, int rhs) {
  Impl& g = *impl_;
  auto op = g.builder.create<CompareScalarOp>(g.builder.getUnknownLoc(), g.values.at(lhs), g.values.at(rhs),
                                              g.builder.getStringAttr(predicate));
  if (failed(verify(op))) throw Error(fmt("ir: bad comparison '", predicate, "'"));
  return g.keep(op);
}

int Graph::add_not(int flag) {
  Impl& g = *impl_;
  Location loc = g.builder.getUnknownLoc();
  Value one = g.builder.create<arith::ConstantIntOp>(loc, 1, 1);
  return g.keep(g.builder.create<arith::XOrIOp>(loc, g.values.at(flag), one));
}

int Graph::add_and(int a, int b) {
  Impl& g = *impl_;
  return g.keep(g.builder.create<arith::AndIOp>(g.builder.getUnknownLoc(), g.values.at(a), g.values.at(b)));
}

std::vector<int> Graph::begin_for(int64_t count, std::span<const int> initial) {
  Impl& g = *impl_;
  Location loc = g.builder.getUnknownLoc();
  Value zero = g.builder.create<arith::ConstantIndexOp>(loc, 0);
  Value end = g.builder.create<arith::ConstantIndexOp>(loc, count);
  Value one = g.builder.create<arith::ConstantIndexOp>(loc, 1);
  auto op = g.builder.create<scf::ForOp>(loc, zero, end, one, values_of(g.values, initial));
  g.open_regions.push_back(op);
  g.builder.setInsertionPointToStart(op.getBody());
  std::vector<int> ids{g.keep(op.getInductionVar())};
  for (Value v : op.getRegionIterArgs()) ids.push_back(g.keep(v));
  return ids;
}

std::vector<int> Graph::end_for() { return end_if(); }

int Graph::add_row(int table, int index) {
  Impl& g = *impl_;
  Value t = g.values.at(table);
  auto shape = cast<RankedTensorType>(t.getType()).getShape();
  auto type = RankedTensorType::get(shape.drop_front(), g.builder.getF32Type());
  return g.keep(g.builder.create<RowOp>(g.builder.getUnknownLoc(), type, t, g.values.at(index)));
}

int Graph::add_set_row(int table, int value, int index) {
  Impl& g = *impl_;
  Value t = g.values.at(table);
  return g.keep(g.builder.create<SetRowOp>(g.builder.getUnknownLoc(), t.getType(), t, g.values.at(value), g.values.at(index)));
}

void Graph::begin_if(int flag, std::span<const Shape> result_shapes, bool with_status) {
  Impl& g = *impl_;
  SmallVector<Type> types;
  for (const Shape& s : result_shapes) types.push_back(g.type_of(s));
  if (with_status) types.push_back(g.builder.getI32Type());
  auto op = g.builder.create<scf::IfOp>(g.builder.getUnknownLoc(), types, g.values.at(flag), /*withElseRegion=*/true);
  g.open_regions.push_back(op);
  g.builder.setInsertionPointToStart(&op.getThenRegion().front());
}

void Graph::begin_else() {
  Impl& g = *impl_;
  auto op = cast<scf::IfOp>(g.open_regions.back());
  g.builder.setInsertionPointToStart(&op.getElseRegion().front());
}

std::vector<int> Graph::end_if() {
  Impl& g = *impl_;
  Operation* op = g.open_regions.back();
  g.open_regions.pop_back();
  g.builder.setInsertionPointAfter(op);
  std::vector<int> ids;
  for (Value v : op->getResults()) ids.push_back(g.keep(v));
  return ids;
}

std::vector<int> Graph::begin_while(std::span<const int> initial) {
  Impl& g = *impl_;
  Location loc = g.builder.getUnknownLoc();
  SmallVector<Value> inits = values_of(g.values, initial);
  SmallVector<Type> types(ValueRange(inits).getTypes());
  auto op = g.builder.create<scf::WhileOp>(loc, types, inits);
  g.open_regions.push_back(op);
  Block* before = g.builder.createBlock(&op.getBefore(), {}, types, SmallVector<Location>(types.size(), loc));
  std::vector<int> ids;
  for (Value v : before->getArguments()) ids.push_back(g.keep(v));
  return ids;
}

std::vector<int> Graph::loop_condition(int flag, std::span<const int> state) {
  Impl& g = *impl_;
  Location loc = g.builder.getUnknownLoc();
  auto op = cast<scf::WhileOp>(g.open_regions.back());
  SmallVector<Value> forwarded = values_of(g.values, state);
  g.builder.create<scf::ConditionOp>(loc, g.values.at(flag), forwarded);
  SmallVector<Type> types(op.getResultTypes());
  Block* after = g.builder.createBlock(&op.getAfter(), {}, types, SmallVector<Location>(types.size(), loc));
  std::vector<int> ids;
  for (Value v : after->getArguments()) ids.push_back(g.keep(v));
  return ids;
}

std::vector<int> Graph::end_while() { return end_if(); }

void Graph::yield(std::span<const int> ids) {
  Impl& g = *impl_;
  g.builder.create<scf::YieldOp>(g.builder.getUnknownLoc(), values_of(g.values, ids));
}

int Graph::add_status(int32_t value) {
  Impl& g = *impl_;
  return g.keep(g.builder.create<arith::ConstantIntOp>(g.builder.getUnknownLoc(), value, 32));
}

void Graph::add_update(int argument, int value) {
  Impl& g = *impl_;
  if (g.results_set) throw Error("ir: add_update comes before set_results");
  auto at = std::find(g.argument_ids.begin(), g.argument_ids.end(), argument);
  if (at == g.argument_ids.end()) throw Error(fmt("ir: add_update: value ", argument, " is not an argument"));
  auto position = static_cast<size_t>(at - g.argument_ids.begin());
  if (std::find(g.updated.begin(), g.updated.end(), position) != g.updated.end())
    throw Error(fmt("ir: add_update: argument ", position, " is updated twice"));
  if (g.values.at(value).getType() != g.argument_types[position])
    throw ShapeError(fmt("ir: add_update: argument ", position, " cannot take a value of another shape"));
  g.updated.push_back(position);
  g.update_values.push_back(value);
}

void Graph::set_results(std::span<const int> ids, int status) {
  impl_->has_status = true;
  impl_->status_value = status;
  set_results(ids);
}

void Graph::set_results(std::span<const int> ids) {
  Impl& g = *impl_;
  SmallVector<Value> results;
  g.result_shapes.clear();
  for (int id : ids) {
    Value v = g.values.at(id);
    results.push_back(v);
    auto shape = cast<RankedTensorType>(v.getType()).getShape();
    g.result_shapes.emplace_back(shape.begin(), shape.end());
  }
  if (g.has_status) results.push_back(g.values.at(g.status_value));
  for (int v : g.update_values) results.push_back(g.values.at(v));
  g.builder.create<func::ReturnOp>(g.builder.getUnknownLoc(), results);
  g.results_set = true;
  g.sync_signature();
}

size_t Graph::num_arguments() const { return impl_->argument_types.size(); }
const std::vector<size_t>& Graph::updated_arguments() const { return impl_->updated; }
bool Graph::has_status() const { return impl_->has_status; }
const std::vector<Shape>& Graph::result_shapes() const { return impl_->result_shapes; }

std::string Graph::str() const {
  std::string text;
  llvm::raw_string_ostream out(text);
  impl_->module->print(out);
  return text;
}

ModuleOp module_of(Graph& graph) { return *graph.impl().module; }
MLIRContext& context_of(Graph& graph) { return *graph.impl().context; }

}  // namespace kiln::ir
