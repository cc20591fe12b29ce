// nn::Dense: y = activation(x · weightᵀ + bias), Gluon's fully connected layer. With in_units = 0
// the input width is taken from the first input (deferred shape inference). Inputs of more than
// two axes are flattened to (batch, features), as Gluon's flatten=True.
// Threads: as every Block (frontend/nn/block.h).
#pragma once

#include <string>

#include "frontend/nn/block.h"

namespace kiln::nn {

class Dense : public Block {
 public:
  explicit Dense(int64_t units, std::string activation = "", bool use_bias = true, int64_t in_units = 0);

  int64_t units() const { return units_; }
  std::shared_ptr<Parameter> weight;  // units × in_units
  std::shared_ptr<Parameter> bias;    // units (null without bias)

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  int64_t units_;
  std::string activation_;
};

}  // namespace kiln::nn
