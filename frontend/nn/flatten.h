// nn::Flatten: (batch, ...) to (batch, features), as Gluon's.
#pragma once

#include "frontend/nn/block.h"

namespace kiln::nn {

class Flatten : public Block {
 protected:
  NDArray forward(const NDArray& x) override;
};

}  // namespace kiln::nn
