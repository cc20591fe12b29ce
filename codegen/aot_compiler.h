// AOT: an exported graph (<path>-symbol.mlir) compiled ahead of time into a native shared library
// with a C ABI, which runs with kiln's runtime library (libkiln_rt.so) alone — no LLVM or MLIR.
// docs/export.md documents the ABI; kiln-compile is the command-line front.
#pragma once

#include <string>

namespace kiln::codegen {

struct AotOptions {
  std::string function = "forward";  // which of the file's functions (one per traced signature)
  std::string cpu;                   // an LLVM CPU name ("x86-64-v3", "skylake-avx512"); empty: the host
  bool embed_parameters = false;     // put the .params file's bytes inside the library
  std::string parameters_file;       // the .params file to embed
  std::string runtime_dir;           // where libkiln_rt.so is; empty: $KILN_RUNTIME_DIR, beside the
                                     // program (../lib), this kiln's build, or its install prefix
  std::string c_compiler = "cc";     // compiles the ABI's C source and links the library
};

struct AotArtifact {
  std::string library;  // <out_dir>/lib<name>.so
  std::string header;   // <out_dir>/<name>.h
};

// Compiles `symbol_file` into `out_dir` (created if missing); <name> is the file's name without
// "-symbol.mlir". Throws kiln::Error naming the problem (a damaged file, an unknown function or
// CPU, a failed link).
AotArtifact compile_library(const std::string& symbol_file, const std::string& out_dir, const AotOptions& options);

}  // namespace kiln::codegen
