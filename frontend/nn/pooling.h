// Gluon's pooling layers on NCHW input: MaxPool2D, AvgPool2D (strides default to the pool size,
// the "valid" convention) and the global pools, whose window is the whole input (n×c×1×1).
#pragma once

#include "frontend/nn/block.h"
#include "frontend/nn/conv.h"

namespace kiln::nn {

class MaxPool2D : public Block {
 public:
  // strides 0: the pool size, as Gluon's strides=None.
  explicit MaxPool2D(Pair pool_size = 2, Pair strides = 0, Pair padding = 0);

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  Pair pool_size_, strides_, padding_;
};

class AvgPool2D : public Block {
 public:
  explicit AvgPool2D(Pair pool_size = 2, Pair strides = 0, Pair padding = 0, bool count_include_pad = true);

 protected:
  NDArray forward(const NDArray& x) override;
  std::string extra_repr() const override;

 private:
  Pair pool_size_, strides_, padding_;
  bool count_include_pad_;
};

class GlobalMaxPool2D : public Block {
 protected:
  NDArray forward(const NDArray& x) override;
};

class GlobalAvgPool2D : public Block {
 protected:
  NDArray forward(const NDArray& x) override;
};

}  // namespace kiln::nn
