// kiln-compile: an exported graph (<path>-symbol.mlir) to a native shared library with a C ABI
// (codegen/aot_compiler.h, docs/export.md).
#include <cstdio>
#include <cstring>
#include <string>

#include "codegen/aot_compiler.h"
#include "runtime/error.h"

namespace {

constexpr const char* kUsage = R"(usage: kiln-compile <path>-symbol.mlir -o <dir> [options]

Compiles an exported kiln graph into <dir>/lib<name>.so and <dir>/<name>.h (the C ABI), where
<name> is the file's name without -symbol.mlir. The library needs kiln's runtime library
(libkiln_rt.so) and nothing of LLVM or MLIR.

  -o DIR              output directory (created if missing)
  --function NAME     the function to compile (one per traced input signature; default forward)
  --cpu CPU           target CPU for a portable artifact (x86-64-v3, x86-64-v4, an LLVM CPU
                      name); default: this host
  --embed-params FILE put the .params file inside the library (kiln_model_create(NULL))
  --runtime-dir DIR   where libkiln_rt.so is (default: this kiln's build)
  --cc COMPILER       C compiler that builds and links the ABI (default cc)
  --help              this text
)";

}  // namespace

int main(int argc, char** argv) {
  std::string input, out;
  kiln::codegen::AotOptions options;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw kiln::ValueError("kiln-compile: " + arg + " needs a value (see --help)");
        return argv[++i];
      };
      if (arg == "--help" || arg == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (arg == "-o") {
        out = value();
      } else if (arg == "--function") {
        options.function = value();
      } else if (arg == "--cpu") {
        options.cpu = value();
      } else if (arg == "--embed-params") {
        options.embed_parameters = true;
        options.parameters_file = value();
      } else if (arg == "--runtime-dir") {
        options.runtime_dir = value();
      } else if (arg == "--cc") {
        options.c_compiler = value();
      } else if (arg.rfind("-", 0) == 0) {
        throw kiln::ValueError("kiln-compile: unknown option '" + arg + "' (see --help)");
      } else if (input.empty()) {
        input = arg;
      } else {
        throw kiln::ValueError("kiln-compile: one symbol file at a time ('" + arg + "' is a second)");
      }
    }
    if (input.empty() || out.empty()) throw kiln::ValueError("kiln-compile: needs a symbol file and -o DIR (see --help)");
    kiln::codegen::AotArtifact artifact = kiln::codegen::compile_library(input, out, options);
    std::printf("%s\n%s\n", artifact.library.c_str(), artifact.header.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
