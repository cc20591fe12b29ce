#include "frontend/nn/batch_norm.h"

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {

BatchNorm::BatchNorm(int axis, float momentum, float epsilon, bool center, bool scale, bool use_global_stats,
                     int64_t in_channels)
    : BatchNorm(BatchNormOptions{axis, momentum, epsilon, center, scale, use_global_stats, in_channels}) {}

BatchNorm::BatchNorm(const BatchNormOptions& o) : options_(o) {
  if (o.axis != 1)
    throw ValueError(fmt("BatchNorm: kiln normalises over axis 1 (the channels of NCHW data), got axis ", o.axis));
  if (!(o.momentum >= 0.f && o.momentum <= 1.f)) throw ValueError(fmt("BatchNorm: momentum must be in [0, 1], got ", o.momentum));
  if (!(o.epsilon > 0.f)) throw ValueError(fmt("BatchNorm: epsilon must be positive, got ", o.epsilon));
  if (o.in_channels < 0) throw ValueError(fmt("BatchNorm: in_channels must be non-negative (0 = inferred), got ", o.in_channels));
  auto ones = std::make_shared<init::One>();
  auto zeros = std::make_shared<init::Zero>();
  gamma = params().get("gamma", {o.in_channels}, o.scale ? GradReq::Write : GradReq::Null, ones);
  beta = params().get("beta", {o.in_channels}, o.center ? GradReq::Write : GradReq::Null, zeros);
  running_mean = params().get("running_mean", {o.in_channels}, GradReq::Null, zeros);
  running_var = params().get("running_var", {o.in_channels}, GradReq::Null, ones);
}

NDArray BatchNorm::forward(const NDArray& x) {
  const BatchNormOptions& o = options_;
  if (x.ndim() < 2)
    throw ShapeError(fmt(display_name(), ": expects input with a batch and a channel axis (n×c or n×c×h×w), got ",
                         shape_str(x.shape())));
  int64_t built_for = gamma->shape()[0];
  if (built_for && built_for != x.shape()[1])
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", x.shape()[1],
                         " channels but the layer's parameters are for ", built_for));
  try {
    for (const auto& p : {gamma, beta, running_mean, running_var}) p->infer_shape({x.shape()[1]});
    if (!autograd::is_training() || o.use_global_stats)
      return nd::batch_norm(x, gamma->data(), beta->data(), running_mean->data(), running_var->data(), o.epsilon);
    NDArray stats = nd::batch_norm_stats(x);
    int64_t c = x.shape()[1];
    NDArray mean = nd::reshape(nd::slice_axis(stats, 0, 0, 1), {c}), var = nd::reshape(nd::slice_axis(stats, 0, 1, 2), {c});
    NDArray y = nd::batch_norm(x, gamma->data(), beta->data(), mean, var, o.epsilon, /*batch_stats=*/true);
    auto pause = autograd::pause();
    for (auto [running, batch] : {std::pair{running_mean, mean}, {running_var, var}}) {
      NDArray r = running->data();  // the same array: written in place, as Gluon's aux states
      r *= o.momentum;
      r += batch * (1.f - o.momentum);
    }
    return y;
  } catch (const ShapeError& e) {
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), ": ", e.what()));
  } catch (const InitError& e) {
    throw_uninitialized(e);
  }
}

std::string BatchNorm::extra_repr() const {
  const BatchNormOptions& o = options_;
  int64_t c = gamma->shape()[0];
  return fmt("axis=", o.axis, ", eps=", o.epsilon, ", momentum=", o.momentum, ", fix_gamma=", o.scale ? "False" : "True",
             ", use_global_stats=", o.use_global_stats ? "True" : "False", ", in_channels=", c ? std::to_string(c) : "None");
}

}  // namespace kiln::nn
