// The d2l book's Fashion-MNIST classifiers, built once for the examples, the benchmarks and the
// tests (each returns an initialised network).
#pragma once

#include <memory>

#include "frontend/kiln.h"

namespace kiln::d2l {

// The multilayer perceptron: Flatten, Dense(256, relu), Dense(10); weights ~ N(0, 0.01).
std::shared_ptr<nn::Sequential> mlp();
// LeNet as ../shared/anchors/torch-train lenet_train has it: Conv2D(6, 5) sigmoid, MaxPool2D(2, 2),
// Conv2D(16, 5) sigmoid, MaxPool2D(2, 2), Dense(120) sigmoid, Dense(84) sigmoid, Dense(10);
// Xavier initialisation. Takes 1×28×28 images.
std::shared_ptr<nn::Sequential> lenet();

}  // namespace kiln::d2l
