// Options of Block::hybridize (frontend/block.h).
#pragma once

#include <cstddef>

namespace kiln::nn {

struct HybridizeOptions {
  size_t cache_limit = 8;      // compiled input signatures per block; past it, calls run eagerly
  bool static_params = false;  // bake parameters in as constants (inference; see Block::hybridize)
};

}  // namespace kiln::nn
