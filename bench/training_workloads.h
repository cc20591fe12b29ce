// The training workloads, defined once for kiln-bench and the tests: the d2l recipes that
// ../shared/anchors/torch-train times in PyTorch (same networks, batch sizes and SGD rates).
// One step is forward, loss, backward and gluon::Trainer's SGD step (p -= lr/batch · grad, a
// compiled in-place update per parameter), or all of it as one compiled function.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/kiln.h"

namespace kiln::workloads {

struct TrainingWorkload {
  std::string name;         // "mlp_train"
  std::string description;  // "256x784 -> Dense 256 relu -> Dense 10, SoftmaxCrossEntropyLoss"
  Shape input_shape;
  int64_t classes = 0;      // sparse labels in [0, classes) and SoftmaxCrossEntropyLoss; 0: L2Loss on 10 outputs
  float learning_rate = 0;
  std::shared_ptr<nn::Block> (*build)();  // an initialised network
};

// seed_train, mlp_train, mlp_train_b16, lenet_train.
const std::vector<TrainingWorkload>& training_all();
// The training workload called `name`, or null.
const TrainingWorkload* find_training(std::string_view name);

// How a step runs: eagerly; with the net and loss hybridized (compiled forward and backward,
// then the Trainer's compiled updates); or as Trainer::compile_step's one compiled function.
enum class StepKind { Eager, Hybridized, Compiled };

// A network, its loss and one batch (inputs uniform in [0, 1), labels drawn from `seed`).
class TrainingRun {
 public:
  TrainingRun(const TrainingWorkload& workload, StepKind kind, uint64_t seed = 0);
  // One step; returns the batch's mean loss only when `read_loss` (reading it waits for nothing,
  // but costs a host read).
  float step(bool read_loss = false);
  nn::Block& net() { return *net_; }
  // The compiled step (StepKind::Compiled), else null.
  const gluon::CompiledStep* compiled_step() const { return compiled_ ? &*compiled_ : nullptr; }
  loss::Loss& loss() { return *loss_; }

 private:
  std::shared_ptr<nn::Block> net_;
  std::shared_ptr<loss::Loss> loss_;
  NDArray x_, y_;
  std::unique_ptr<gluon::Trainer> trainer_;
  std::optional<gluon::CompiledStep> compiled_;
  int64_t batch_;
};

}  // namespace kiln::workloads
