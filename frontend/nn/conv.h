// nn::Conv2D: y = activation(x ⋆ weight + bias) on NCHW input, Gluon's Conv2D. With in_channels
// = 0 the input's channels are taken from the first input (deferred shape inference).
//
//   nn::Conv2D(6, 5, 1, 2, 1, 1, "sigmoid")                    Gluon's positional form
//   nn::Conv2D({.channels = 6, .kernel_size = 5, .padding = 2, .activation = "sigmoid"})
#pragma once

#include <string>

#include "frontend/nd.h"
#include "frontend/nn/block.h"

namespace kiln::nn {

// A (height, width) pair; one number stands for both, as in Gluon.
struct Pair {
  Pair(int64_t both) : h(both), w(both) {}  // NOLINT(google-explicit-constructor): Gluon's int form
  Pair(int64_t height, int64_t width) : h(height), w(width) {}
  std::array<int64_t, 2> array() const { return {h, w}; }
  int64_t h, w;
};

struct Conv2DOptions {
  int64_t channels = 0;
  Pair kernel_size = 1, strides = 1, padding = 0, dilation = 1;
  int64_t groups = 1;
  std::string activation;
  bool use_bias = true;
  int64_t in_channels = 0;  // 0: from the first input
};

class Conv2D : public Block {
 public:
  explicit Conv2D(const Conv2DOptions& options);
  Conv2D(int64_t channels, Pair kernel_size, Pair strides = 1, Pair padding = 0, Pair dilation = 1, int64_t groups = 1,
         std::string activation = "", bool use_bias = true, int64_t in_channels = 0);

  const Conv2DOptions& options() const { return options_; }
  std::shared_ptr<Parameter> weight;  // channels × in_channels / groups × kh × kw
  std::shared_ptr<Parameter> bias;    // channels (null without bias)

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  Conv2DOptions options_;
};

}  // namespace kiln::nn
