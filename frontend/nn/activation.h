// nn::Activation, and the activation names every layer accepts: "relu", "sigmoid", "tanh",
// "softrelu", "softsign", or "" for none; nn::LeakyReLU.
// Threads: as every Block (frontend/nn/block.h).
#pragma once

#include <string>

#include "frontend/nn/block.h"

namespace kiln::nn {

// Applies the activation `name` (ValueError for an unknown name).
NDArray activate(const std::string& name, const NDArray& x);
// Checks `name` early, at layer construction (ValueError listing the valid names).
void check_activation(const std::string& name);

class Activation : public Block {
 public:
  explicit Activation(std::string name);

 protected:
  NDArray forward(const NDArray& x) override { return activate(name_, x); }
  std::string extra_repr() const override { return name_; }

 private:
  std::string name_;
};

// max(x, alpha·x): x where positive, alpha·x elsewhere (Gluon's LeakyReLU; alpha in [0, 1]).
class LeakyReLU : public Block {
 public:
  explicit LeakyReLU(float alpha);

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  float alpha_;
};

}  // namespace kiln::nn
