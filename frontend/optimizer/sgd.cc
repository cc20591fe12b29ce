// SGD as MXNet's: g' = clip(rescale·g) + wd·w; without momentum w ← w − lr·g'; with momentum
// m ← μ·m − lr·g', w ← w + m; Nesterov's (MXNet's nag) m ← μ·m + g', w ← w − lr·(g' + μ·m).
#include "frontend/nd.h"
#include "frontend/optimizer/rules.h"
#include "runtime/error.h"

namespace kiln::optimizer {
namespace {

class SGD final : public Optimizer {
 public:
  SGD(const Options& options, bool nesterov) {
    float nesterov_option = nesterov ? 1.f : 0.f;
    configure(nesterov ? "nag" : "sgd", options, {{"momentum", &momentum_}, {"nesterov", &nesterov_option}});
    if (momentum_ < 0 || momentum_ >= 1) throw ValueError(fmt("optimizer sgd: momentum must be in [0, 1); got ", momentum_));
    nesterov_ = nesterov_option != 0.f;
    if (nesterov_ && momentum_ == 0.f) momentum_ = 0.9f;  // MXNet's nag default
  }
  std::string name() const override { return nesterov_ ? "nag" : "sgd"; }
  size_t num_states() const override { return momentum_ > 0 ? 1 : 0; }

 protected:
  std::vector<float> own_scalars(int64_t) const override { return {momentum_}; }
  std::vector<NDArray> step(const NDArray& w, const NDArray& g, std::span<const NDArray> states, const NDArray& lr,
                            const NDArray&, std::span<const NDArray> own) const override {
    const NDArray& momentum = own[0];
    if (states.empty()) return {w - lr * g};
    if (nesterov_) {
      NDArray m = momentum * states[0] + g;
      return {w - lr * (g + momentum * m), m};
    }
    NDArray m = momentum * states[0] - lr * g;
    return {w + m, m};
  }

 private:
  float momentum_ = 0.f;
  bool nesterov_ = false;
};

}  // namespace

std::unique_ptr<Optimizer> make_sgd(const Options& options, bool nesterov) {
  return std::make_unique<SGD>(options, nesterov);
}

}  // namespace kiln::optimizer
