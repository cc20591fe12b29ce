// The benchmark workloads, defined once: kiln-bench, the Google Benchmark suites and the tests
// (which check results, never time) all build them from here.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/kiln.h"

namespace kiln::workloads {

struct Workload {
  std::string name;         // "seed_mlp"
  std::string description;  // "2x20 -> Dense 256 relu -> Dense 10"
  Shape input_shape;
  std::shared_ptr<nn::Block> (*build)();  // an uninitialised network
};

// seed_mlp, nest_mlp, chimera, fancy_mlp, deep_mlp, wide_mlp, conv_block, resnet18, resnet18_b32, in
// that order.
const std::vector<Workload>& all();
// The workload called `name`; ValueError listing the known names otherwise.
const Workload& find(std::string_view name);

// A network ready to call: initialised from `seed`, its deferred shapes completed by one eager
// call on `input` (drawn from the same seed, uniform in [-1, 1)).
struct Instance {
  std::shared_ptr<nn::Block> net;
  NDArray input;
};
Instance instantiate(const Workload& workload, uint64_t seed = 0);

}  // namespace kiln::workloads
