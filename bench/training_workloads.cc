#include "bench/training_workloads.h"

#include <algorithm>
#include <cmath>

#include "examples/d2l_models.h"
#include "examples/seed_models.h"

namespace kiln::workloads {
namespace {

std::shared_ptr<nn::Block> seed_train() {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  return net;
}

std::shared_ptr<nn::Block> d2l_mlp() { return d2l::mlp(); }
std::shared_ptr<nn::Block> d2l_lenet() { return d2l::lenet(); }

}  // namespace

const std::vector<TrainingWorkload>& training_all() {
  static const std::vector<TrainingWorkload> workloads{
      {"seed_train", "2x20 -> Dense 256 relu -> Dense 10, L2Loss, SGD lr 0.1", {2, 20}, 0, 0.1f, seed_train},
      {"mlp_train", "256x784 -> Dense 256 relu -> Dense 10, SoftmaxCrossEntropyLoss, SGD lr 0.5", {256, 784}, 10, 0.5f,
       d2l_mlp},
      {"mlp_train_b16", "mlp_train at batch 16", {16, 784}, 10, 0.5f, d2l_mlp},
      {"lenet_train", "256x1x28x28 -> d2l's LeNet (sigmoid convolutions, max pools), SoftmaxCrossEntropyLoss, SGD lr 0.9",
       {256, 1, 28, 28}, 10, 0.9f, d2l_lenet},
  };
  return workloads;
}

const TrainingWorkload* find_training(std::string_view name) {
  for (const TrainingWorkload& w : training_all())
    if (w.name == name) return &w;
  return nullptr;
}

TrainingRun::TrainingRun(const TrainingWorkload& w, StepKind kind, uint64_t seed) {
  nd::random::seed(seed);
  net_ = w.build();
  x_ = nd::random::uniform(w.input_shape);
  int64_t batch = w.input_shape[0];
  if (w.classes > 0) {
    loss_ = std::make_shared<loss::SoftmaxCrossEntropyLoss>();
    std::vector<float> labels = nd::random::uniform({batch}).to_vector();
    for (float& c : labels) c = std::min(std::floor(c * static_cast<float>(w.classes)), static_cast<float>(w.classes - 1));
    y_ = nd::array(labels);
  } else {
    loss_ = std::make_shared<loss::L2Loss>();
    y_ = nd::random::uniform({batch, 10});
  }
  batch_ = batch;
  (*net_)(x_);  // completes deferred shapes
  trainer_ = std::make_unique<gluon::Trainer>(net_->collect_params(), "sgd", optimizer::Options{{"learning_rate", w.learning_rate}});
  if (kind == StepKind::Hybridized) {
    net_->hybridize();
    loss_->hybridize();
  }
  if (kind == StepKind::Compiled) compiled_.emplace(trainer_->compile_step(*net_, *loss_));
}

float TrainingRun::step(bool read_loss) {
  if (compiled_) {
    NDArray l = (*compiled_)(x_, y_);
    return read_loss ? nd::mean(l).asscalar().value() : 0.f;
  }
  NDArray l;
  {
    auto rec = autograd::record();
    l = (*loss_)((*net_)(x_), y_);
  }
  l.backward();
  trainer_->step(batch_);
  return read_loss ? nd::mean(l).asscalar().value() : 0.f;
}

}  // namespace kiln::workloads
