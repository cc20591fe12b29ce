#include "frontend/nn/dense.h"

#include "frontend/nn/activation.h"
#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {

Dense::Dense(int64_t units, std::string activation, bool use_bias, int64_t in_units)
    : units_(units), activation_(std::move(activation)) {
  if (units <= 0) throw ValueError(fmt("Dense: units must be positive, got ", units));
  if (in_units < 0) throw ValueError(fmt("Dense: in_units must be non-negative (0 = inferred), got ", in_units));
  check_activation(activation_);
  weight = params().get("weight", {units, in_units});
  if (use_bias) bias = params().get("bias", {units}, GradReq::Write, std::make_shared<init::Zero>());
}

NDArray Dense::forward(const NDArray& x) {
  if (x.ndim() < 2)
    throw ShapeError(fmt(display_name(), ": expects input of shape (batch, features), got ", shape_str(x.shape())));
  NDArray flat = x.ndim() == 2 ? x : x.reshape({x.shape()[0], -1});
  int64_t features = flat.shape()[1];
  if (features == 0)
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()),
                         " has 0 features; a Dense layer needs at least one"));
  // infer_shape first: the weight's shape may be completed by another thread's first call meanwhile.
  try {
    weight->infer_shape({units_, features});
    NDArray y = nd::fully_connected(flat, weight->data(), bias ? bias->data() : NDArray());
    return activate(activation_, y);
  } catch (const ShapeError&) {
    if (weight->shape()[1] == features) throw;
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", features,
                         " features but the layer's in_units is ", weight->shape()[1], " (weight ",
                         shape_str(weight->shape()), ")"));
  } catch (const InitError& e) {
    throw_uninitialized(e);
  }
}

std::string Dense::extra_repr() const {
  int64_t in = weight->shape()[1];
  return fmt(in ? std::to_string(in) : "None", " -> ", units_, ", ", activation_.empty() ? "linear" : activation_);
}

}  // namespace kiln::nn
