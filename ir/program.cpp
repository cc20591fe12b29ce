#include "ir/program.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <sstream>

#include "ir/KilnDialect.h"
#include "ir/graph_module.h"
#include "ir/program_module.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "runtime/error.h"
#include "runtime/file_io.h"

using namespace mlir;

namespace kiln::ir {

namespace {

constexpr const char* kMagicLine = "// kiln-symbol ";
constexpr const char* kChecksumLine = "// checksum ";

// The major version on a symbol file's first line, or -1 when it has none.
int symbol_major(const std::string& text) {
  int major = -1, minor = -1;
  if (text.rfind(kMagicLine, 0) != 0 || std::sscanf(text.c_str() + std::strlen(kMagicLine), "%d.%d", &major, &minor) != 2 ||
      major < 0 || minor < 0)
    return -1;
  return major;
}

std::string checksum_text(std::string_view bytes, int major) {
  uint64_t sum = file_io::fnv1a(bytes.data(), bytes.size(), major == 1 ? file_io::kFormat1Basis : file_io::kFnv1aBasis);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(sum));
  return hex;
}

// Every tensor type in the module — results, block arguments, function signatures — has a shape
// kiln can hold: checked before the verifier and the reader compute anything from it (MLIR's own
// element count wraps around silently).
void check_tensor_types(ModuleOp module, const std::function<void(const std::string&)>& fail) {
  auto check = [&](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape()) return;  // the reader names other types
    Shape shape(tensor.getShape().begin(), tensor.getShape().end());
    int64_t elements = 0;
    try {
      elements = num_elements(shape);
    } catch (const ShapeError& e) {
      fail(fmt("declares a tensor type that no array can have: ", e.what()));
    }
    if (elements > kMaxTensorElements)
      fail(fmt("declares a tensor of shape ", shape_str(shape), " (", elements, " elements; at most ", kMaxTensorElements,
               " are allowed)"));
  };
  module.walk([&](Operation* op) {
    for (Type t : op->getResultTypes()) check(t);
    for (Region& region : op->getRegions())
      for (Block& block : region)
        for (BlockArgument a : block.getArguments()) check(a.getType());
    if (auto f = dyn_cast<func::FuncOp>(op)) {
      for (Type t : f.getFunctionType().getInputs()) check(t);
      for (Type t : f.getFunctionType().getResults()) check(t);
    }
  });
}

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw FileError(fmt("symbol file '", path_, "' ", problem));
  }

  Program read(ModuleOp module) {
    Program p;
    for (Operation& op : module.getBody()->getOperations()) {
      auto function = dyn_cast<func::FuncOp>(op);
      if (!function) fail(fmt("holds '", op.getName().getStringRef().str(), "' at the top level; only functions belong there"));
      p.functions.push_back(read_function(function));
    }
    if (p.functions.empty()) fail("holds no function");
    p.values = next_;
    return p;
  }

 private:
  Shape shape_of(Type type, const std::string& what) {
    if (type.isInteger(1) || type.isInteger(32) || type.isIndex()) return {};
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.getElementType().isF32() || !tensor.hasStaticShape())
      fail(fmt("has ", what, " of a type an exported graph cannot hold (f32 tensors of static shape only)"));
    return Shape(tensor.getShape().begin(), tensor.getShape().end());
  }
  int number(Value v) {
    auto it = numbers_.find(v);
    if (it == numbers_.end()) fail("uses a value before defining it");
    return it->second;
  }
  int define(Value v) { return numbers_[v] = next_++; }

  Program::Function read_function(func::FuncOp f) {
    Program::Function out;
    out.name = f.getName().str();
    if (auto sig = f->getAttrOfType<StringAttr>(kSignatureAttr)) out.signature = sig.str();
    if (f.isExternal()) fail(fmt("declares function '", out.name, "' without a body"));
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto name = f.getArgAttrOfType<StringAttr>(i, kNameAttr);
      if (!name) fail(fmt("function '", out.name, "' argument ", i, " has no kiln.name"));
      Program::Argument a{name.str(), shape_of(f.getArgument(i).getType(), fmt("argument '", name.str(), "'")),
                          static_cast<bool>(f.getArgAttr(i, kParameterAttr))};
      if (f.getArgument(i).getType().isIntOrIndex()) fail(fmt("argument '", a.name, "' is not a tensor"));
      out.arguments.push_back(std::move(a));
    }
    for (Type t : f.getResultTypes()) {
      if (t.isInteger(32)) {
        out.has_status = true;
        continue;
      }
      if (out.has_status) fail(fmt("function '", out.name, "' returns a value after its exit status"));
      out.result_shapes.push_back(shape_of(t, "a result"));
    }
    out.body = read_region(f.getBody());
    return out;
  }

  Program::Region read_region(Region& region) {
    if (!region.hasOneBlock()) fail("has a region with more than one block");
    Program::Region out;
    Block& block = region.front();
    for (BlockArgument arg : block.getArguments()) {
      shape_of(arg.getType(), "a region argument");
      out.arguments.push_back(define(arg));
    }
    for (Operation& op : block) out.ops.push_back(read_op(op));
    return out;
  }

  Program::Op read_op(Operation& op) {
    Program::Op out;
    out.name = op.getName().getStringRef().str();
    static const std::vector<std::string> control{"scf.if",         "scf.while",   "scf.for",    "scf.yield",
                                                  "scf.condition",  "arith.constant", "arith.andi", "arith.xori",
                                                  "func.return"};
    bool kiln_op = op.getDialect() && op.getDialect()->getNamespace() == "kiln";
    if (!kiln_op && std::find(control.begin(), control.end(), out.name) == control.end())
      fail(fmt("holds op '", out.name, "', which is not part of an exported kiln graph"));
    for (Value v : op.getOperands()) out.operands.push_back(number(v));
    for (Region& r : op.getRegions()) out.regions.push_back(read_region(r));
    for (Value v : op.getResults()) {
      out.result_shapes.push_back(shape_of(v.getType(), fmt("a result of '", out.name, "'")));
      out.results.push_back(define(v));
    }
    auto integer = [&](StringRef name) -> std::optional<int64_t> {
      if (auto a = op.getAttrOfType<IntegerAttr>(name)) return a.getInt();
      return std::nullopt;
    };
    auto flag = [&](StringRef name) { return op.getAttrOfType<BoolAttr>(name) && op.getAttrOfType<BoolAttr>(name).getValue(); };
    auto array = [&](StringRef name) {
      std::vector<int64_t> v;
      if (auto a = op.getAttrOfType<DenseI64ArrayAttr>(name)) v.assign(a.asArrayRef().begin(), a.asArrayRef().end());
      return v;
    };
    if (kiln_op) {
      if (auto axis = integer("axis")) out.attrs.axis = static_cast<int>(*axis);
      out.attrs.keepdims = flag("keepdims");
      out.attrs.transpose_a = flag("transpose_a");
      out.attrs.transpose_b = flag("transpose_b");
      out.attrs.shape = array("shape");
      out.attrs.perm = array("perm");
      out.attrs.begin = integer("begin").value_or(0);
      out.attrs.end = integer("end").value_or(0);
      out.attrs.depth = integer("depth").value_or(0);
      out.attrs.kernel = array("kernel");
      out.attrs.strides = array("strides");
      out.attrs.padding = array("padding");
      out.attrs.dilation = array("dilation");
      out.attrs.groups = integer("groups").value_or(1);
      if (auto include = op.getAttrOfType<BoolAttr>("count_include_pad")) out.attrs.count_include_pad = include.getValue();
      out.attrs.batch_stats = flag("batch_stats");
      auto real = [&](StringRef name, float fallback) {
        auto a = op.getAttrOfType<FloatAttr>(name);
        return a ? static_cast<float>(a.getValueAsDouble()) : fallback;
      };
      out.attrs.epsilon = real("epsilon", 0.f);
      out.attrs.low = real("low", 0.f);
      out.attrs.high = real("high", 1.f);
      out.attrs.mean = real("mean", 0.f);
      out.attrs.stddev = real("stddev", 1.f);
      if (auto p = op.getAttrOfType<StringAttr>("predicate")) out.predicate = p.str();
      if (auto c = dyn_cast<ConstantOp>(op)) {
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense) fail("has a constant that is not dense f32 data");
        for (float x : dense.getValues<float>()) out.values.push_back(x);
      }
    }
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      auto value = dyn_cast<IntegerAttr>(c.getValue());
      if (!value) fail("has an arith.constant that is not an integer");
      out.integer = value.getValue().getSExtValue();
      if (value.getType().isInteger(1)) out.integer = value.getValue().getBoolValue();
    }
    return out;
  }

  const std::string& path_;
  llvm::DenseMap<Value, int> numbers_;
  int next_ = 0;
};

}  // namespace

mlir::OwningOpRef<mlir::ModuleOp> parse_symbol_file(const std::string& text, const std::string& path,
                                                    mlir::MLIRContext& context) {
  auto fail = [&](const std::string& problem) { throw FileError(fmt("symbol file '", path, "' ", problem)); };
  // Magic and version: the first line.
  if (text.rfind(kMagicLine, 0) != 0) fail("is not a kiln symbol file (its first line is not '// kiln-symbol M.m')");
  int major = symbol_major(text);
  if (major < 0) fail("has an unreadable format version");
  if (major < kOldestSymbolVersionMajor || major > kSymbolVersionMajor) {
    int minor = 0;
    std::sscanf(text.c_str() + std::strlen(kMagicLine), "%*d.%d", &minor);
    fail(fmt("has format version ", major, ".", minor, "; this kiln reads ", kOldestSymbolVersionMajor, ".x to ",
             kSymbolVersionMajor, ".x"));
  }
  // Checksum: the last line covers every byte before it.
  size_t last = text.rfind(kChecksumLine);
  if (last == std::string::npos || (last > 0 && text[last - 1] != '\n'))
    fail("is truncated (its checksum line is missing)");
  std::string stored = text.substr(last + std::strlen(kChecksumLine));
  while (!stored.empty() && (stored.back() == '\n' || stored.back() == '\r')) stored.pop_back();
  if (stored != checksum_text(std::string_view(text).substr(0, last), major))
    fail("is corrupted (checksum mismatch: the file changed after it was written)");

  std::string diagnostics;
  ScopedDiagnosticHandler capture(&context, [&](Diagnostic& d) {
    diagnostics += d.str() + "\n";
    return success();
  });
  // Verified below, once the types are known to be sound.
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text.substr(0, last), ParserConfig(&context, /*verifyAfterParse=*/false), path);
  if (!module) fail(fmt("does not parse as a kiln graph: ", diagnostics));
  check_tensor_types(*module, fail);
  if (failed(verify(*module))) fail(fmt("does not verify as a kiln graph: ", diagnostics));
  return module;
}

Program read_program(const std::string& text, const std::string& path) {
  std::unique_ptr<MLIRContext> context = make_context();
  OwningOpRef<ModuleOp> module = parse_symbol_file(text, path, *context);
  return Reader(path).read(*module);
}

std::string seal_symbol_text(const std::string& body) {
  return body + kChecksumLine + checksum_text(body, symbol_major(body)) + "\n";
}

std::string write_program(const std::vector<ExportedGraph>& graphs, const std::string& header) {
  std::unique_ptr<MLIRContext> context = make_context();
  OpBuilder b(context.get());
  OwningOpRef<ModuleOp> joined = ModuleOp::create(b.getUnknownLoc());
  for (size_t i = 0; i < graphs.size(); ++i) {
    const ExportedGraph& g = graphs[i];
    OwningOpRef<ModuleOp> traced = parseSourceString<ModuleOp>(g.module_text, ParserConfig(context.get()));
    if (!traced) throw Error("export: a traced graph does not parse (an internal error)");
    auto function = *traced->getOps<func::FuncOp>().begin();
    if (function.getNumArguments() != g.argument_names.size())
      throw Error(fmt("export: the graph has ", function.getNumArguments(), " arguments but ", g.argument_names.size(),
                      " names"));
    auto copy = cast<func::FuncOp>(function->clone());
    copy.setName(i == 0 ? "forward" : "forward_" + std::to_string(i));
    copy->setAttr(kSignatureAttr, b.getStringAttr(g.signature));
    for (unsigned a = 0; a < copy.getNumArguments(); ++a) copy.setArgAttr(a, kNameAttr, b.getStringAttr(g.argument_names[a]));
    joined->getBody()->push_back(copy);
  }
  std::string text;
  llvm::raw_string_ostream out(text);
  joined->print(out);
  return seal_symbol_text(fmt(kMagicLine, kSymbolVersionMajor, ".", kSymbolVersionMinor, "\n", header, text, "\n"));
}

}  // namespace kiln::ir
