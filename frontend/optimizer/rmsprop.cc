// RMSProp as MXNet's (not centred): g' = clip(rescale·g) + wd·w, n ← γ·n + (1−γ)·g'²,
// w ← w − lr·g' / (√n + ε).
#include "frontend/nd.h"
#include "frontend/optimizer/rules.h"
#include "runtime/error.h"

namespace kiln::optimizer {
namespace {

class RMSProp final : public Optimizer {
 public:
  explicit RMSProp(const Options& options) {
    learning_rate_ = 0.001f;
    configure("rmsprop", options, {{"gamma1", &gamma1_}, {"epsilon", &epsilon_}});
    if (gamma1_ < 0 || gamma1_ >= 1) throw ValueError(fmt("optimizer rmsprop: gamma1 must be in [0, 1); got ", gamma1_));
    if (epsilon_ <= 0) throw ValueError(fmt("optimizer rmsprop: epsilon must be positive; got ", epsilon_));
  }
  std::string name() const override { return "rmsprop"; }
  size_t num_states() const override { return 1; }

 protected:
  std::vector<float> own_scalars(int64_t) const override { return {gamma1_, epsilon_}; }
  std::vector<NDArray> step(const NDArray& w, const NDArray& g, std::span<const NDArray> states, const NDArray& lr,
                            const NDArray&, std::span<const NDArray> own) const override {
    const NDArray &gamma1 = own[0], &epsilon = own[1];
    NDArray n = gamma1 * states[0] + (1.f - gamma1) * nd::square(g);
    return {w - lr * g / (nd::sqrt(n) + epsilon), n};
  }

 private:
  float gamma1_ = 0.9f, epsilon_ = 1e-8f;
};

}  // namespace

std::unique_ptr<Optimizer> make_rmsprop(const Options& options) { return std::make_unique<RMSProp>(options); }

}  // namespace kiln::optimizer
