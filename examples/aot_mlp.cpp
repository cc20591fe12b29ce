// aot_mlp <dir> [--embedded]: runs the MLP that export_mlp exported and kiln-compile compiled
// into <dir>/libmlp.so, through its C ABI (dlopen). This program links nothing of kiln; the
// library brings kiln's runtime library and no LLVM or MLIR. Prints what export_mlp printed.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "examples/mlp_input.h"

namespace {

struct Model;
struct Abi {
  Model* (*create)(const char*);
  int (*run)(Model*, const float* const*, float* const*);
  void (*destroy)(Model*);
  const char* (*last_error)();
  int (*output_rank)(int);
  const int64_t* (*output_shape)(int);
};

template <class F>
void bind(void* library, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(library, name));
  if (!f) throw std::string("aot_mlp: the library lacks ") + name;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: aot_mlp <dir> [--embedded]\n");
    return 2;
  }
  std::string dir = argv[1];
  bool embedded = argc == 3 && std::string(argv[2]) == "--embedded";
  void* library = dlopen((dir + "/libmlp.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::fprintf(stderr, "aot_mlp: %s\n", dlerror());
    return 1;
  }
  try {
    Abi abi;
    bind(library, "kiln_model_create", abi.create);
    bind(library, "kiln_model_run", abi.run);
    bind(library, "kiln_model_destroy", abi.destroy);
    bind(library, "kiln_model_last_error", abi.last_error);
    bind(library, "kiln_model_output_rank", abi.output_rank);
    bind(library, "kiln_model_output_shape", abi.output_shape);
    Model* model = abi.create(embedded ? nullptr : (dir + "/mlp-0000.params").c_str());
    if (!model) throw std::string(abi.last_error());
    std::vector<float> x = kiln::examples::mlp_input();
    const int64_t* shape = abi.output_shape(0);
    std::vector<float> y(static_cast<size_t>(shape[0] * shape[1]));
    const float* inputs[] = {x.data()};
    float* outputs[] = {y.data()};
    if (abi.run(model, inputs, outputs) != 0) throw std::string(abi.last_error());
    for (size_t i = 0; i < y.size(); ++i) std::printf("%.6f%s", y[i], (i + 1) % shape[1] ? " " : "\n");
    abi.destroy(model);
  } catch (const std::string& error) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  dlclose(library);
  return 0;
}
