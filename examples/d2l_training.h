// d2l's training driver for Fashion-MNIST classifiers (the book's train_ch3 / train_ch6): the
// flags every training example takes, the loop with its per-epoch line ("epoch 1, loss 0.8,
// train acc 0.70, test acc 0.78, 4.1 sec"), a progress bar on a terminal and an SVG plot of the
// curves. Each example builds and initialises its network, then hands it to train().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "frontend/kiln.h"

namespace kiln::examples {

struct TrainSettings {
  int epochs = 10;
  int64_t batch_size = 256;
  float lr = 0.5f;
  bool hybridize = true;
  bool compile_step = false;  // each step as Trainer::compile_step's one compiled function
  uint64_t seed = 0;
  std::string data_dir = gluon::data::vision::kFashionMnistRoot;
  std::string plot;           // the SVG file; empty: none
  double min_test_acc = -1;   // > 0: train() returns 1 if the final test accuracy is lower
};

// Reads the flags --epochs --batch-size --lr --no-hybridize --compile-step --seed --data --plot
// --min-test-acc over `defaults`; a bad flag prints the usage of `program` and exits with 2.
TrainSettings parse_flags(const std::string& program, int argc, char** argv, TrainSettings defaults);

// Seeds kiln's generator with settings.seed and calls make_net(), which builds and initialises
// the network (d2l::mlp, d2l::lenet); then trains it with SoftmaxCrossEntropyLoss and SGD. Returns the exit status
// (errors are printed, naming `program`).
int train(const std::string& program, const std::function<std::shared_ptr<nn::Sequential>()>& make_net,
          const TrainSettings& settings);

}  // namespace kiln::examples
