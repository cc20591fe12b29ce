#include "frontend/nn/activation.h"

#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {

namespace {
// Gluon's activation names and the op each applies.
struct Named {
  const char* name;
  NDArray (*apply)(const NDArray&);
};
constexpr Named kActivations[] = {
    {"relu", nd::relu}, {"sigmoid", nd::sigmoid}, {"tanh", nd::tanh}, {"softrelu", nd::softrelu}, {"softsign", nd::softsign}};

const Named* find_activation(const std::string& name) {
  for (const Named& a : kActivations)
    if (name == a.name) return &a;
  return nullptr;
}
}  // namespace

void check_activation(const std::string& name) {
  if (name.empty() || find_activation(name)) return;
  std::string names;
  for (const Named& a : kActivations) names += fmt("\"", a.name, "\", ");
  throw ValueError(fmt("unknown activation '", name, "'; expected one of ", names, "or \"\" (none)"));
}

NDArray activate(const std::string& name, const NDArray& x) {
  if (name.empty()) return x;
  check_activation(name);
  return find_activation(name)->apply(x);
}

Activation::Activation(std::string name) : name_(std::move(name)) { check_activation(name_); }

LeakyReLU::LeakyReLU(float alpha) : alpha_(alpha) {
  if (!(alpha >= 0.f && alpha <= 1.f)) throw ValueError(fmt("LeakyReLU: alpha must be in [0, 1]; got ", alpha));
}

NDArray LeakyReLU::forward(const NDArray& x) { return nd::leaky_relu(x, alpha_); }
std::string LeakyReLU::extra_repr() const { return fmt(alpha_); }

}  // namespace kiln::nn
