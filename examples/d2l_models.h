// The d2l book's Fashion-MNIST classifiers, built once for the examples, the benchmarks and the
// tests (each returns an initialised network).
#pragma once

#include <memory>

#include "frontend/kiln.h"

namespace kiln::d2l {

// The multilayer perceptron: Flatten, Dense(256, relu), Dense(10); weights ~ N(0, 0.01).
std::shared_ptr<nn::Sequential> mlp();
// LeNet as ../shared/anchors/torch-train lenet_train has it: Conv2D(6, 5) sigmoid, MaxPool2D(2, 2),
// Conv2D(16, 5) sigmoid, MaxPool2D(2, 2), Dense(120) sigmoid, Dense(84) sigmoid, Dense(10);
// Xavier initialisation. Takes 1×28×28 images.
std::shared_ptr<nn::Sequential> lenet();

// d2l's residual block (ResNet): conv3×3(strides) → BatchNorm → relu → conv3×3 → BatchNorm, added
// to the input — through a 1×1 convolution and BatchNorm when it changes the channels or the
// size — then relu. Convolutions without bias (the BatchNorm after each has its own shift), as
// ../shared/anchors/infer_torch.py builds them.
class Residual : public nn::Block {
 public:
  Residual(int64_t channels, bool use_1x1conv = false, int64_t strides = 1);

 protected:
  NDArray forward(const NDArray& x) override;

 private:
  nn::Child<nn::Conv2D> conv1_, conv2_, conv3_;  // conv3_ (the shortcut's) only with use_1x1conv
  nn::Child<nn::BatchNorm> bn1_, bn2_, bn3_;
};

// The chapter's block factory: `residuals` Residual blocks of `channels`, the first halving the
// size and widening the channels unless `first_stage` (whose input has them already).
std::shared_ptr<nn::HybridSequential> resnet_stage(int64_t channels, int residuals, bool first_stage = false);
// ResNet-18 for 3×32×32 images (CIFAR's layout: a 3×3 stem convolution of 64 channels and no
// stem pool), four stages of two residual blocks (64, 128, 256, 512 channels), global average
// pool, Dense(classes); Xavier initialisation (shapes complete on the first call).
std::shared_ptr<nn::HybridSequential> resnet18(int64_t classes = 10);

}  // namespace kiln::d2l
