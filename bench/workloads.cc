#include "bench/workloads.h"

#include "examples/d2l_models.h"
#include "examples/seed_models.h"

namespace kiln::workloads {
namespace {

std::shared_ptr<nn::Block> seed_mlp() { return seed::make_sequential_mlp(); }

// The chimera without FancyMLP: NestMLP (20 -> 64 relu -> 32 relu -> 16 relu) then Dense(20).
std::shared_ptr<nn::Block> nest_mlp() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(seed::NestMLP());
  net->add(nn::Dense(20));
  return net;
}

std::shared_ptr<nn::Block> chimera() { return seed::make_chimera(); }

std::shared_ptr<nn::Block> fancy_mlp() { return std::make_shared<seed::FancyMLP>(); }

std::shared_ptr<nn::Block> deep_mlp() {
  auto net = std::make_shared<nn::Sequential>();
  for (int i = 0; i < 16; ++i) net->add(nn::Dense(64, "relu"));
  return net;
}

std::shared_ptr<nn::Block> wide_mlp() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Dense(1024, "relu"));
  net->add(nn::Dense(1024, "relu"));
  net->add(nn::Dense(10));
  return net;
}

// The same network as ../shared/anchors/onednn-chain conv_block: two 3x3 convolutions with relu,
// a 2x2 max pool, a Dense layer.
std::shared_ptr<nn::Block> conv_block() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Conv2D(64, 3, 1, 1, 1, 1, "relu"));
  net->add(nn::Conv2D(64, 3, 1, 1, 1, 1, "relu"));
  net->add(nn::MaxPool2D(2, 2));
  net->add(nn::Dense(10));
  return net;
}

std::shared_ptr<nn::Block> resnet18() { return d2l::resnet18(); }

}  // namespace

const std::vector<Workload>& all() {
  static const std::vector<Workload> workloads{
      {"seed_mlp", "2x20 -> Dense 256 relu -> Dense 10", {2, 20}, seed_mlp},
      {"nest_mlp", "2x20 -> 64 relu -> 32 relu -> 16 relu -> 20", {2, 20}, nest_mlp},
      {"chimera", "NestMLP, Dense 20, FancyMLP (guards on its host reads)", {2, 20}, chimera},
      {"fancy_mlp", "FancyMLP: 2x20 -> Dense 20 relu, constant dot, while/if on the norm", {2, 20}, fancy_mlp},
      {"deep_mlp", "1x64 -> 16 x Dense 64 relu", {1, 64}, deep_mlp},
      {"wide_mlp", "256x784 -> 1024 relu -> 1024 relu -> 10", {256, 784}, wide_mlp},
      {"conv_block", "8x3x32x32 -> Conv2D 64 3x3 relu -> Conv2D 64 3x3 relu -> MaxPool 2 -> Dense 10", {8, 3, 32, 32},
       conv_block},
      {"resnet18", "1x3x32x32 -> d2l's ResNet-18 (CIFAR stem, 4 stages of 2 residual blocks, BatchNorm) -> 10",
       {1, 3, 32, 32}, resnet18},
      {"resnet18_b32", "the same ResNet-18 at batch 32", {32, 3, 32, 32}, resnet18},
  };
  return workloads;
}

const Workload& find(std::string_view name) {
  std::string known;
  for (const Workload& w : all()) {
    if (w.name == name) return w;
    known += (known.empty() ? "" : ", ") + w.name;
  }
  throw ValueError(fmt("unknown workload '", name, "'; the workloads are: ", known));
}

Instance instantiate(const Workload& workload, uint64_t seed) {
  nd::random::seed(seed);
  Instance instance{workload.build(), nd::random::uniform(-1.f, 1.f, workload.input_shape)};
  instance.net->initialize();
  (*instance.net)(instance.input);
  return instance;
}

}  // namespace kiln::workloads
