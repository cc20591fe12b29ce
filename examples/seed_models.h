// The networks of the seed chapter ("Layers and Blocks", Dive into Deep Learning), written once
// and shared by examples/seed_chapter.cpp, the tests and the benchmarks. Each reads like the
// chapter's Python; the comments quote what differs.
#pragma once

#include <functional>

#include "frontend/kiln.h"

namespace kiln::seed {

// net = nn.Sequential(); net.add(nn.Dense(256, activation='relu')); net.add(nn.Dense(10))
std::shared_ptr<nn::Sequential> make_sequential_mlp();

class MLP : public nn::Block {
 public:
  nn::Child<nn::Dense> hidden = register_block("hidden", nn::Dense(256, "relu"));  // Hidden layer
  nn::Child<nn::Dense> output = register_block("output", nn::Dense(10));           // Output layer

 protected:
  NDArray forward(const NDArray& x) override { return output(hidden(x)); }
};

// A user's own Sequential: children run in the order they were added.
class MySequential : public nn::Block {
 public:
  template <class B>
  void add(B&& block) {
    register_block(std::to_string(children().size()), std::forward<B>(block));
  }

 protected:
  NDArray forward(const NDArray& x) override {
    NDArray out = x;
    for (const auto& [name, block] : children()) out = (*block)(out);
    return out;
  }
};

// A constant weight from get_constant, the same Dense used twice, and control flow on values
// read back with asscalar().
class FancyMLP : public nn::Block {
 public:
  FancyMLP();
  nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(20, "relu"));
  std::shared_ptr<Parameter> rand_weight;

 protected:
  NDArray forward(const NDArray& x) override;
};

class NestMLP : public nn::Block {
 public:
  NestMLP();
  nn::Child<nn::Sequential> net = register_block("net", nn::Sequential());
  nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(16, "relu"));

 protected:
  NDArray forward(const NDArray& x) override { return dense(net(x)); }
};

// chimera = nn.Sequential(); chimera.add(NestMLP(), nn.Dense(20), FancyMLP())
std::shared_ptr<nn::Sequential> make_chimera();

// Exercise 4: runs two nets on the same input and concatenates their outputs (on axis 1).
class Parallel : public nn::Block {
 public:
  template <class B1, class B2>
  Parallel(B1&& net1, B2&& net2)
      : net1_(register_block("net1", std::forward<B1>(net1))), net2_(register_block("net2", std::forward<B2>(net2))) {}

 protected:
  NDArray forward(const NDArray& x) override { return nd::concat({net1_(x), net2_(x)}, 1); }

 private:
  nn::Child<nn::Block> net1_, net2_;
};

// Exercise 5: a Sequential of `count` fresh instances made by `factory`.
std::shared_ptr<nn::Sequential> stack(int count, const std::function<std::shared_ptr<nn::Block>()>& factory);

}  // namespace kiln::seed
