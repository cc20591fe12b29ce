#include "frontend/nn/symbol_block.h"

#include <map>

#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/file_io.h"
#include "runtime/params_file.h"

namespace kiln::nn {

namespace {

// A value while the graph runs: an array, or an integer (a flag, an index, an exit status).
struct Slot {
  NDArray array;
  int64_t integer = 0;
};

// Runs a Program's ops with the frontend's ops. Host-level control flow (scf) follows the
// values; a comparison goes through Scalar, so a trace of this interpretation records guards.
class Interpreter {
 public:
  Interpreter(const ir::Program& program, const std::string& file) : slots_(program.values), file_(file) {}

  // The values the region's terminator passes on.
  std::vector<Slot> run(const ir::Program::Region& region, const std::vector<Slot>& arguments) {
    for (size_t i = 0; i < arguments.size(); ++i) slots_[region.arguments[i]] = arguments[i];
    for (const ir::Program::Op& op : region.ops) {
      if (op.name == "scf.yield" || op.name == "scf.condition" || op.name == "func.return") return operands(op);
      std::vector<Slot> results = run(op);
      for (size_t i = 0; i < op.results.size(); ++i) slots_[op.results[i]] = results[i];
    }
    throw FileError(fmt("SymbolBlock: '", file_, "' has a region without a terminator"));
  }

 private:
  std::vector<Slot> operands(const ir::Program::Op& op) const {
    std::vector<Slot> out;
    for (int v : op.operands) out.push_back(slots_[v]);
    return out;
  }
  const NDArray& array(int v) const { return slots_[v].array; }

  std::vector<Slot> run(const ir::Program::Op& op) {
    if (op.name == "kiln.constant") return {{Array::from_values(op.result_shapes[0], op.values)}};
    if (op.name == "kiln.compare_scalar") {
      bool holds = array(op.operands[0]).asscalar().compare(op.predicate, array(op.operands[1]).asscalar());
      return {{NDArray(), holds}};
    }
    if (op.name == "kiln.row") {
      int64_t i = slots_[op.operands[1]].integer;
      return {{nd::reshape(nd::slice_axis(array(op.operands[0]), 0, i, i + 1), op.result_shapes[0])}};
    }
    if (op.name == "kiln.set_row") {
      const NDArray& table = array(op.operands[0]);
      int64_t i = slots_[op.operands[2]].integer, rows = table.shape()[0];
      Shape one_row = table.shape();
      one_row[0] = 1;
      std::vector<NDArray> parts;
      if (i > 0) parts.push_back(nd::slice_axis(table, 0, 0, i));
      parts.push_back(nd::reshape(array(op.operands[1]), one_row));
      if (i + 1 < rows) parts.push_back(nd::slice_axis(table, 0, i + 1, rows));
      return {{nd::concat(parts, 0)}};
    }
    if (op.name.rfind("kiln.", 0) == 0) {
      const OpDef* def = find_op(std::string_view(op.name).substr(5));
      if (!def) throw FileError(fmt("SymbolBlock: '", file_, "' uses op '", op.name, "', which this kiln does not have"));
      std::vector<NDArray> inputs;
      for (int v : op.operands) inputs.push_back(array(v));
      return {{dispatch(*def, inputs, op.attrs)}};
    }
    if (op.name == "arith.constant") return {{NDArray(), op.integer}};
    if (op.name == "arith.andi") return {{NDArray(), slots_[op.operands[0]].integer & slots_[op.operands[1]].integer}};
    if (op.name == "arith.xori") return {{NDArray(), slots_[op.operands[0]].integer ^ slots_[op.operands[1]].integer}};
    if (op.name == "scf.if") return run(op.regions[slots_[op.operands[0]].integer ? 0 : 1], {});
    if (op.name == "scf.while") {
      std::vector<Slot> state = operands(op);
      for (;;) {
        std::vector<Slot> checked = run(op.regions[0], state);  // condition: flag, forwarded values
        std::vector<Slot> forwarded(checked.begin() + 1, checked.end());
        if (!checked[0].integer) return forwarded;
        state = run(op.regions[1], forwarded);
      }
    }
    if (op.name == "scf.for") {
      int64_t lower = slots_[op.operands[0]].integer, upper = slots_[op.operands[1]].integer,
              step = slots_[op.operands[2]].integer;
      if (step <= 0) throw FileError(fmt("SymbolBlock: '", file_, "' has a loop with step ", step));
      std::vector<Slot> state(op.operands.size() - 3);
      for (size_t i = 3; i < op.operands.size(); ++i) state[i - 3] = slots_[op.operands[i]];
      for (int64_t i = lower; i < upper; i += step) {
        std::vector<Slot> arguments{{NDArray(), i}};
        arguments.insert(arguments.end(), state.begin(), state.end());
        state = run(op.regions[0], arguments);
      }
      return state;
    }
    throw FileError(fmt("SymbolBlock: '", file_, "' holds op '", op.name, "', which it cannot run"));
  }

  std::vector<Slot> slots_;
  const std::string& file_;
};

}  // namespace

std::shared_ptr<SymbolBlock> SymbolBlock::imports(const std::string& symbol_file, const std::vector<std::string>& input_names,
                                                  const std::string& param_file) {
  std::shared_ptr<SymbolBlock> block(new SymbolBlock());
  block->symbol_file_ = symbol_file;
  block->program_ = ir::read_program(file_io::read(symbol_file, "SymbolBlock"), symbol_file);
  // Inputs by name, parameters by name and shape, the same in every function.
  std::map<std::string, Shape> parameters;
  for (const ir::Program::Function& f : block->program_.functions) {
    std::vector<std::string> inputs;
    for (const ir::Program::Argument& a : f.arguments) {
      if (!a.parameter) {
        inputs.push_back(a.name);
        continue;
      }
      auto [it, added] = parameters.emplace(a.name, a.shape);
      if (!added && it->second != a.shape)
        throw FileError(fmt("SymbolBlock: '", symbol_file, "' gives parameter '", a.name, "' two shapes"));
    }
    if (inputs != input_names) {
      std::string expected;
      for (const std::string& n : inputs) expected += (expected.empty() ? "" : ", ") + n;
      throw ValueError(fmt("SymbolBlock: '", symbol_file, "' function ", f.name, " takes inputs (", expected,
                           "); imports was given other names"));
    }
  }
  params_file::NamedArrays loaded = params_file::read(param_file);
  params_file::ParameterShapes wanted(parameters.begin(), parameters.end());
  std::vector<const Array*> matched;
  try {
    matched = params_file::match_parameters(loaded, wanted, param_file, fmt("'", symbol_file, "'"));
  } catch (const FileError& e) {
    throw FileError(fmt("SymbolBlock: ", e.what()));
  }
  for (size_t i = 0; i < wanted.size(); ++i) block->params().get(wanted[i].first, wanted[i].second)->set_data(*matched[i]);
  return block;
}

NDArray SymbolBlock::forward(const NDArray& x) { return forward_multi({x}).front(); }

std::vector<NDArray> SymbolBlock::forward_multi(const std::vector<NDArray>& xs) {
  std::string got;
  for (const NDArray& x : xs) got += (got.empty() ? "" : ", ") + shape_str(x.shape());
  for (const ir::Program::Function& f : program_.functions) {
    std::vector<Slot> arguments;
    size_t next_input = 0;
    bool fits = true;
    for (const ir::Program::Argument& a : f.arguments) {
      if (a.parameter) {
        arguments.push_back({params()[a.name].data()});
        continue;
      }
      fits = fits && next_input < xs.size() && xs[next_input].shape() == a.shape;
      if (fits) arguments.push_back({xs[next_input++]});
    }
    if (!fits || next_input != xs.size()) continue;
    std::vector<Slot> results = Interpreter(program_, symbol_file_).run(f.body, arguments);
    if (f.has_status && results.back().integer != 0)
      throw ValueError(fmt("SymbolBlock: this input takes a path through '", symbol_file_, "' that was never traced ",
                           "before export (side exit ", results.back().integer, "); call the original block on such ",
                           "inputs before exporting it"));
    std::vector<NDArray> outputs;
    for (size_t i = 0; i < f.result_shapes.size(); ++i) outputs.push_back(results[i].array);
    return outputs;
  }
  std::string known;
  for (const ir::Program::Function& f : program_.functions) known += (known.empty() ? "" : "; ") + f.signature;
  throw ShapeError(fmt("SymbolBlock: '", symbol_file_, "' has no graph for inputs of shape ", got,
                       "; it was exported for: ", known));
}

std::string SymbolBlock::extra_repr() const { return symbol_file_; }

}  // namespace kiln::nn
