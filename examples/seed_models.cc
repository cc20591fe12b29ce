#include "examples/seed_models.h"

namespace kiln::seed {

std::shared_ptr<nn::Sequential> make_sequential_mlp() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Dense(256, "relu"));
  net->add(nn::Dense(10));
  return net;
}

FancyMLP::FancyMLP() {
  // Random weight parameters created with get_constant are not iterated during training.
  rand_weight = params().get_constant("rand_weight", nd::random::uniform({20, 20}));
}

NDArray FancyMLP::forward(const NDArray& input) {
  NDArray x = dense(input);
  // Use the constant parameter, and the relu and dot functions of NDArray.
  x = nd::relu(nd::dot(x, rand_weight->data()) + 1.f);
  // Reuse the fully connected layer: its parameters are shared by both uses.
  x = dense(x);
  // Control flow needs asscalar() to bring the value to the host for the comparison.
  while (x.norm().asscalar() > 1) x /= 2;
  if (x.norm().asscalar() < 0.8f) x *= 10;
  return x.sum();
}

NestMLP::NestMLP() { net->add(nn::Dense(64, "relu"), nn::Dense(32, "relu")); }

std::shared_ptr<nn::Sequential> make_chimera() {
  auto chimera = std::make_shared<nn::Sequential>();
  chimera->add(NestMLP(), nn::Dense(20), FancyMLP());
  return chimera;
}

std::shared_ptr<nn::Sequential> stack(int count, const std::function<std::shared_ptr<nn::Block>()>& factory) {
  auto net = std::make_shared<nn::Sequential>();
  for (int i = 0; i < count; ++i) net->add(factory());
  return net;
}

}  // namespace kiln::seed
