// Program: an exported kiln module (a -symbol.mlir file) read back as plain data, for
// SymbolBlock's interpreter and kiln-inspect. MLIR-free; ir/program.cpp does the parsing.
//
// Values are numbered across the whole program. An op's regions (scf.if's branches,
// scf.while's condition and body, scf.for's body) hold their own arguments and ops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/op_attrs.h"
#include "runtime/shape.h"

namespace kiln::ir {

// The symbol file's format version (docs/export.md): a reader rejects a major version it does not
// know and accepts a newer minor one, which may only add attributes and comments older readers
// ignore. 2.0: the checksum is standard FNV-1a; 1.x files (file_io::kFormat1Basis) still read.
inline constexpr int kSymbolVersionMajor = 2;
inline constexpr int kSymbolVersionMinor = 0;
inline constexpr int kOldestSymbolVersionMajor = 1;
// What a file may declare: elements per tensor (bounds what loading it can make us allocate).
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 32;

struct Program {
  struct Op;
  struct Region {
    std::vector<int> arguments;
    std::vector<Op> ops;
  };
  struct Op {
    std::string name;                  // "kiln.relu", "scf.if", "arith.constant", "func.return", ...
    std::vector<int> operands;
    std::vector<int> results;
    std::vector<Shape> result_shapes;  // per result; {} for a scalar (i1, i32, index)
    OpAttrs attrs;                     // kiln ops' attributes
    std::string predicate;             // kiln.compare_scalar
    std::vector<float> values;         // kiln.constant, row-major
    int64_t integer = 0;               // arith.constant on an integer or index
    std::vector<Region> regions;
  };
  struct Argument {
    std::string name;  // an input's or a parameter's name (kiln.name)
    Shape shape;
    bool parameter = false;
  };
  struct Function {
    std::string name;       // forward, forward_1, ...
    std::string signature;  // "2x20,predict" (kiln.signature)
    std::vector<Argument> arguments;
    Region body;            // its arguments are the function's
    std::vector<Shape> result_shapes;
    bool has_status = false;  // returns an exit status after the results (ir::Graph)
  };
  std::vector<Function> functions;
  int values = 0;  // how many values are numbered
};

// Reads a symbol file's text. Throws FileError naming `path` and the problem: a missing or
// unknown version header, a future major version, text that does not parse or verify as the
// kiln dialect, a tensor type whose element count overflows or passes kMaxTensorElements, or ops
// and types an exported graph cannot hold.
Program read_program(const std::string& text, const std::string& path);

// `body` (a symbol file up to its checksum line) with the checksum line appended, computed as
// the format version on its first line prescribes.
std::string seal_symbol_text(const std::string& body);

// One traced graph to export (its module text from ir::Graph::str()).
struct ExportedGraph {
  std::string module_text;
  std::string signature;
  std::vector<std::string> argument_names;  // inputs, then parameters
};
// The symbol file's text: `header` (comment lines), then one module whose functions are the
// graphs, renamed forward, forward_1, ..., each argument named (kiln.name) and each function
// marked with its signature (kiln.signature).
std::string write_program(const std::vector<ExportedGraph>& graphs, const std::string& header);

}  // namespace kiln::ir
