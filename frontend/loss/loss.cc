#include "frontend/loss/loss.h"

#include "frontend/nd.h"
#include "runtime/error.h"
#include "runtime/shape.h"

namespace kiln::loss {

Loss::Loss(float weight, int batch_axis) : weight_(weight) {
  if (batch_axis != 0) throw ValueError(fmt(type_name(), ": batch_axis ", batch_axis, " is not supported; kiln's losses take batch_axis 0"));
}

NDArray Loss::operator()(const NDArray& pred, const NDArray& label) { return (*this)(std::vector<NDArray>{pred, label})[0]; }

NDArray Loss::operator()(const NDArray& pred, const NDArray& label, const NDArray& sample_weight) {
  return (*this)(std::vector<NDArray>{pred, label, sample_weight})[0];
}

std::vector<NDArray> Loss::forward_multi(const std::vector<NDArray>& xs) {
  if (xs.size() != 2 && xs.size() != 3)
    throw ValueError(fmt(type_name(), ": takes (pred, label) or (pred, label, sample_weight); got ", xs.size(), " inputs"));
  const NDArray& pred = xs[0];
  if (pred.shape().empty()) throw ShapeError(fmt(type_name(), ": pred must have a batch axis; got a 0-d array"));
  NDArray l = elementwise(pred, xs[1]);
  if (xs.size() == 3) l = l * xs[2];  // broadcasting names a shape mismatch
  if (weight_ != 1.f) l = l * weight_;
  // The mean over every axis but the batch axis.
  int64_t batch = l.shape()[0];
  if (l.shape().size() > 1) l = nd::mean(nd::reshape(l, {batch, -1}), 1);
  return {l};
}

std::string Loss::extra_repr() const { return weight_ == 1.f ? "" : fmt("weight=", weight_); }

NDArray Loss::label_like(const NDArray& label, const NDArray& pred) const {
  if (label.shape() == pred.shape()) return label;
  if (label.size() != pred.size())
    throw ShapeError(fmt(type_name(), ": label of shape ", shape_str(label.shape()), " does not match pred of shape ",
                         shape_str(pred.shape())));
  return nd::reshape(label, pred.shape());
}

NDArray L2Loss::elementwise(const NDArray& pred, const NDArray& label) const {
  return nd::square(label_like(label, pred) - pred);
}

NDArray L1Loss::elementwise(const NDArray& pred, const NDArray& label) const {
  return nd::abs(label_like(label, pred) - pred);
}

SoftmaxCrossEntropyLoss::SoftmaxCrossEntropyLoss(SoftmaxCrossEntropyOptions options)
    : Loss(options.weight, options.batch_axis), options_(options) {}

SoftmaxCrossEntropyLoss::SoftmaxCrossEntropyLoss(int axis, bool sparse_label, bool from_logits, float weight)
    : SoftmaxCrossEntropyLoss({.axis = axis, .sparse_label = sparse_label, .from_logits = from_logits, .weight = weight}) {}

NDArray SoftmaxCrossEntropyLoss::elementwise(const NDArray& pred, const NDArray& label) const {
  int axis = normalize_axis(options_.axis, pred.shape().size(), "SoftmaxCrossEntropyLoss");
  NDArray log_p = options_.from_logits ? pred : nd::log_softmax(pred, axis);
  if (!options_.sparse_label) return -nd::sum(log_p * label_like(label, pred), axis);
  // Class indices, one per sample: shape (batch,) or, as Gluon accepts, (batch, 1).
  Shape want = pred.shape();
  want.erase(want.begin() + axis);
  if (label.size() != num_elements(want))
    throw ShapeError(fmt(type_name(), ": sparse label of shape ", shape_str(label.shape()), " for pred of shape ",
                         shape_str(pred.shape()), "; expected one class index per sample, shape ", shape_str(want)));
  return -nd::pick(log_p, label.shape() == want ? label : nd::reshape(label, want), axis);
}

std::string SoftmaxCrossEntropyLoss::extra_repr() const {
  return fmt("axis=", options_.axis, options_.sparse_label ? ", sparse" : ", dense", options_.from_logits ? ", from logits" : "");
}

NDArray SigmoidBinaryCrossEntropyLoss::elementwise(const NDArray& pred, const NDArray& label) const {
  NDArray z = label_like(label, pred);
  if (!from_sigmoid_) return nd::relu(pred) - pred * z + nd::softrelu(-nd::abs(pred));
  constexpr float eps = 1e-12f;
  return -(nd::log(pred + eps) * z + nd::log(1.f - pred + eps) * (1.f - z));
}

HuberLoss::HuberLoss(float rho, float weight, int batch_axis) : Loss(weight, batch_axis), rho_(rho) {
  if (!(rho > 0.f)) throw ValueError(fmt("HuberLoss: rho must be positive; got ", rho));
}

NDArray HuberLoss::elementwise(const NDArray& pred, const NDArray& label) const {
  NDArray d = nd::abs(label_like(label, pred) - pred);
  NDArray beyond = nd::greater(d, nd::full({}, rho_));  // 0/1; both branches are finite
  return beyond * (d - 0.5f * rho_) + (1.f - beyond) * (0.5f / rho_) * nd::square(d);
}

}  // namespace kiln::loss
