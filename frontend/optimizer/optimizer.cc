#include "frontend/optimizer/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "frontend/optimizer/compiled_update.h"
#include "frontend/optimizer/rules.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::optimizer {

Optimizer::~Optimizer() = default;

void Optimizer::configure(const std::string& name, const Options& options, std::map<std::string, float*> own) {
  own.emplace("learning_rate", &learning_rate_);
  own.emplace("wd", &wd_);
  own.emplace("clip_gradient", &clip_gradient_);
  own.emplace("rescale_grad", &rescale_grad_);
  for (const auto& [key, value] : options) {
    auto it = own.find(key);
    if (it == own.end()) {
      std::string known;
      for (const auto& [k, _] : own) known += (known.empty() ? "" : ", ") + k;
      throw ValueError(fmt("optimizer ", name, ": unknown option '", key, "' (it takes ", known, ")"));
    }
    if (!std::isfinite(value)) throw ValueError(fmt("optimizer ", name, ": ", key, " must be finite; got ", value));
    *it->second = value;
  }
  set_learning_rate(learning_rate_);
  if (wd_ < 0) throw ValueError(fmt("optimizer ", name, ": wd must not be negative; got ", wd_));
}

void Optimizer::set_learning_rate(float lr) {
  if (!std::isfinite(lr) || lr < 0)
    throw ValueError(fmt("optimizer: the learning rate must be finite and not negative; got ", lr));
  learning_rate_ = lr;
}

std::vector<float> Optimizer::step_scalars(int64_t t) const {
  float clip = clip_gradient_ > 0 ? clip_gradient_ : std::numeric_limits<float>::infinity();
  std::vector<float> s{learning_rate_, rescale_grad_, clip, wd_};
  std::vector<float> own = own_scalars(t);
  s.insert(s.end(), own.begin(), own.end());
  return s;
}

std::vector<NDArray> Optimizer::rule(const NDArray& weight, const NDArray& grad, std::span<const NDArray> states,
                                     std::span<const NDArray> s) const {
  const NDArray &lr = s[0], &rescale = s[1], &clip = s[2], &wd = s[3];
  // Whether the rule clips or decays is fixed at construction, so it is the rule's structure:
  // without them the update is linear in the gradient, which a compiled step folds into the
  // weight gradient's product (kiln-fuse-product-updates). Their values stay arguments.
  NDArray g = grad * rescale;
  if (clip_gradient_ > 0) g = nd::minimum(nd::maximum(g, -clip), clip);
  if (decays_in_gradient() && wd_ != 0.f) g = g + wd * weight;
  return step(weight, g, states, lr, wd, s.subspan(4));
}

void Optimizer::update(NDArray& weight, const NDArray& grad, std::span<NDArray> states, int64_t t) {
  if (states.size() != num_states())
    throw ValueError(fmt("optimizer ", name(), ": takes ", num_states(), " state arrays per weight; got ", states.size()));
  if (grad.shape() != weight.shape())
    throw ShapeError(fmt("optimizer ", name(), ": gradient of shape ", shape_str(grad.shape()), " for a weight of shape ",
                         shape_str(weight.shape())));
  // Each array the update writes must have storage of its own: two of them sharing it would
  // make the second write clobber the first.
  std::vector<const float*> arrays{std::as_const(weight).data(), grad.data()};
  for (const NDArray& s : states) arrays.push_back(std::as_const(s).data());
  for (size_t i = 0; i < arrays.size(); ++i)
    for (size_t j = i + 1; j < arrays.size(); ++j)
      if (arrays[i] == arrays[j])
        throw ValueError(fmt("optimizer ", name(), ": the weight, its gradient and its states must not share storage (",
                             "arrays ", i, " and ", j, " do)"));
  std::vector<float> scalars = step_scalars(t);
  auto pause = autograd::pause();
  if (compile_) {
    try {
      auto found = std::find_if(compiled_.begin(), compiled_.end(), [&](const auto& c) { return c.first == weight.shape(); });
      if (found == compiled_.end())
        found = compiled_.emplace(compiled_.end(), weight.shape(), std::make_shared<CompiledUpdate>(*this, weight.shape()));
      found->second->run(weight, grad, states, scalars);
      return;
    } catch (const Error& e) {
      compile_ = false;
      log::print(fmt("warning: optimizer ", name(), "'s update cannot be compiled (", e.what(),
                     "); it runs eagerly from now on"));
    }
  }
  std::vector<NDArray> scalar_arrays;
  for (float s : scalars) scalar_arrays.push_back(nd::full({}, s));
  std::vector<NDArray> out = rule(weight, grad, states, scalar_arrays);
  weight.assign(out[0]);
  for (size_t i = 0; i < states.size(); ++i) states[i].assign(out[1 + i]);
}

std::unique_ptr<Optimizer> create(const std::string& name, const Options& options) {
  if (name == "sgd") return make_sgd(options, false);
  if (name == "nag") return make_sgd(options, true);
  if (name == "adam") return make_adam(options, false);
  if (name == "adamw") return make_adam(options, true);
  if (name == "rmsprop") return make_rmsprop(options);
  if (name == "adagrad") return make_adagrad(options);
  throw ValueError(fmt("optimizer: unknown optimizer '", name, "' (known: sgd, nag, adam, adamw, rmsprop, adagrad)"));
}

}  // namespace kiln::optimizer
