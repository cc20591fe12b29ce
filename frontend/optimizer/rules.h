// The optimizers' constructors (one file each; frontend internal, behind optimizer::create).
#pragma once

#include <memory>

#include "frontend/optimizer/optimizer.h"

namespace kiln::optimizer {

// SGD, with momentum if given; `nesterov` (or the option "nesterov" = 1) for Nesterov's.
std::unique_ptr<Optimizer> make_sgd(const Options& options, bool nesterov);
// Adam; `decoupled` for AdamW (weight decay applied to the weight, not the gradient).
std::unique_ptr<Optimizer> make_adam(const Options& options, bool decoupled);
std::unique_ptr<Optimizer> make_rmsprop(const Options& options);
std::unique_ptr<Optimizer> make_adagrad(const Options& options);

}  // namespace kiln::optimizer
