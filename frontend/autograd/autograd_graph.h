// The recorded graph behind autograd (internal to the frontend). Each recorded op is a Node; an
// array's AutogradMeta says either "I am a leaf that collects a gradient" or "node N made me".
//
// Ownership runs one way: an array owns its meta, the meta owns the node that made the array, the
// node owns its inputs. A node never holds its own output (that would be a cycle through the
// array that owns the node, and every recorded graph would leak); backward reaches the output
// through the array it found the node on.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "frontend/op.h"

namespace kiln {

// A node's own backward (a compiled block's call): it receives the gradients of all its outputs
// at once and returns one per input, an undefined NDArray where none flows.
class CustomBackward {
 public:
  virtual ~CustomBackward() = default;
  // `out_grads[i]` is d(loss)/d(output i), undefined where no gradient reached that output.
  virtual std::vector<NDArray> backward(std::span<const NDArray> out_grads) const = 0;
};

struct GradNode {
  const OpDef* op = nullptr;  // an op with one output, or
  std::shared_ptr<const CustomBackward> custom;  // a node with `outputs` outputs
  size_t outputs = 1;
  OpAttrs attrs;
  std::vector<NDArray> inputs;  // handles keep the inputs' own history alive
};

struct AutogradMeta {
  GradReq grad_req = GradReq::Null;  // for leaves (attach_grad)
  NDArray grad;                      // a leaf's gradient buffer
  uint64_t grad_writes = 0;          // backward passes that wrote `grad`
  std::shared_ptr<GradNode> node;    // for op outputs: the node that made this array
  size_t output_index = 0;           // which of the node's outputs this array is
};

namespace autograd {

// Records `op` applied to `inputs` as the history of `output`.
void record_op(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, NDArray& output);
// Records one node with its own backward as the history of every array in `outputs`.
void record_custom(std::shared_ptr<const CustomBackward> backward, std::vector<NDArray> inputs,
                   std::span<NDArray> outputs);

// The gradients of `heads` (seeded with `head_grads`, or ones) with respect to `targets`, which
// may be anywhere on the recorded graph (op outputs or leaves): the chain rule stops at them.
// Undefined where no gradient reaches a target; heads that do not require grad are skipped.
std::vector<NDArray> gradients_at(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads,
                                  std::span<const NDArray> targets);

}  // namespace autograd
}  // namespace kiln
