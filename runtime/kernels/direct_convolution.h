// Direct convolutions for few channels (every pass of LeNet's two), where oneDNN 2.6's kernels
// leave most of each vector register empty: its blocked layouts pad the channels to the vector
// width and its nhwc kernels vectorise over channels. These kernels vectorise over the output's
// width instead (the weight gradient of 16+ output channels over those), on plain nchw data, so
// they need no reorder either.
// kernels::conv2d_* send them the passes of runs_direct; the rest go to oneDNN.
//
// Zero padding is multiplied like data, where oneDNN leaves padded taps out: the results are the
// same unless a weight (forward) or an output gradient (weight gradient) is infinite or NaN, when
// the outputs whose windows reach into the padding become NaN too. Eager and compiled calls run
// the same kernels, so they agree.
#pragma once

#include "runtime/kernels/convolution.h"

namespace kiln::kernels::direct {

enum class ConvPass { Forward, BackwardData, BackwardWeights };

// Whether the direct kernel runs `pass` of `g`: geometries it handles (some input and output
// channels, stride 1, no dilation, one group, kernels up to 7×7, padding below the kernel's
// size, channels oneDNN runs in nhwc) whose pass it ran faster than oneDNN in
// bench/conv_direct_bench (docs/performance.md): the forward for up to 16 output and 16 input
// channels; the data gradient, and the weight gradient for 16 output channels or more, when the
// input channels fill less than one 8-float vector; the weight gradient for 1 or 2 input
// channels.
bool runs_direct(const ConvGeometry& g, ConvPass pass);
// Whether the kernels handle `g` at all (every pass then runs correctly).
bool handles(const ConvGeometry& g);

void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);
// dx: each tap's products over the output channels, added where the tap read its input.
void backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw);

}  // namespace kiln::kernels::direct
