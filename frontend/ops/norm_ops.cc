// Batch normalisation over axis 1, Gluon's BatchNorm as ops: the batch's statistics, the
// normalisation itself, and its two backward passes (runtime/kernels/batch_norm.h). The layer
// (frontend/nn/batch_norm.h) composes them: in training, batch_norm_stats gives the statistics
// that batch_norm normalises with (batch_stats) and that the running averages take in.
#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/kernels/batch_norm.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

const float* values(const NDArray& a) { return a.Array::data(); }

// batch_norm_stats(x) -> 2×c: each channel's mean, then its biased variance. No gradient: the
// batch_stats normalisation accounts for how its statistics depend on the data.
Shape stats_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  return {2, shape_rules::batch_norm(op.name, in[0]).c};
}
void stats_compute(std::span<const NDArray> in, const OpAttrs&, Array& out) {
  kernels::batch_norm_stats(shape_rules::batch_norm("batch_norm_stats", in[0].shape()), values(in[0]), out.data());
}
const OpDef kBatchNormStats{.name = "batch_norm_stats", .infer_shape = stats_shape, .compute = stats_compute};

// batch_norm_backward(dy, x, gamma, mean, var) {epsilon, batch_stats} -> dx.
Shape backward_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  shape_rules::batch_norm(op.name, in[1], {{"gamma", &in[2]}, {"mean", &in[3]}, {"var", &in[4]}});
  return shape_rules::same_as_data(op.name, in[0], in[1]);
}
void backward_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::batch_norm_backward_data(shape_rules::batch_norm("batch_norm_backward", in[1].shape()), values(in[0]),
                                    values(in[1]), values(in[2]), values(in[3]), values(in[4]), a.epsilon,
                                    a.batch_stats, out.data());
}
const OpDef kBatchNormBackward{.name = "batch_norm_backward", .infer_shape = backward_shape, .compute = backward_compute};

// batch_norm_scale_shift_grad(dy, x, mean, var) {epsilon} -> 2×c: d gamma, then d beta.
Shape scale_shift_grad_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  shape_rules::same_as_data(op.name, in[0], in[1]);
  return {2, shape_rules::batch_norm(op.name, in[1], {{"mean", &in[2]}, {"var", &in[3]}}).c};
}
void scale_shift_grad_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::batch_norm_scale_shift_grad(shape_rules::batch_norm("batch_norm_scale_shift_grad", in[1].shape()),
                                       values(in[0]), values(in[1]), values(in[2]), values(in[3]), a.epsilon,
                                       out.data());
}
const OpDef kBatchNormScaleShiftGrad{
    .name = "batch_norm_scale_shift_grad", .infer_shape = scale_shift_grad_shape, .compute = scale_shift_grad_compute};

// Row `k` of a 2×c array, as (c).
NDArray row(const NDArray& a, int64_t k) { return reshape(slice_axis(a, 0, k, k + 1), {a.shape()[1]}); }

// batch_norm(x, gamma, beta, mean, var) {epsilon, batch_stats} -> y.
Shape norm_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs&) {
  shape_rules::batch_norm(op.name, in[0], {{"gamma", &in[1]}, {"beta", &in[2]}, {"mean", &in[3]}, {"var", &in[4]}});
  return in[0];
}
void norm_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::batch_norm_forward(shape_rules::batch_norm("batch_norm", in[0].shape()), values(in[0]), values(in[1]),
                              values(in[2]), values(in[3]), values(in[4]), a.epsilon, out.data());
}
// The statistics get no gradient: with batch_stats, dx already counts their dependence on x;
// without, they are running averages, which no gradient updates (as in MXNet).
std::vector<NDArray> norm_grad(const GradContext& c) {
  const NDArray &dy = c.out_grad, &x = c.inputs[0], &mean = c.inputs[3], &var = c.inputs[4];
  NDArray dx = dispatch(kBatchNormBackward, {dy, x, c.inputs[1], mean, var}, c.attrs);
  NDArray scale_shift = dispatch(kBatchNormScaleShiftGrad, {dy, x, mean, var}, c.attrs);
  return {dx, row(scale_shift, 0), row(scale_shift, 1), NDArray(), NDArray()};
}
const OpDef kBatchNorm{.name = "batch_norm", .infer_shape = norm_shape, .compute = norm_compute, .gradient = norm_grad};

}  // namespace

NDArray batch_norm_stats(const NDArray& x) { return dispatch(kBatchNormStats, {x}); }

NDArray batch_norm(const NDArray& x, const NDArray& gamma, const NDArray& beta, const NDArray& mean, const NDArray& var,
                   float epsilon, bool batch_stats) {
  OpAttrs a;
  a.epsilon = epsilon;
  a.batch_stats = batch_stats;
  return dispatch(kBatchNorm, {x, gamma, beta, mean, var}, a);
}

std::vector<const OpDef*> norm_ops() { return {&kBatchNormStats, &kBatchNorm, &kBatchNormBackward, &kBatchNormScaleShiftGrad}; }

}  // namespace kiln::nd
