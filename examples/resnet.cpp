// resnet [--steps N] [--batch B] [--out DIR]: d2l's ResNet-18 for CIFAR-sized 3×32×32 images,
// assembled from the residual-block factory (examples/d2l_models.h). It trains N compiled steps
// (Trainer::compile_step: forward, BatchNorm's batch statistics and running averages, backward,
// SGD) on one fixed synthetic batch — no CIFAR here; the loss falling shows that it learns — then
// hybridizes for prediction, exports, imports the export (SymbolBlock) and AOT-compiles it into a
// shared library (kiln's runtime only) for this host and for x86-64-v3 (AVX2), and checks that
// all of them predict the same.
#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "codegen/aot_compiler.h"
#include "examples/d2l_models.h"

using namespace kiln;

namespace {

struct Flags {
  int steps = 5;
  int64_t batch = 16;
  std::string out = "resnet18-out";
};

Flags parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) throw ValueError("resnet: " + arg + " needs a value (usage: resnet [--steps N] [--batch B] [--out DIR])");
    std::string value = argv[++i];
    if (arg == "--steps") f.steps = std::stoi(value);
    else if (arg == "--batch") f.batch = std::stoll(value);
    else if (arg == "--out") f.out = value;
    else throw ValueError("resnet: unknown option " + arg + " (usage: resnet [--steps N] [--batch B] [--out DIR])");
  }
  if (f.steps < 1 || f.batch < 1) throw ValueError("resnet: --steps and --batch must be positive");
  return f;
}

// The largest |a − b| over the elements.
float max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  float d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

// Runs the AOT library's model (codegen/aot_compiler.h's C ABI) on x.
std::vector<float> run_library(const std::string& library, const std::string& params, const NDArray& x, size_t outputs) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw Error(fmt("resnet: ", dlerror()));
  auto create = reinterpret_cast<void* (*)(const char*)>(dlsym(handle, "kiln_model_create"));
  auto run = reinterpret_cast<int (*)(void*, const float* const*, float* const*)>(dlsym(handle, "kiln_model_run"));
  auto destroy = reinterpret_cast<void (*)(void*)>(dlsym(handle, "kiln_model_destroy"));
  auto last_error = reinterpret_cast<const char* (*)()>(dlsym(handle, "kiln_model_last_error"));
  void* model = create(params.c_str());
  if (!model) throw Error(fmt("resnet: the AOT model did not load: ", last_error()));
  std::vector<float> input = x.to_vector(), y(outputs);
  const float* in[] = {input.data()};
  float* out[] = {y.data()};
  int status = run(model, in, out);
  std::string error = status ? last_error() : "";
  destroy(model);
  dlclose(handle);
  if (status) throw Error("resnet: the AOT model failed: " + error);
  return y;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Flags flags = parse(argc, argv);
    nd::random::seed(0);
    auto net = d2l::resnet18();
    NDArray x = nd::random::uniform({flags.batch, 3, 32, 32});
    std::vector<float> labels;
    for (int64_t i = 0; i < flags.batch; ++i) labels.push_back(static_cast<float>((i * 7) % 10));
    NDArray y = nd::array(labels);
    (*net)(x);  // completes the deferred shapes
    size_t parameters = 0;
    for (const auto& [name, p] : net->collect_params()) parameters += static_cast<size_t>(p->data().size());
    std::cout << "ResNet-18: " << net->collect_params().size() << " parameter arrays, " << parameters << " values\n";

    loss::SoftmaxCrossEntropyLoss loss;
    gluon::Trainer trainer(net->collect_params(), optimizer::SGD{.learning_rate = 0.05f, .momentum = 0.9f});
    auto step = trainer.compile_step(*net, loss);
    float first = 0, last = 0;
    for (int i = 0; i < flags.steps; ++i) {
      auto start = std::chrono::steady_clock::now();
      last = nd::mean(step(x, y)).asscalar();
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      if (i == 0) first = last;
      std::printf("step %d, loss %.4f, %s, %.0f ms\n", i + 1, last, step.last_call_compiled() ? "compiled" : "traced", ms);
    }

    net->hybridize();
    NDArray predicted = (*net)(x);  // predict mode: the running averages
    std::vector<float> want = (*net)(x).to_vector();
    std::filesystem::create_directories(flags.out);
    std::string prefix = flags.out + "/resnet18";
    net->export_model(prefix);
    auto imported = nn::SymbolBlock::imports(prefix + "-symbol.mlir", {"data"}, prefix + "-0000.params");
    float imported_diff = max_difference((*imported)(x).to_vector(), want);
    codegen::AotArtifact aot = codegen::compile_library(prefix + "-symbol.mlir", flags.out, {});
    float aot_diff = max_difference(run_library(aot.library, prefix + "-0000.params", x, want.size()), want);
    // A portable library (AVX2: activations blocked by 8 between convolutions) on this host,
    // whose oneDNN may block by 16: the runtime reorders where the layouts differ.
    codegen::AotArtifact portable =
        codegen::compile_library(prefix + "-symbol.mlir", flags.out + "/x86-64-v3", {.cpu = "x86-64-v3"});
    float portable_diff = max_difference(run_library(portable.library, prefix + "-0000.params", x, want.size()), want);
    std::printf("exported to %s-symbol.mlir; imported: max |difference| %.2g; AOT %s: max |difference| %.2g; "
                "for x86-64-v3: %.2g\n",
                prefix.c_str(), imported_diff, aot.library.c_str(), aot_diff, portable_diff);
    bool learned = last < first, same = imported_diff <= 1e-4f && aot_diff <= 1e-4f && portable_diff <= 1e-4f;
    if (!learned) std::cerr << "resnet: the loss did not fall (" << first << " -> " << last << ")\n";
    if (!same) std::cerr << "resnet: the imported or AOT model predicts otherwise than the trained one\n";
    if (learned && same) std::cout << "resnet: trained, exported, imported and AOT-compiled; outputs match\n";
    return learned && same ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
