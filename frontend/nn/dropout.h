// nn::Dropout: Gluon's Dropout. In training mode each element is kept with probability 1 − rate
// and scaled by 1 / (1 − rate), else zeroed; in predict mode the input passes unchanged. The mask
// is an nd::random::uniform draw, an op: a hybridized block draws it inside compiled code from
// kiln's generator (nd::random::seed makes runs repeat), eager or compiled alike.
#pragma once

#include "frontend/nn/block.h"

namespace kiln::nn {

class Dropout : public Block {
 public:
  explicit Dropout(float rate);  // 0 ≤ rate < 1
  float rate() const { return rate_; }

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  float rate_;
};

}  // namespace kiln::nn
