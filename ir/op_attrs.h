// The attributes of kiln's ops, shared by the frontend's OpDefs and the IR builder. Plain data:
// no MLIR here. Each kiln dialect op has an inherent attribute of the same name for each field
// it uses (KilnOps.td).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/shape.h"

namespace kiln {

// The attributes any op may take; each op reads the fields it documents.
struct OpAttrs {
  std::optional<int> axis{};       // reductions, concat, slice_axis, softmax, pick
  bool keepdims = false;           // reductions, pick
  bool transpose_a = false;        // dot
  bool transpose_b = false;        // dot
  Shape shape{};                   // reshape, broadcast_to, sum_to: the target shape
  std::vector<int64_t> perm{};     // transpose
  int64_t begin = 0, end = 0;      // slice_axis
  int64_t depth = 0;               // one_hot
  // conv2d and the pools, each (height, width); empty: strides and dilation 1, padding 0.
  std::vector<int64_t> kernel{};    // the pools' window (conv2d's is its weight's)
  std::vector<int64_t> strides{}, padding{}, dilation{};
  int64_t groups = 1;               // conv2d
  bool count_include_pad = true;    // avg_pool2d
  float epsilon = 0.f;              // batch_norm*: added to the variance
  bool batch_stats = false;         // batch_norm, batch_norm_backward: the statistics are the data's own
  float low = 0.f, high = 1.f;      // random_uniform's range
  float mean = 0.f, stddev = 1.f;   // random_normal's

  bool operator==(const OpAttrs&) const = default;
};

}  // namespace kiln
