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
  Pair output_padding = 0;  // Conv2DTranspose only: added to the output's far side
};

// What Conv2D and Conv2DTranspose share: their options (checked), the weight and the bias.
class ConvolutionLayer : public Block {
 public:
  const Conv2DOptions& options() const { return options_; }
  std::shared_ptr<Parameter> weight;
  std::shared_ptr<Parameter> bias;  // channels (null without bias)

 protected:
  // `layer` names the layer in errors; the weight's axis `in_axis` holds the input channels.
  ConvolutionLayer(const char* layer, const Conv2DOptions& options, const Shape& weight_shape, int in_axis);
  // The input's channels (4-D input whose channels the groups divide; the weight's, once known).
  int64_t input_channels(const NDArray& x) const;
  std::string extra_repr() const override;

  Conv2DOptions options_;
  int in_axis_;
};

class Conv2D : public ConvolutionLayer {
 public:
  explicit Conv2D(const Conv2DOptions& options);
  Conv2D(int64_t channels, Pair kernel_size, Pair strides = 1, Pair padding = 0, Pair dilation = 1, int64_t groups = 1,
         std::string activation = "", bool use_bias = true, int64_t in_channels = 0);
  // weight: channels × in_channels / groups × kh × kw

 protected:
  NDArray forward(const NDArray& x) override;
};

// nn::Conv2DTranspose: Gluon's Conv2DTranspose (the transposed convolution, "deconvolution"),
// weight in_channels × channels/groups × kh × kw; output extents (h − 1)·strides − 2·padding +
// dilation·(kernel − 1) + output_padding + 1.
//
//   nn::Conv2DTranspose(16, 3, 2, 1, 1)                 channels, kernel, strides, padding, output_padding
//   nn::Conv2DTranspose({.channels = 16, .kernel_size = 4, .strides = 2, .padding = 1})
class Conv2DTranspose : public ConvolutionLayer {
 public:
  explicit Conv2DTranspose(const Conv2DOptions& options);
  Conv2DTranspose(int64_t channels, Pair kernel_size, Pair strides = 1, Pair padding = 0, Pair output_padding = 0,
                  Pair dilation = 1, int64_t groups = 1, std::string activation = "", bool use_bias = true,
                  int64_t in_channels = 0);
  // weight: in_channels × channels / groups × kh × kw

 protected:
  NDArray forward(const NDArray& x) override;
};

}  // namespace kiln::nn
