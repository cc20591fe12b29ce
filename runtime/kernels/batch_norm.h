// Batch normalisation over axis 1 (Gluon's BatchNorm): x viewed as n×c×s (s = the product of the
// axes after the channel, 1 for n×c input). Normalising and its data gradient run through
// oneDNN's batch_normalization primitives; the statistics and the scale/shift gradients, each one
// pass per channel, are kiln's loops.
#pragma once

#include <cstdint>

namespace kiln::kernels {

struct NormGeometry {
  int64_t n, c, s;
  friend bool operator==(const NormGeometry&, const NormGeometry&) = default;
};

// mean_var (2×c): each channel's mean over n and s, then its biased variance (MXNet's).
void batch_norm_stats(const NormGeometry& g, const float* x, float* mean_var);
// y = (x − mean) / √(var + ε) · gamma + beta, per channel.
void batch_norm_forward(const NormGeometry& g, const float* x, const float* gamma, const float* beta, const float* mean,
                        const float* var, float epsilon, float* y);
// dx from dy. With `batch_stats` the mean and variance are x's own (training): dx counts their
// dependence on x. Without, they are fixed (running statistics): dx = dy · gamma / √(var + ε).
void batch_norm_backward_data(const NormGeometry& g, const float* dy, const float* x, const float* gamma,
                              const float* mean, const float* var, float epsilon, bool batch_stats, float* dx);
// grads (2×c): d gamma = Σ dy · x̂ and d beta = Σ dy per channel, x̂ = (x − mean) / √(var + ε).
void batch_norm_scale_shift_grad(const NormGeometry& g, const float* dy, const float* x, const float* mean,
                                 const float* var, float epsilon, float* grads);

}  // namespace kiln::kernels
