#include "frontend/optimizer/settings.h"

#include <string>

namespace kiln::optimizer {
namespace {

// The string form of the settings every optimizer takes, plus its own.
template <class Settings>
std::unique_ptr<Optimizer> create_with(const std::string& name, const Settings& s, Options own) {
  own.emplace("learning_rate", s.learning_rate);
  own.emplace("wd", s.wd);
  own.emplace("clip_gradient", s.clip_gradient);
  own.emplace("rescale_grad", s.rescale_grad);
  return create(name, own);
}

}  // namespace

std::unique_ptr<Optimizer> make(const SGD& s) {
  Options own{{"momentum", s.momentum}};
  if (s.nesterov && s.momentum == 0.f) own.clear();  // nag's own default momentum
  return create_with(s.nesterov ? "nag" : "sgd", s, own);
}
std::unique_ptr<Optimizer> make(const Adam& s) {
  return create_with(s.decoupled ? "adamw" : "adam", s, {{"beta1", s.beta1}, {"beta2", s.beta2}, {"epsilon", s.epsilon}});
}
std::unique_ptr<Optimizer> make(const RMSProp& s) {
  return create_with("rmsprop", s, {{"gamma1", s.gamma1}, {"epsilon", s.epsilon}});
}
std::unique_ptr<Optimizer> make(const AdaGrad& s) { return create_with("adagrad", s, {{"epsilon", s.epsilon}}); }

}  // namespace kiln::optimizer
