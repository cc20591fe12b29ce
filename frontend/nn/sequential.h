// nn::Sequential: children run in the order they were added (Gluon's nn.Sequential; every kiln
// Block hybridizes, so HybridSequential is the same class). nn::Concatenate: children run on the
// same input, their outputs joined along an axis (Gluon's HybridConcurrent, Inception's branches).
// Threads: as every Block (frontend/nn/block.h).
#pragma once

#include "frontend/nn/block.h"

namespace kiln::nn {

class Sequential : public Block {
 public:
  // Adds blocks (values, shared_ptrs or Children), named "0", "1", ... in order.
  template <class... Bs>
  void add(Bs&&... blocks) {
    (register_block(std::to_string(children().size()), std::forward<Bs>(blocks)), ...);
  }
  Block& operator[](size_t i) const;
  size_t size() const { return children().size(); }

 protected:
  NDArray forward(const NDArray& x) override;
};

using HybridSequential = Sequential;

class Concatenate : public Sequential {
 public:
  explicit Concatenate(int axis = 1) : axis_(axis) {}

 protected:
  NDArray forward(const NDArray& x) override;

 private:
  int axis_;
};

}  // namespace kiln::nn
