#include "frontend/activation.h"

#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {

void check_activation(const std::string& name) {
  if (name != "" && name != "relu" && name != "sigmoid" && name != "tanh")
    throw ValueError(fmt("unknown activation '", name, "'; expected \"relu\", \"sigmoid\", \"tanh\" or \"\" (none)"));
}

NDArray activate(const std::string& name, const NDArray& x) {
  if (name.empty()) return x;
  if (name == "relu") return nd::relu(x);
  if (name == "sigmoid") return nd::sigmoid(x);
  if (name == "tanh") return nd::tanh(x);
  check_activation(name);
  return x;
}

Activation::Activation(std::string name) : name_(std::move(name)) { check_activation(name_); }

}  // namespace kiln::nn
