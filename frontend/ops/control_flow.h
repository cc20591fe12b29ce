// Explicit control flow, as MXNet's contrib.cond / while_loop / foreach: eager like any nd::
// function (autograd records the ops each one runs, so gradients flow through the branch taken
// and every iteration), and inside a hybridized forward traced as regions that compile to
// scf.if / scf.while / scf.for — both branches and the loop body are compiled, whatever the
// data. The functions must be pure: no in-place updates of arrays from outside them, no host
// reads (asscalar) inside them; return what they compute.
// Threads: as the nd:: ops (frontend/nd.h).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "frontend/ndarray.h"

namespace kiln::nd {

// then_fn() if the one value of `pred` is non-zero, else else_fn(). Both must return arrays of
// the same shapes (checked when traced).
std::vector<NDArray> cond(const NDArray& pred, const std::function<std::vector<NDArray>()>& then_fn,
                          const std::function<std::vector<NDArray>()>& else_fn);
NDArray cond(const NDArray& pred, const std::function<NDArray()>& then_fn, const std::function<NDArray()>& else_fn);

// vars = body_fn(vars) while the one value of cond_fn(vars) is non-zero; returns the final vars.
// body_fn keeps each variable's shape. A condition still true after `max_iterations` iterations
// is an error (ValueError), in eager and compiled calls alike. Unlike MXNet's, it returns no
// per-step outputs: use foreach for those.
using LoopVars = std::vector<NDArray>;
LoopVars while_loop(const std::function<NDArray(const LoopVars&)>& cond_fn,
                    const std::function<LoopVars(const LoopVars&)>& body_fn, LoopVars loop_vars,
                    int64_t max_iterations);

// For each row of `data`'s axis 0: (output, states) = body(row, states). Returns the outputs
// stacked on a new axis 0, and the final states.
using ForEachBody = std::function<std::pair<NDArray, LoopVars>(const NDArray& row, const LoopVars& states)>;
std::pair<NDArray, LoopVars> foreach(const ForEachBody& body, const NDArray& data, LoopVars states);

}  // namespace kiln::nd
