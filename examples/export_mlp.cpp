// export_mlp <dir>: the seed chapter's MLP (Dense 256 relu, Dense 10), initialised with a fixed
// seed, hybridized, run on a fixed input and exported as <dir>/mlp-symbol.mlir and
// <dir>/mlp-0000.params. Prints the output; aot_mlp prints the same from the compiled library.
#include <cstdio>
#include <filesystem>

#include "examples/mlp_input.h"
#include "examples/seed_models.h"

int main(int argc, char** argv) {
  using namespace kiln;
  if (argc != 2) {
    std::fprintf(stderr, "usage: export_mlp <dir>\n");
    return 2;
  }
  try {
    std::filesystem::create_directories(argv[1]);
    nd::random::seed(42);
    auto net = seed::make_sequential_mlp();
    net->initialize();
    NDArray x = nd::array(examples::mlp_input(), {examples::kMlpBatch, examples::kMlpFeatures});
    net->hybridize();
    NDArray y = (*net)(x);
    net->export_model(std::string(argv[1]) + "/mlp");
    for (int64_t i = 0; i < y.size(); ++i) std::printf("%.6f%s", y.data()[i], (i + 1) % y.shape()[1] ? " " : "\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
