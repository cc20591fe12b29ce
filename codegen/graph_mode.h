// What a graph is compiled for (MLIR-free: the frontend chooses it). Training graphs run once per
// step with parameters that change every step, so work that pays off only when done once per
// parameter version (a weight transposed for a faster product) is left out of them.
#pragma once

namespace kiln::codegen {

enum class GraphMode { Inference, Training };

}  // namespace kiln::codegen
