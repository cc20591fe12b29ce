// 2-D convolution (NCHW data, OIHW weights, Gluon's Convolution) through oneDNN's forward,
// backward-data and backward-weights primitives, each built once per geometry and thread, or,
// for few channels, kiln's direct kernels (direct_convolution.h; conv2d_* choose).
#pragma once

#include <cstdint>

namespace kiln::kernels {

// One convolution's shapes: input n×c×h×w, weight o×(c/groups)×kh×kw, output n×o×oh×ow, and
// per spatial axis its stride, zero padding (both sides) and dilation.
struct ConvGeometry {
  int64_t n, c, h, w;
  int64_t o, kh, kw;
  int64_t oh, ow;
  int64_t stride_h, stride_w, pad_h, pad_w, dilate_h, dilate_w;
  int64_t groups;
  friend bool operator==(const ConvGeometry&, const ConvGeometry&) = default;
};

// The layout of a convolution's data and result as the caller holds them: 0 is plain nchw; 8
// and 16 are oneDNN's nChw8c and nChw16c (channels in blocks of that many floats, innermost),
// for channel counts the block divides, so a blocked array has the plain one's size. A compiled
// graph keeps activations blocked between convolutions (kiln-keep-blocked-layout).
struct ConvLayouts {
  int64_t data = 0, result = 0;
  friend auto operator<=>(const ConvLayouts&, const ConvLayouts&) = default;
};

// Whether a convolution with c input and o output channels runs in oneDNN's blocked layouts.
// They pad channels to a multiple of the block (16 floats on AVX-512), so 6 channels take the
// room and the time of 16; such convolutions run in nhwc, which has no padding. The image input
// of a first layer is the exception: oneDNN reads 1–4 input channels from nchw with kernels of
// their own. (16 is the widest block oneDNN uses on x86; with AVX2 it blocks by 8, where the
// rule also sends to nhwc counts like 24 that 8 would divide.)
inline bool conv2d_runs_blocked(int64_t c, int64_t o) { return o % 16 == 0 && (c % 16 == 0 || c <= 4); }

// y = x ⋆ w (+ bias[o] on every output channel; bias may be null).
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);
// dx from dy and the weight: the transposed convolution.
void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw from dy and the input.
void conv2d_backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw);

// The same through oneDNN whatever the geometry (benchmarks and tests compare the two).
void conv2d_forward_onednn(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);
void conv2d_backward_data_onednn(const ConvGeometry& g, const float* dy, const float* w, float* dx);
void conv2d_backward_weights_onednn(const ConvGeometry& g, const float* dy, const float* x, float* dw);

// Prepacked weights, for calls that reuse them (a compiled graph's prepare function packs a
// parameter once per version): the weights in the layout oneDNN's forward primitive for `g`
// runs in, after a header of kPackedHeader floats. The size bounds every layout oneDNN picks on
// x86 (output and input channels blocked by up to 16), so a library compiled on one CPU runs on
// another; if the layout ever needs more, the header says the buffer is unused and
// conv2d_forward_packed reorders `w` itself.
inline constexpr int64_t kPackedHeader = 16;
inline int64_t packed_weights_size(const ConvGeometry& g) {
  auto up16 = [](int64_t v) { return (v + 15) / 16 * 16; };
  return kPackedHeader + g.groups * up16(g.o / g.groups) * up16(g.c / g.groups) * g.kh * g.kw;
}
void conv2d_pack_weights(const ConvGeometry& g, const float* w, float* packed);

// An activation applied to a convolution's result as it is made, with kiln's semantics (relu is
// kiln's maximum(x, 0): NaN stays NaN, where oneDNN's relu post-op gives 0).
enum class ConvActivation : int64_t { None = 0, Relu = 1 };

// conv2d_forward with the weights from conv2d_pack_weights(g, w, packed), x and y in `layouts`,
// then `activation` on y. A batch whose result would leave L2 runs a few images at a time, each
// part activated while it is still there.
void conv2d_forward_packed(const ConvGeometry& g, const float* x, const float* w, const float* packed, const float* bias,
                           float* y, ConvLayouts layouts = {}, ConvActivation activation = ConvActivation::None);

// y = x, n×c×h×w, from layout `from` into layout `to` (ConvLayouts' values).
void reorder_activations(int64_t n, int64_t c, int64_t h, int64_t w, const float* x, int64_t from, float* y, int64_t to);

}  // namespace kiln::kernels
