// An op, defined once: its name, shape rule, eager kernel and gradient rule. Every nd:: function
// is an OpDef applied through dispatch(), the one place where autograd records ops (and where
// the tracer will record them for hybridize).
//
// Adding an op: write an OpDef beside its kin in frontend/ops/, and the nd:: function that
// applies it. Gradient rules are written with nd:: ops, so they are themselves ops.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "frontend/autograd/autograd.h"
#include "frontend/ndarray.h"
#include "ir/op_attrs.h"

namespace kiln {

struct GradContext {
  std::span<const NDArray> inputs;  // the op's inputs (values as they were at the call)
  const NDArray& output;            // the op's output
  const NDArray& out_grad;          // d(loss)/d(output)
  const OpAttrs& attrs;
  // Whether input i takes a gradient: a rule may leave the others undefined, and skip their
  // products (a network's first layer has no use for the gradient of its data).
  bool needs(size_t i) const { return autograd::requires_grad(inputs[i]); }
};

struct OpDef {
  std::string_view name{};
  // Validates the inputs (ShapeError/ValueError naming the op) and gives the output shape.
  Shape (*infer_shape)(const OpDef& op, std::span<const Shape> inputs, const OpAttrs& attrs) = nullptr;
  // Computes into a preallocated output of the inferred shape (may be inputs[0] for in-place).
  void (*compute)(std::span<const NDArray> inputs, const OpAttrs& attrs, Array& out) = nullptr;
  // For ops whose output is a view of inputs[0] (reshape, row slices): set instead of compute.
  Array (*view)(const NDArray& input, const OpAttrs& attrs, const Shape& out_shape) = nullptr;
  // d(loss)/d(input) for each input, an undefined NDArray where none flows. Null: the op has no
  // gradient (comparisons), and its inputs receive none through it.
  std::vector<NDArray> (*gradient)(const GradContext& ctx) = nullptr;
};

// The op called `name` (the kiln dialect's op name without "kiln."), or null.
const OpDef* find_op(std::string_view name);
// Every op, each once.
const std::vector<const OpDef*>& all_ops();

// Runs `op` on `inputs` and records it where autograd asks.
NDArray dispatch(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs = {});
inline NDArray dispatch(const OpDef& op, std::initializer_list<NDArray> inputs, const OpAttrs& attrs = {}) {
  return dispatch(op, std::span<const NDArray>(inputs.begin(), inputs.size()), attrs);
}

// `target op= other`, in place when nothing is being recorded through `target` (see NDArray).
void dispatch_in_place(const OpDef& op, NDArray& target, const NDArray& other);

}  // namespace kiln
