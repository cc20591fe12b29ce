// Options of Block::hybridize and what a hybridized block reports (frontend/nn/block.h).
#pragma once

#include <cstddef>

namespace kiln::nn {

struct HybridizeOptions {
  size_t cache_limit = 8;      // compiled input signatures per block; past it, calls run eagerly
  bool static_params = false;  // bake parameters in as constants (inference; see Block::hybridize)
  // Paths per signature through a forward's host reads (guards); a call that leaves them runs
  // eagerly past this bound, with a one-time warning.
  size_t path_limit = 16;
};

// How a hybridized block's calls ran.
struct HybridStats {
  size_t compiled = 0;    // ran compiled end to end
  size_t traced = 0;      // ran eagerly while tracing (first calls, new paths)
  size_t eager = 0;       // ran eagerly without tracing (bounds reached, untraceable forward)
  size_t recorded = 0;    // of those, made under autograd::record() (their backward recorded too)
  // Calls that left the compiled paths at a guard; each was then completed on the host (and
  // counted as traced or eager).
  size_t side_exits = 0;
  // Times the compiled graphs computed their prepared values (packed or transposed weights,
  // folded BatchNorm): once, then again after each write to a parameter they read.
  size_t prepares = 0;
  size_t calls() const { return compiled + traced + eager; }
  double compiled_fraction() const { return calls() ? static_cast<double>(compiled) / calls() : 0; }
};

}  // namespace kiln::nn
