// kiln-inspect <file>: what a .params or -symbol.mlir file holds — its format version, names,
// shapes, dtypes and checksum status — read with the same loaders kiln uses, so a damaged file
// exits non-zero with the loader's error.
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "ir/program.h"
#include "runtime/error.h"
#include "runtime/file_io.h"
#include "runtime/params_file.h"

namespace {

using namespace kiln;

void inspect_parameters(const std::string& path, const std::string& bytes) {
  std::pair<uint32_t, uint32_t> version;
  params_file::NamedArrays arrays = params_file::decode(bytes, path, &version);
  std::printf("%s: kiln parameters, format %u.%u, checksum ok, %zu arrays, %zu bytes\n", path.c_str(), version.first,
              version.second, arrays.size(), bytes.size());
  for (const auto& [name, array] : arrays)
    std::printf("  %-32s f32 %s\n", name.c_str(), shape_str(array.shape()).c_str());
}

void inspect_symbol(const std::string& path, const std::string& text) {
  ir::Program program = ir::read_program(text, path);
  std::printf("%s: kiln symbol file, format %s, checksum ok, %zu functions\n", path.c_str(),
              text.substr(std::strlen("// kiln-symbol "), text.find('\n') - std::strlen("// kiln-symbol ")).c_str(),
              program.functions.size());
  for (size_t start = text.find('\n') + 1; text.compare(start, 3, "// ") == 0;) {  // the header's comment lines
    size_t end = text.find('\n', start);
    std::printf("  %s\n", text.substr(start + 3, end - start - 3).c_str());
    start = end + 1;
  }
  for (const ir::Program::Function& f : program.functions) {
    size_t ops = 0;
    std::function<void(const ir::Program::Region&)> count = [&](const ir::Program::Region& r) {
      for (const ir::Program::Op& op : r.ops) {
        ++ops;
        for (const auto& inner : op.regions) count(inner);
      }
    };
    count(f.body);
    std::printf("  function %s (%s): %zu ops%s\n", f.name.c_str(), f.signature.c_str(), ops,
                f.has_status ? ", guarded (returns an exit status)" : "");
    for (const ir::Program::Argument& a : f.arguments)
      std::printf("    %-9s %-28s f32 %s\n", a.parameter ? "parameter" : "input", a.name.c_str(), shape_str(a.shape).c_str());
    for (const Shape& s : f.result_shapes) std::printf("    output    %-28s f32 %s\n", "", shape_str(s).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(argc == 2 ? stdout : stderr, "usage: kiln-inspect <file.params | path-symbol.mlir>\n");
    return argc == 2 ? 0 : 2;
  }
  std::string path = argv[1];
  try {
    std::string bytes = file_io::read(path, "kiln-inspect");
    bool parameters = bytes.size() >= sizeof params_file::kMagic &&
                      std::memcmp(bytes.data(), params_file::kMagic, sizeof params_file::kMagic) == 0;
    bool symbol = bytes.rfind("// kiln-symbol", 0) == 0;
    if (parameters || (!symbol && path.size() > 7 && path.compare(path.size() - 7, 7, ".params") == 0))
      inspect_parameters(path, bytes);
    else
      inspect_symbol(path, bytes);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
