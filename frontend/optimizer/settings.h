// Typed settings for the optimizers, beside Gluon's string form:
//
//   gluon::Trainer trainer(net.collect_params(), optimizer::SGD{.learning_rate = 0.5f, .momentum = 0.9f});
//   gluon::Trainer same(net.collect_params(), "sgd", {{"learning_rate", 0.5f}, {"momentum", 0.9f}});
//
// Defaults are MXNet's. Every optimizer also takes wd (weight decay), clip_gradient (a bound on
// each rescaled gradient element; not positive: none) and rescale_grad. Both forms go through
// optimizer::create, so they check alike.
#pragma once

#include <memory>

#include "frontend/optimizer/optimizer.h"

namespace kiln::optimizer {

// SGD, with momentum if given; with `nesterov`, MXNet's nag (momentum 0.9 unless given).
struct SGD {
  float learning_rate = 0.01f, momentum = 0.f;
  bool nesterov = false;
  float wd = 0.f, clip_gradient = -1.f, rescale_grad = 1.f;
};
// Adam; with `decoupled`, AdamW (weight decay applied to the weight, not the gradient).
struct Adam {
  float learning_rate = 0.001f, beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  bool decoupled = false;
  float wd = 0.f, clip_gradient = -1.f, rescale_grad = 1.f;
};
struct RMSProp {
  float learning_rate = 0.001f, gamma1 = 0.9f, epsilon = 1e-8f;
  float wd = 0.f, clip_gradient = -1.f, rescale_grad = 1.f;
};
struct AdaGrad {
  float learning_rate = 0.01f, epsilon = 1e-7f;
  float wd = 0.f, clip_gradient = -1.f, rescale_grad = 1.f;
};

// The optimizer the settings describe (ValueError for a value out of range, as create's).
std::unique_ptr<Optimizer> make(const SGD& settings);
std::unique_ptr<Optimizer> make(const Adam& settings);
std::unique_ptr<Optimizer> make(const RMSProp& settings);
std::unique_ptr<Optimizer> make(const AdaGrad& settings);

}  // namespace kiln::optimizer
