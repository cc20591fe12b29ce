// AdaGrad as MXNet's: g' = clip(rescale·g) + wd·w, h ← h + g'², w ← w − lr·g' / (√h + ε).
#include "frontend/nd.h"
#include "frontend/optimizer/rules.h"
#include "runtime/error.h"

namespace kiln::optimizer {
namespace {

class AdaGrad final : public Optimizer {
 public:
  explicit AdaGrad(const Options& options) {
    configure("adagrad", options, {{"epsilon", &epsilon_}});
    if (epsilon_ <= 0) throw ValueError(fmt("optimizer adagrad: epsilon must be positive; got ", epsilon_));
  }
  std::string name() const override { return "adagrad"; }
  size_t num_states() const override { return 1; }

 protected:
  std::vector<float> own_scalars(int64_t) const override { return {epsilon_}; }
  std::vector<NDArray> step(const NDArray& w, const NDArray& g, std::span<const NDArray> states, const NDArray& lr,
                            const NDArray&, std::span<const NDArray> own) const override {
    const NDArray& epsilon = own[0];
    NDArray h = states[0] + nd::square(g);
    return {w - lr * g / (nd::sqrt(h) + epsilon), h};
  }

 private:
  float epsilon_ = 1e-7f;
};

}  // namespace

std::unique_ptr<Optimizer> make_adagrad(const Options& options) { return std::make_unique<AdaGrad>(options); }

}  // namespace kiln::optimizer
