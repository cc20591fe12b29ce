// kiln::loss, Gluon's gluon.loss: each loss is a Block of two inputs (three with a sample weight)
// that returns the per-sample loss, shape (batch,), and hybridizes like any block.
//
//   loss::SoftmaxCrossEntropyLoss loss;
//   loss.hybridize();
//   { auto rec = autograd::record(); l = loss(net(x), y); }
//   l.backward();
//
// Every loss takes Gluon's `weight` (a global scale) and `batch_axis` (0, the only one kiln
// supports), and an optional sample_weight broadcast against the element-wise loss before the
// mean over every axis but the batch axis.
// Threads: as every Block (frontend/nn/block.h).
#pragma once

#include "frontend/nn/block.h"

namespace kiln::loss {

class Loss : public nn::Block {
 public:
  using nn::Block::operator();
  NDArray operator()(const NDArray& pred, const NDArray& label);
  NDArray operator()(const NDArray& pred, const NDArray& label, const NDArray& sample_weight);

 protected:
  explicit Loss(float weight, int batch_axis = 0);
  // The element-wise (or per-sample) loss, before weighting and the mean.
  virtual NDArray elementwise(const NDArray& pred, const NDArray& label) const = 0;
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override;
  std::string extra_repr() const override;
  // `label` as `pred`'s shape (Gluon's reshape_like): ShapeError unless their sizes agree.
  NDArray label_like(const NDArray& label, const NDArray& pred) const;

  float weight_;  // L2Loss halves it, as Gluon does
};

// ½·(label − pred)², mean over non-batch axes.
class L2Loss : public Loss {
 public:
  explicit L2Loss(float weight = 1.f, int batch_axis = 0) : Loss(weight / 2, batch_axis) {}

 protected:
  NDArray elementwise(const NDArray& pred, const NDArray& label) const override;
};

// |label − pred|.
class L1Loss : public Loss {
 public:
  explicit L1Loss(float weight = 1.f, int batch_axis = 0) : Loss(weight, batch_axis) {}

 protected:
  NDArray elementwise(const NDArray& pred, const NDArray& label) const override;
};

struct SoftmaxCrossEntropyOptions {
  int axis = -1;              // the class axis
  bool sparse_label = true;   // labels are class indices (else a distribution over classes)
  bool from_logits = false;   // pred is log-probabilities already
  float weight = 1.f;
  int batch_axis = 0;
};

// −log softmax(pred)[label] (log-sum-exp, stable for any logits). A sparse label out of range
// is a ValueError naming it and the range, eagerly and from compiled code.
class SoftmaxCrossEntropyLoss : public Loss {
 public:
  explicit SoftmaxCrossEntropyLoss(SoftmaxCrossEntropyOptions options = {});
  // Gluon's positional form.
  SoftmaxCrossEntropyLoss(int axis, bool sparse_label = true, bool from_logits = false, float weight = 1.f);

 protected:
  NDArray elementwise(const NDArray& pred, const NDArray& label) const override;
  std::string extra_repr() const override;

 private:
  SoftmaxCrossEntropyOptions options_;
};
using SoftmaxCELoss = SoftmaxCrossEntropyLoss;

// Binary cross-entropy of labels in [0, 1]. From logits (the default) it is computed as
// relu(x) − x·z + softrelu(−|x|), finite for any x; with from_sigmoid, pred is a probability.
class SigmoidBinaryCrossEntropyLoss : public Loss {
 public:
  explicit SigmoidBinaryCrossEntropyLoss(bool from_sigmoid = false, float weight = 1.f, int batch_axis = 0)
      : Loss(weight, batch_axis), from_sigmoid_(from_sigmoid) {}

 protected:
  NDArray elementwise(const NDArray& pred, const NDArray& label) const override;

 private:
  bool from_sigmoid_;
};
using SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss;

// ½·d²/rho where |d| ≤ rho, |d| − ½·rho beyond (d = label − pred).
class HuberLoss : public Loss {
 public:
  explicit HuberLoss(float rho = 1.f, float weight = 1.f, int batch_axis = 0);

 protected:
  NDArray elementwise(const NDArray& pred, const NDArray& label) const override;

 private:
  float rho_;
};

}  // namespace kiln::loss
