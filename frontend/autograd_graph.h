// The recorded graph behind autograd (internal to the frontend). Each recorded op is a Node; an
// array's AutogradMeta says either "I am a leaf that collects a gradient" or "node N made me".
//
// Ownership runs one way: an array owns its meta, the meta owns the node that made the array, the
// node owns its inputs. A node never holds its own output (that would be a cycle through the
// array that owns the node, and every recorded graph would leak); backward reaches the output
// through the array it found the node on.
#pragma once

#include <memory>
#include <vector>

#include "frontend/op.h"

namespace kiln {

struct GradNode {
  const OpDef* op;
  OpAttrs attrs;
  std::vector<NDArray> inputs;  // handles keep the inputs' own history alive
};

struct AutogradMeta {
  GradReq grad_req = GradReq::Null;  // for leaves (attach_grad)
  NDArray grad;                      // a leaf's gradient buffer
  std::shared_ptr<GradNode> node;    // for op outputs: the op that made this array
};

namespace autograd {

// Records `op` applied to `inputs` as the history of `output`.
void record_op(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, NDArray& output);

}  // namespace autograd
}  // namespace kiln
