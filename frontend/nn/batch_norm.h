// nn::BatchNorm: Gluon's BatchNorm over axis 1 (the channels of NCHW, or the features of N×C).
// In training mode (autograd::record(), train_mode()) it normalises with the batch's own mean and
// variance and moves the running averages towards them in place:
//   running = momentum · running + (1 − momentum) · batch;
// in predict mode, or with use_global_stats, it normalises with the running averages. Parameters
// as Gluon names them: gamma (ones), beta (zeros), running_mean (zeros), running_var (ones); the
// running averages (and gamma without `scale`, beta without `center`) take no gradient.
//
//   nn::BatchNorm()                                    Gluon's defaults
//   nn::BatchNorm({.momentum = 0.99f, .use_global_stats = true})
#pragma once

#include <memory>

#include "frontend/nn/block.h"

namespace kiln::nn {

struct BatchNormOptions {
  int axis = 1;  // the only axis kiln normalises over
  float momentum = 0.9f;
  float epsilon = 1e-5f;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  bool use_global_stats = false;
  int64_t in_channels = 0;  // 0: from the first input
};

class BatchNorm : public Block {
 public:
  explicit BatchNorm(const BatchNormOptions& options = {});
  BatchNorm(int axis, float momentum = 0.9f, float epsilon = 1e-5f, bool center = true, bool scale = true,
            bool use_global_stats = false, int64_t in_channels = 0);

  const BatchNormOptions& options() const { return options_; }
  std::shared_ptr<Parameter> gamma, beta, running_mean, running_var;

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  BatchNormOptions options_;
};

}  // namespace kiln::nn
