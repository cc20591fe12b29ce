// Convolutions through oneDNN, or kiln's direct kernels for few channels (direct_convolution.h).
// The caller's arrays are plain (nchw data, oihw / goihw weights); each oneDNN primitive runs in
// the layouts oneDNN prefers, reordered around the call. Primitives (and their reorders) are kept
// per geometry and thread.
#include "runtime/kernels/convolution.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "runtime/error.h"
#include "runtime/kernels/direct_convolution.h"
#include "runtime/kernels/elementwise.h"
#include "runtime/onednn.h"

namespace kiln::kernels {
namespace {

using dnnl::memory;
using Dims = memory::dims;

enum class Pass { Forward, ForwardBias, ForwardPacked, ForwardPackedBias, PackWeights, BackwardData, BackwardWeights };

// The caller's layouts (plain nchw, or the blocked ones of ConvLayouts) and the layouts the
// primitive runs in: oneDNN's choice (`any`), whose blocked layouts run several times faster than
// plain nchw, or nhwc where those would pad the channels (conv2d_runs_blocked). Arrays are
// reordered between the two around each call where they differ (BoundPrimitive::bridge).
struct Descs {
  memory::desc src, weights, bias, dst;          // the caller's
  memory::desc run_src, run_weights, run_dst;    // what the primitive runs in: oneDNN's choice, or nhwc
  Dims strides, dilates, padding;
};

memory::format_tag activation_tag(int64_t block) {
  switch (block) {
    case 0: return memory::format_tag::nchw;
    case 8: return memory::format_tag::nChw8c;
    case 16: return memory::format_tag::nChw16c;
  }
  throw Error(fmt("convolution: no activation layout with blocks of ", block, " channels (0, 8 or 16)"));
}

memory::desc activation_desc(const Dims& dims, int64_t block) {
  if (block && dims[1] % block)
    throw Error(fmt("convolution: ", dims[1], " channels do not fill blocks of ", block, " (a blocked layout)"));
  return memory::desc(dims, memory::data_type::f32, activation_tag(block));
}

Descs descs(const ConvGeometry& g, ConvLayouts layouts = {}) {
  auto f32 = memory::data_type::f32;
  auto any = memory::format_tag::any;
  Dims src{g.n, g.c, g.h, g.w}, dst{g.n, g.o, g.oh, g.ow};
  Dims weights = g.groups > 1 ? Dims{g.groups, g.o / g.groups, g.c / g.groups, g.kh, g.kw} : Dims{g.o, g.c, g.kh, g.kw};
  Descs d;
  d.src = activation_desc(src, layouts.data);
  d.weights = memory::desc(weights, f32, g.groups > 1 ? memory::format_tag::goihw : memory::format_tag::oihw);
  d.bias = memory::desc({g.o}, f32, memory::format_tag::x);
  d.dst = activation_desc(dst, layouts.result);
  auto activations = conv2d_runs_blocked(g.c, g.o) ? any : memory::format_tag::nhwc;
  d.run_src = memory::desc(src, f32, activations);
  d.run_weights = memory::desc(weights, f32, any);
  d.run_dst = memory::desc(dst, f32, activations);
  d.strides = {g.stride_h, g.stride_w};
  d.dilates = {g.dilate_h - 1, g.dilate_w - 1};  // oneDNN counts the gaps: 0 is a dense kernel
  // The same padding on both sides: oneDNN's floor division then gives Gluon's output size.
  d.padding = {g.pad_h, g.pad_w};
  return d;
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, bool bias) {
  auto prop = dnnl::prop_kind::forward_training;
  auto algo = dnnl::algorithm::convolution_direct;
  auto desc = bias ? dnnl::convolution_forward::desc(prop, algo, d.run_src, d.run_weights, d.bias, d.run_dst, d.strides,
                                                     d.dilates, d.padding, d.padding)
                   : dnnl::convolution_forward::desc(prop, algo, d.run_src, d.run_weights, d.run_dst, d.strides,
                                                     d.dilates, d.padding, d.padding);
  return {desc, onednn::engine()};
}

onednn::BoundPrimitive make(const ConvGeometry& g, Pass pass, ConvLayouts layouts) {
  Descs d = descs(g, layouts);
  auto algo = dnnl::algorithm::convolution_direct;
  onednn::BoundPrimitive b;
  switch (pass) {
    case Pass::Forward:
    case Pass::ForwardBias: {
      bool bias = pass == Pass::ForwardBias;
      auto pd = forward_pd(d, bias);
      b.primitive = dnnl::convolution_forward(pd);
      b.bridge(DNNL_ARG_SRC, d.src, pd.src_desc(), false);
      b.bridge(DNNL_ARG_WEIGHTS, d.weights, pd.weights_desc(), false);
      b.bridge(DNNL_ARG_DST, d.dst, pd.dst_desc(), true);
      if (bias) b.bind({{DNNL_ARG_BIAS, d.bias}});
      break;
    }
    case Pass::ForwardPacked:
    case Pass::ForwardPackedBias: {  // the weights come in the primitive's own layout
      bool bias = pass == Pass::ForwardPackedBias;
      auto pd = forward_pd(d, bias);
      b.primitive = dnnl::convolution_forward(pd);
      b.bridge(DNNL_ARG_SRC, d.src, pd.src_desc(), false);
      b.bind({{DNNL_ARG_WEIGHTS, pd.weights_desc()}});
      b.bridge(DNNL_ARG_DST, d.dst, pd.dst_desc(), true);
      if (bias) b.bind({{DNNL_ARG_BIAS, d.bias}});
      break;
    }
    case Pass::PackWeights: {
      auto pd = forward_pd(d, false);  // a bias does not change the weights' layout
      b.primitive = dnnl::reorder(dnnl::memory(d.weights, onednn::engine(), nullptr),
                                  dnnl::memory(pd.weights_desc(), onednn::engine(), nullptr));
      b.bind({{DNNL_ARG_FROM, d.weights}, {DNNL_ARG_TO, pd.weights_desc()}});
      break;
    }
    case Pass::BackwardData: {
      dnnl::convolution_backward_data::desc desc(algo, d.run_src, d.run_weights, d.run_dst, d.strides, d.dilates,
                                                 d.padding, d.padding);
      dnnl::convolution_backward_data::primitive_desc pd(desc, onednn::engine(), forward_pd(d, false));
      b.primitive = dnnl::convolution_backward_data(pd);
      b.bridge(DNNL_ARG_DIFF_DST, d.dst, pd.diff_dst_desc(), false);
      b.bridge(DNNL_ARG_WEIGHTS, d.weights, pd.weights_desc(), false);
      b.bridge(DNNL_ARG_DIFF_SRC, d.src, pd.diff_src_desc(), true);
      break;
    }
    case Pass::BackwardWeights: {
      dnnl::convolution_backward_weights::desc desc(algo, d.run_src, d.run_weights, d.run_dst, d.strides, d.dilates,
                                                    d.padding, d.padding);
      dnnl::convolution_backward_weights::primitive_desc pd(desc, onednn::engine(), forward_pd(d, false));
      b.primitive = dnnl::convolution_backward_weights(pd);
      b.bridge(DNNL_ARG_SRC, d.src, pd.src_desc(), false);
      b.bridge(DNNL_ARG_DIFF_DST, d.dst, pd.diff_dst_desc(), false);
      b.bridge(DNNL_ARG_DIFF_WEIGHTS, d.weights, pd.diff_weights_desc(), true);
      break;
    }
  }
  return b;
}

using GeometryKey = std::array<int64_t, 16>;
GeometryKey key_of(const ConvGeometry& g) {
  return {g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow, g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.dilate_h, g.dilate_w,
          g.groups};
}

onednn::BoundPrimitive& primitive(const ConvGeometry& g, Pass pass, ConvLayouts layouts = {}) {
  thread_local std::map<std::tuple<GeometryKey, Pass, ConvLayouts>, onednn::BoundPrimitive> cache;
  std::tuple key{key_of(g), pass, layouts};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make(g, pass, layouts)).first;
  return it->second;
}

void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y, ConvLayouts layouts) {
  onednn::BoundPrimitive& p = primitive(g, bias ? Pass::ForwardBias : Pass::Forward, layouts);
  if (bias) p.set(DNNL_ARG_BIAS, bias);
  p.execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}});
}

// Whether the packed layout of `g`'s weights fits packed_weights_size (once per geometry).
bool packs(const ConvGeometry& g) {
  thread_local std::map<GeometryKey, bool> fits;
  auto it = fits.find(key_of(g));
  if (it == fits.end()) {
    size_t bytes = forward_pd(descs(g), false).weights_desc().get_size();
    it = fits.emplace(key_of(g), bytes <= static_cast<size_t>(packed_weights_size(g) - kPackedHeader) * sizeof(float)).first;
  }
  return it->second;
}

void forward_packed(const ConvGeometry& g, const float* x, const float* w, const float* packed, const float* bias, float* y,
                    ConvLayouts layouts) {
  if (packed[0] != 1.f) return layouts == ConvLayouts{} ? conv2d_forward(g, x, w, bias, y) : forward(g, x, w, bias, y, layouts);
  onednn::BoundPrimitive& p = primitive(g, bias ? Pass::ForwardPackedBias : Pass::ForwardPacked, layouts);
  if (bias) p.set(DNNL_ARG_BIAS, bias);
  p.execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, packed + kPackedHeader}, {DNNL_ARG_DST, y}});
}

// An activated result is made in parts of at most this many bytes (or one image), activated while
// they are in L2: a separate pass over a result of several MB ran ~0.2 ms (conv_block, AVX2 host).
constexpr int64_t kActivatedBytes = int64_t{256} << 10;

// Whether `g` on `images` images (0: trivially) runs with the weights packed for the whole batch.
bool packs_alike(const ConvGeometry& g, int64_t images) {
  if (images == 0 || images == g.n) return true;
  thread_local std::map<std::pair<GeometryKey, int64_t>, bool> alike;
  auto it = alike.find({key_of(g), images});
  if (it == alike.end()) {
    ConvGeometry part = g;
    part.n = images;
    bool same = forward_pd(descs(part), false).weights_desc() == forward_pd(descs(g), false).weights_desc();
    it = alike.emplace(std::pair{key_of(g), images}, same).first;
  }
  return it->second;
}

}  // namespace

void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  if (direct::runs_direct(g, direct::ConvPass::Forward)) return direct::forward(g, x, w, bias, y);
  forward(g, x, w, bias, y, {});
}

void conv2d_pack_weights(const ConvGeometry& g, const float* w, float* packed) {
  bool fits = !direct::runs_direct(g, direct::ConvPass::Forward) && packs(g);  // the direct kernels pack their own
  packed[0] = fits ? 1.f : 0.f;
  if (fits) primitive(g, Pass::PackWeights).execute({{DNNL_ARG_FROM, w}, {DNNL_ARG_TO, packed + kPackedHeader}});
}

void conv2d_forward_packed(const ConvGeometry& g, const float* x, const float* w, const float* packed, const float* bias,
                           float* y, ConvLayouts layouts, ConvActivation activation) {
  if (activation == ConvActivation::None) return forward_packed(g, x, w, packed, bias, y, layouts);
  const int64_t image_in = g.c * g.h * g.w, image_out = g.o * g.oh * g.ow;
  int64_t images = std::clamp<int64_t>(kActivatedBytes / std::max<int64_t>(1, image_out * int64_t{sizeof(float)}), 1, g.n);
  // Unpacked weights would be reordered again for every part.
  if (images < g.n && (packed[0] != 1.f || !packs_alike(g, images) || !packs_alike(g, g.n % images))) images = g.n;
  for (int64_t first = 0; first < g.n; first += images) {
    ConvGeometry part = g;
    part.n = std::min(images, g.n - first);
    float* out = y + first * image_out;
    forward_packed(part, x + first * image_in, w, packed, bias, out, layouts);
    unary(UnaryFn::Relu, out, out, part.n * image_out);  // the one activation there is
  }
}

void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  if (direct::runs_direct(g, direct::ConvPass::BackwardData)) return direct::backward_data(g, dy, w, dx);
  conv2d_backward_data_onednn(g, dy, w, dx);
}

void conv2d_backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  if (direct::runs_direct(g, direct::ConvPass::BackwardWeights)) return direct::backward_weights(g, dy, x, dw);
  conv2d_backward_weights_onednn(g, dy, x, dw);
}

void conv2d_forward_onednn(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  forward(g, x, w, bias, y, {});
}

void conv2d_backward_data_onednn(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  primitive(g, Pass::BackwardData).execute({{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dx}});
}

void conv2d_backward_weights_onednn(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  primitive(g, Pass::BackwardWeights).execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
}

void reorder_activations(int64_t n, int64_t c, int64_t h, int64_t w, const float* x, int64_t from, float* y,
                         int64_t to) {
  thread_local std::map<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>, onednn::BoundPrimitive> cache;
  std::tuple key{n, c, h, w, from, to};
  auto it = cache.find(key);
  if (it == cache.end()) {
    memory::desc source = activation_desc({n, c, h, w}, from), target = activation_desc({n, c, h, w}, to);
    onednn::BoundPrimitive b;
    b.primitive = dnnl::reorder(dnnl::memory(source, onednn::engine(), nullptr), dnnl::memory(target, onednn::engine(), nullptr));
    b.bind({{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, target}});
    it = cache.emplace(key, std::move(b)).first;
  }
  it->second.execute({{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y}});
}

}  // namespace kiln::kernels
