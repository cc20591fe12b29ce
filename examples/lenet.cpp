// d2l's LeNet on Fashion-MNIST (the convolutional chapter's recipe, as the anchor
// ../shared/anchors/torch-train lenet_train has it; the network is d2l::lenet()):
// SoftmaxCrossEntropyLoss; SGD, learning rate 0.9; batch 256; 10 epochs.
//
//   lenet [--epochs N] [--batch-size B] [--lr LR] [--no-hybridize] [--compile-step] [--seed S]
//         [--data DIR] [--plot FILE] [--min-test-acc A]
#include "examples/d2l_models.h"
#include "examples/d2l_training.h"

using namespace kiln;

int main(int argc, char** argv) {
  examples::TrainSettings settings = examples::parse_flags("lenet", argc, argv, {.lr = 0.9f, .plot = "lenet.svg"});
  return examples::train("lenet", d2l::lenet, settings);
}
