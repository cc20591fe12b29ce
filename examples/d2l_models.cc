#include "examples/d2l_models.h"

namespace kiln::d2l {

std::shared_ptr<nn::Sequential> mlp() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Flatten());
  net->add(nn::Dense(256, "relu"));
  net->add(nn::Dense(10));
  net->initialize(init::Normal(0.01f));
  return net;
}

std::shared_ptr<nn::Sequential> lenet() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Conv2D(6, 5, 1, 0, 1, 1, "sigmoid"));
  net->add(nn::MaxPool2D(2, 2));
  net->add(nn::Conv2D(16, 5, 1, 0, 1, 1, "sigmoid"));
  net->add(nn::MaxPool2D(2, 2));
  net->add(nn::Dense(120, "sigmoid"));
  net->add(nn::Dense(84, "sigmoid"));
  net->add(nn::Dense(10));
  net->initialize(init::Xavier());
  return net;
}

Residual::Residual(int64_t channels, bool use_1x1conv, int64_t strides) {
  conv1_ = register_block("conv1", nn::Conv2D({.channels = channels, .kernel_size = 3, .strides = strides, .padding = 1,
                                               .use_bias = false}));
  bn1_ = register_block("bn1", nn::BatchNorm());
  conv2_ = register_block("conv2", nn::Conv2D({.channels = channels, .kernel_size = 3, .padding = 1, .use_bias = false}));
  bn2_ = register_block("bn2", nn::BatchNorm());
  if (use_1x1conv) {
    conv3_ = register_block("conv3", nn::Conv2D({.channels = channels, .kernel_size = 1, .strides = strides,
                                                 .use_bias = false}));
    bn3_ = register_block("bn3", nn::BatchNorm());
  }
}

NDArray Residual::forward(const NDArray& x) {
  NDArray y = nd::relu(bn1_(conv1_(x)));
  y = bn2_(conv2_(y));
  return nd::relu(y + (conv3_.ptr() ? bn3_(conv3_(x)) : x));
}

std::shared_ptr<nn::HybridSequential> resnet_stage(int64_t channels, int residuals, bool first_stage) {
  auto stage = std::make_shared<nn::HybridSequential>();
  for (int i = 0; i < residuals; ++i) {
    if (i == 0 && !first_stage) stage->add(Residual(channels, true, 2));
    else stage->add(Residual(channels));
  }
  return stage;
}

std::shared_ptr<nn::HybridSequential> resnet18(int64_t classes) {
  auto net = std::make_shared<nn::HybridSequential>();
  net->add(nn::Conv2D({.channels = 64, .kernel_size = 3, .padding = 1, .use_bias = false}), nn::BatchNorm(),
           nn::Activation("relu"));
  net->add(resnet_stage(64, 2, true), resnet_stage(128, 2), resnet_stage(256, 2), resnet_stage(512, 2));
  net->add(nn::GlobalAvgPool2D(), nn::Dense(classes));
  net->initialize(init::Xavier());
  return net;
}

}  // namespace kiln::d2l
