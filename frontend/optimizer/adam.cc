// Adam as MXNet's: g' = clip(rescale·g) + wd·w, m ← β1·m + (1−β1)·g', v ← β2·v + (1−β2)·g'²,
// w ← w − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε). AdamW (decoupled weight decay, as PyTorch's
// AdamW): g' leaves wd out and the step also subtracts lr·wd·w.
#include <cmath>

#include "frontend/nd.h"
#include "frontend/optimizer/rules.h"
#include "runtime/error.h"

namespace kiln::optimizer {
namespace {

class Adam final : public Optimizer {
 public:
  Adam(const Options& options, bool decoupled) : decoupled_(decoupled) {
    learning_rate_ = 0.001f;
    configure(name(), options, {{"beta1", &beta1_}, {"beta2", &beta2_}, {"epsilon", &epsilon_}});
    for (auto [what, beta] : {std::pair{"beta1", beta1_}, std::pair{"beta2", beta2_}})
      if (beta < 0 || beta >= 1) throw ValueError(fmt("optimizer ", name(), ": ", what, " must be in [0, 1); got ", beta));
    if (epsilon_ <= 0) throw ValueError(fmt("optimizer ", name(), ": epsilon must be positive; got ", epsilon_));
  }
  std::string name() const override { return decoupled_ ? "adamw" : "adam"; }
  size_t num_states() const override { return 2; }

 protected:
  bool decays_in_gradient() const override { return !decoupled_; }
  std::vector<float> own_scalars(int64_t t) const override {
    auto steps = static_cast<double>(t);
    float correction = static_cast<float>(std::sqrt(1 - std::pow(beta2_, steps)) / (1 - std::pow(beta1_, steps)));
    return {beta1_, beta2_, epsilon_, correction};
  }
  std::vector<NDArray> step(const NDArray& w, const NDArray& g, std::span<const NDArray> states, const NDArray& lr,
                            const NDArray& wd, std::span<const NDArray> own) const override {
    const NDArray &beta1 = own[0], &beta2 = own[1], &epsilon = own[2], &correction = own[3];
    NDArray m = beta1 * states[0] + (1.f - beta1) * g;
    NDArray v = beta2 * states[1] + (1.f - beta2) * nd::square(g);
    NDArray step = lr * correction * m / (nd::sqrt(v) + epsilon);
    if (decoupled_) step = step + lr * wd * w;
    return {w - step, m, v};
  }

 private:
  bool decoupled_;
  float beta1_ = 0.9f, beta2_ = 0.999f, epsilon_ = 1e-8f;
};

}  // namespace

std::unique_ptr<Optimizer> make_adam(const Options& options, bool decoupled) {
  return std::make_unique<Adam>(options, decoupled);
}

}  // namespace kiln::optimizer
