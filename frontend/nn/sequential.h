// nn::Sequential: children run in the order they were added (Gluon's nn.Sequential).
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

}  // namespace kiln::nn
