// d2l's multilayer perceptron on Fashion-MNIST, as the book trains it (the network is
// d2l::mlp()): SoftmaxCrossEntropyLoss; SGD, learning rate 0.5; batch 256; 10 epochs. Prints the book's line per epoch and writes the curves as an SVG plot.
//
//   train_fashion_mnist [--epochs N] [--batch-size B] [--lr LR] [--no-hybridize] [--compile-step]
//                       [--seed S] [--data DIR] [--plot FILE] [--min-test-acc A]
#include "examples/d2l_models.h"
#include "examples/d2l_training.h"

using namespace kiln;

int main(int argc, char** argv) {
  examples::TrainSettings settings =
      examples::parse_flags("train_fashion_mnist", argc, argv, {.lr = 0.5f, .plot = "fashion_mnist.svg"});
  return examples::train("train_fashion_mnist", d2l::mlp, settings);
}
