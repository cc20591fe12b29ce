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

}  // namespace kiln::d2l
