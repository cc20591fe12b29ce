// Convolution and pooling: the kernels' results against the definitions, gradients against finite
// differences (eager, traced and compiled), the layers' shapes and errors, eager and hybridized.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "frontend/hybridize/trace_hook.h"
#include "frontend/kiln.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/direct_convolution.h"
#include "runtime/kernels/elementwise.h"
#include "runtime/kernels/pooling.h"
#include "tests/test_util.h"

namespace kiln {
namespace {

using testing::check_gradients;
using testing::expect_close;
using Inputs = std::vector<NDArray>;

// The convolution by its definition, in double.
NDArray reference_conv(const NDArray& x, const NDArray& w, const NDArray& b, const nd::Conv2DOptions& o) {
  const Shape &xs = x.shape(), &ws = w.shape();
  int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3], oc = ws[0], kh = ws[2], kw = ws[3], g = o.groups;
  int64_t oh = (h + 2 * o.padding[0] - o.dilation[0] * (kh - 1) - 1) / o.strides[0] + 1;
  int64_t ow = (wd + 2 * o.padding[1] - o.dilation[1] * (kw - 1) - 1) / o.strides[1] + 1;
  std::vector<float> xv = x.to_vector(), wv = w.to_vector(), out(n * oc * oh * ow);
  int64_t cg = c / g, og = oc / g;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t o_ = 0; o_ < oc; ++o_)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t z = 0; z < ow; ++z) {
          double acc = b.defined() ? b.to_vector()[o_] : 0.0;
          int64_t group = o_ / og;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t yy = y * o.strides[0] - o.padding[0] + i * o.dilation[0];
                int64_t zz = z * o.strides[1] - o.padding[1] + j * o.dilation[1];
                if (yy < 0 || yy >= h || zz < 0 || zz >= wd) continue;
                acc += double(xv[((in * c + group * cg + ci) * h + yy) * wd + zz]) * wv[((o_ * cg + ci) * kh + i) * kw + j];
              }
          out[((in * oc + o_) * oh + y) * ow + z] = static_cast<float>(acc);
        }
  return NDArray(Array::from_values({n, oc, oh, ow}, out));
}

// Max or mean over each window by definition (padding: −∞ for the maximum; for the mean, zeros
// counted when include_pad).
NDArray reference_pool(const NDArray& x, std::array<int64_t, 2> k, std::array<int64_t, 2> s, std::array<int64_t, 2> p,
                       bool max, bool include_pad) {
  const Shape& xs = x.shape();
  int64_t n = xs[0], c = xs[1], h = xs[2], w = xs[3];
  int64_t oh = (h + 2 * p[0] - k[0]) / s[0] + 1, ow = (w + 2 * p[1] - k[1]) / s[1] + 1;
  std::vector<float> xv = x.to_vector(), out(n * c * oh * ow);
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t yy = y * s[0] - p[0] + i, zz = z * s[1] - p[1] + j;
            bool inside = yy >= 0 && yy < h && zz >= 0 && zz < w;
            if (inside || include_pad) ++count;
            if (!inside) continue;
            double v = xv[(b * h + yy) * w + zz];
            acc = max ? std::max(acc, v) : acc + v;
          }
        out[(b * oh + y) * ow + z] = static_cast<float>(max ? acc : acc / count);
      }
  return NDArray(Array::from_values({n, c, oh, ow}, out));
}

// The transposed convolution by its definition: each input element scatters weight·x into the
// output window it maps to (groups: input channel group g feeds output channel group g).
NDArray reference_conv_transpose(const NDArray& x, const NDArray& w, const nd::Conv2DOptions& o, Shape y_shape) {
  const Shape &xs = x.shape(), &ws = w.shape();
  int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3], og = ws[1], kh = ws[2], kw = ws[3], g = o.groups;
  int64_t oc = y_shape[1], oh = y_shape[2], ow = y_shape[3], cg = c / g;
  std::vector<float> xv = x.to_vector(), wv = w.to_vector();
  std::vector<double> out(n * oc * oh * ow, 0.0);
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t z = 0; z < wd; ++z)
          for (int64_t o_ = 0; o_ < og; ++o_)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t yy = y * o.strides[0] - o.padding[0] + i * o.dilation[0];
                int64_t zz = z * o.strides[1] - o.padding[1] + j * o.dilation[1];
                if (yy < 0 || yy >= oh || zz < 0 || zz >= ow) continue;
                int64_t oo = (ci / cg) * og + o_;
                out[((in * oc + oo) * oh + yy) * ow + zz] +=
                    double(xv[((in * c + ci) * h + y) * wd + z]) * wv[((ci * og + o_) * kh + i) * kw + j];
              }
  return NDArray(Array::from_values(y_shape, std::vector<float>(out.begin(), out.end())));
}

class Conv : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(77); }
};

TEST_F(Conv, Conv2DIsTheConvolutionByDefinition) {
  struct Case {
    Shape x, w;
    nd::Conv2DOptions o;
    bool bias;
  };
  for (const Case& c : {Case{{2, 3, 7, 6}, {4, 3, 3, 3}, {}, true},
                        Case{{1, 2, 9, 9}, {3, 2, 3, 2}, {{2, 1}, {1, 2}, {1, 1}, 1}, false},
                        Case{{2, 4, 8, 8}, {6, 2, 3, 3}, {{1, 1}, {2, 2}, {2, 2}, 2}, true},
                        Case{{1, 1, 5, 5}, {1, 1, 5, 5}, {}, true}}) {
    SCOPED_TRACE(shape_str(c.x) + " * " + shape_str(c.w));
    NDArray x = nd::random::uniform(-1, 1, c.x), w = nd::random::uniform(-1, 1, c.w);
    NDArray b = c.bias ? nd::random::uniform(-1, 1, {c.w[0]}) : NDArray();
    expect_close(nd::conv2d(x, w, b, c.o), reference_conv(x, w, b, c.o), 1e-5f, 1e-4f);
  }
}

TEST_F(Conv, PoolsAreTheirWindowsMaxOrMean) {
  NDArray x = nd::random::uniform(-1, 1, {2, 3, 7, 8});
  for (auto [k, s, p] : {std::tuple<std::array<int64_t, 2>, std::array<int64_t, 2>, std::array<int64_t, 2>>{{2, 2}, {2, 2}, {0, 0}},
                         {{3, 3}, {2, 2}, {1, 1}}, {{3, 2}, {1, 2}, {1, 0}}}) {
    SCOPED_TRACE(fmt("kernel ", k[0], "x", k[1], " stride ", s[0], "x", s[1], " pad ", p[0], "x", p[1]));
    expect_close(nd::max_pool2d(x, k, s, p), reference_pool(x, k, s, p, true, true), 1e-6f, 1e-6f);
    expect_close(nd::avg_pool2d(x, k, s, p, true), reference_pool(x, k, s, p, false, true), 1e-6f, 1e-5f);
    expect_close(nd::avg_pool2d(x, k, s, p, false), reference_pool(x, k, s, p, false, false), 1e-6f, 1e-5f);
  }
}

// kiln's max: NaN counts as the largest, and the first NaN of a window takes its gradient. The
// 2×2 stride-2 pool has its own loops (values without indices forward), so both paths are run.
TEST_F(Conv, MaxPoolPropagatesNaNAndTheFirstNaNTakesTheGradient) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  NDArray x(Array::from_values({1, 1, 2, 4}, {1, nan, 3, 4, nan, 2, 0, 5}));
  struct Case {
    std::array<int64_t, 2> kernel, stride;
    bool second_is_nan;
    std::vector<float> grad;
  };
  // 2×2 windows: {1, NaN | NaN, 2} and {3, 4 | 0, 5}; 2×3 at stride 1: both windows hold x[1].
  for (const Case& c : {Case{{2, 2}, {2, 2}, false, {0, 1, 0, 0, 0, 0, 0, 1}},
                        Case{{2, 3}, {1, 1}, true, {0, 2, 0, 0, 0, 0, 0, 0}}}) {
    SCOPED_TRACE(fmt("kernel ", c.kernel[0], "x", c.kernel[1]));
    NDArray xg = x.copy();
    xg.attach_grad();
    NDArray y;
    {
      auto rec = autograd::record();
      y = nd::max_pool2d(xg, c.kernel, c.stride, {0, 0});
    }
    std::vector<float> values = y.to_vector();
    ASSERT_EQ(values.size(), 2u);
    EXPECT_TRUE(std::isnan(values[0]));
    if (c.second_is_nan) EXPECT_TRUE(std::isnan(values[1]));
    else EXPECT_EQ(values[1], 5.f);
    y.backward();
    EXPECT_EQ(xg.grad().to_vector(), c.grad);
  }
}

// The 2×2 stride-2 pool reduces columns first, then rows, but must still give each window's
// gradient to its first maximum in row-major order: values from {0, 1, 2, NaN} make ties and
// NaNs in every arrangement, on even and odd planes (an odd edge is in no window: zero gradient).
TEST_F(Conv, MaxPool2x2GivesTiesToTheFirstInRowMajorOrder) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (Shape shape : {Shape{3, 2, 6, 8}, Shape{2, 3, 5, 7}}) {
    SCOPED_TRACE(shape_str(shape));
    const int64_t planes = shape[0] * shape[1], h = shape[2], w = shape[3], oh = h / 2, ow = w / 2;
    std::vector<float> v(planes * h * w), dy(planes * oh * ow), y_want(dy.size()), dx_want(v.size(), 0.f);
    for (size_t i = 0; i < v.size(); ++i) v[i] = (i * 7 + i / 5) % 4 == 3 ? nan : static_cast<float>((i * 7 + i / 5) % 4);
    for (size_t i = 0; i < dy.size(); ++i) dy[i] = 1.f + static_cast<float>(i);
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          int64_t best = -1;
          for (int64_t dyy = 0; dyy < 2; ++dyy)
            for (int64_t dxx = 0; dxx < 2; ++dxx) {
              int64_t at = (p * h + 2 * oy + dyy) * w + 2 * ox + dxx;
              float m = best < 0 ? 0.f : v[best];
              if (best < 0 || v[at] > m || (std::isnan(v[at]) && !std::isnan(m))) best = at;
            }
          int64_t out = (p * oh + oy) * ow + ox;
          y_want[out] = v[best];
          dx_want[best] = dy[out];
        }
    NDArray x(Array::from_values(shape, v));
    x.attach_grad();
    NDArray y;
    {
      auto rec = autograd::record();
      y = nd::max_pool2d(x, {2, 2}, {2, 2});
    }
    y.backward(NDArray(Array::from_values(y.shape(), dy)));
    std::vector<float> y_got = y.to_vector();
    for (size_t i = 0; i < y_got.size(); ++i)
      EXPECT_TRUE(std::isnan(y_want[i]) ? std::isnan(y_got[i]) : y_got[i] == y_want[i]) << "output " << i;
    EXPECT_EQ(x.grad().to_vector(), dx_want);
  }
}

// Calls `net` on a 2×3×8×8 input with a NaN at `nan_at`, eagerly and then hybridized (one
// compile); expects the two results to agree, the NaN reaching the output in both; returns the
// compile's optimized IR.
std::string optimized_ir_matching_eager(nn::Block& net, int64_t nan_at) {
  net.initialize();
  NDArray x = nd::random::uniform(-1, 1, {2, 3, 8, 8});
  x.data()[nan_at] = std::numeric_limits<float>::quiet_NaN();
  NDArray eager = net(x);
  net.hybridize();
  std::string optimized = testing::dumped_stage([&] { net(x); }, "1-optimized.mlir");
  NDArray compiled = net(x);
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
  expect_close(compiled, eager);
  std::vector<float> e = eager.to_vector();
  EXPECT_TRUE(std::any_of(e.begin(), e.end(), [](float v) { return std::isnan(v); })) << "the NaN should reach the output";
  return optimized;
}

// The lines of `ir` that contain each of `parts`.
size_t lines_with(const std::string& ir, std::initializer_list<std::string_view> parts) {
  size_t count = 0;
  std::istringstream lines(ir);
  for (std::string line; std::getline(lines, line);)
    count += std::all_of(parts.begin(), parts.end(), [&](std::string_view part) { return line.find(part) != std::string::npos; });
  return count;
}

// Inference graphs keep activations in oneDNN's blocked layout from one convolution to the next
// (kiln-keep-blocked-layout), through relu, a residual add and the pool, into a Dense layer whose
// weight is put into the blocked order instead: no activation is reordered back. The compiled
// result matches eager.
TEST_F(Conv, HybridizedConvolutionsHandEachOtherBlockedActivations) {
  class Residual : public nn::Block {
   public:
    nn::Child<nn::Conv2D> stem = register_block("stem", nn::Conv2D({.channels = 16, .kernel_size = 3, .padding = 1, .activation = "relu"}));
    nn::Child<nn::Conv2D> body = register_block("body", nn::Conv2D({.channels = 16, .kernel_size = 3, .padding = 1}));
    nn::Child<nn::Dense> head = register_block("head", nn::Dense(5));

   protected:
    NDArray forward(const NDArray& x) override {
      NDArray y = stem(x);
      return head(nd::max_pool2d((body(y) + y).relu(), {2, 2}, {2, 2}));
    }
  } net;
  std::string optimized = optimized_ir_matching_eager(net, 5);
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2: oneDNN blocks by 4 here, and kiln keeps NCHW";
  EXPECT_EQ(lines_with(optimized, {"kiln.reorder_activations", "to = 0 "}), 0u) << optimized;
  EXPECT_EQ(lines_with(optimized, {"kiln.reorder_activations", "from = 0 "}), 1u) << optimized;  // the Dense weight
  EXPECT_EQ(lines_with(optimized, {"kiln.conv2d_packed", "data_layout = "}), 1u) << optimized;
  EXPECT_EQ(lines_with(optimized, {"kiln.max_pool2d", " layout = "}), 1u) << optimized;
}

// A pool on oneDNN's blocked layouts (inference graphs pool the activations convolutions give
// blocked) sees each window's elements in the order the nchw loops do: reordered into the layout
// and back, its results are the nchw pool's to the bit, NaN and the sign of zero included.
TEST_F(Conv, PoolsOfBlockedActivationsAreTheNchwPoolsToTheBit) {
  using kernels::PoolKind;
  const int64_t n = 2, c = 32, h = 7, w = 6;
  std::vector<float> x = nd::random::uniform(-1, 1, {n, c, h, w}).to_vector();
  x[0] = -0.f, x[1] = 0.f, x[w] = x[w + 1] = -0.5f;  // a window whose maximum is a zero of either sign
  x[3] = x[h * w + 8] = x[5 * h * w + 20] = std::numeric_limits<float>::quiet_NaN();
  struct Window {
    int64_t kh, kw, sh, sw, ph, pw;
  };
  for (int64_t layout : {8, 16})
    for (Window win : {Window{2, 2, 2, 2, 0, 0}, Window{3, 3, 2, 2, 1, 1}, Window{3, 2, 1, 2, 1, 0}, Window{h, w, 1, 1, 0, 0}})
      for (PoolKind kind : {PoolKind::Max, PoolKind::AvgIncludePad, PoolKind::AvgExcludePad}) {
        SCOPED_TRACE(fmt("layout ", layout, ", kernel ", win.kh, "x", win.kw, " stride ", win.sh, "x", win.sw, " pad ", win.ph,
                         "x", win.pw, ", kind ", static_cast<int64_t>(kind)));
        const int64_t oh = (h + 2 * win.ph - win.kh) / win.sh + 1, ow = (w + 2 * win.pw - win.kw) / win.sw + 1;
        const kernels::PoolGeometry g{n, c, h, w, oh, ow, win.kh, win.kw, win.sh, win.sw, win.ph, win.pw, kind};
        std::vector<float> want(n * c * oh * ow), blocked_x(x.size()), blocked_y(want.size()), got(want.size());
        kernels::pool2d_forward(g, x.data(), want.data());
        kernels::reorder_activations(n, c, h, w, x.data(), 0, blocked_x.data(), layout);
        kernels::pool2d_forward(g, blocked_x.data(), blocked_y.data(), layout);
        kernels::reorder_activations(n, c, oh, ow, blocked_y.data(), layout, got.data(), 0);
        for (size_t i = 0; i < want.size(); ++i)
          ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i])) << "at " << i << ": " << got[i]
                                                                                          << " for " << want[i];
      }
}

// Hybridized, max and average pools read the blocked activations a convolution gives, and the
// per-element ops after them stay blocked: the one reorder left moves the global pool's output.
TEST_F(Conv, HybridizedPoolsReadBlockedActivations) {
  class Pools : public nn::Block {
   public:
    nn::Child<nn::Conv2D> stem = register_block("stem", nn::Conv2D({.channels = 16, .kernel_size = 3, .padding = 1, .activation = "relu"}));

   protected:
    NDArray forward(const NDArray& x) override {
      NDArray y = stem(x);
      NDArray pooled = nd::max_pool2d(y, {3, 3}, {2, 2}, {1, 1}) + nd::avg_pool2d(y, {3, 3}, {2, 2}, {1, 1}, true) +
                       nd::avg_pool2d(y, {3, 3}, {2, 2}, {1, 1}, false);
      return nd::avg_pool2d(pooled, {4, 4}, {1, 1});
    }
  } net;
  std::string optimized = optimized_ir_matching_eager(net, 70);
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2: oneDNN blocks by 4 here, and kiln keeps NCHW";
  EXPECT_EQ(lines_with(optimized, {"_pool2d", " layout = "}), 4u) << optimized;
  EXPECT_EQ(lines_with(optimized, {"kiln.reorder_activations"}), 1u) << optimized;
}

// A packed convolution with relu (kiln-fuse-conv-activation) makes a large batch's result a few
// images at a time (here 2 of 5, then the last one) and applies kiln's relu to each part: the
// convolution, then relu, NaN included.
TEST_F(Conv, ActivatedPackedConvolutionIsTheConvolutionThenRelu) {
  const kernels::ConvGeometry g{5, 16, 32, 32, 32, 3, 3, 32, 32, 1, 1, 1, 1, 1, 1, 1};
  std::vector<float> x = nd::random::uniform(-1, 1, {g.n, g.c, g.h, g.w}).to_vector();
  std::vector<float> w = nd::random::uniform(-0.2f, 0.2f, {g.o, g.c, g.kh, g.kw}).to_vector();
  std::vector<float> bias = nd::random::uniform(-1, 1, {g.o}).to_vector();
  x[3 * g.c * g.h * g.w + 100] = std::numeric_limits<float>::quiet_NaN();  // in the second part
  std::vector<float> packed(kernels::packed_weights_size(g));
  kernels::conv2d_pack_weights(g, w.data(), packed.data());
  for (kernels::ConvLayouts layouts : {kernels::ConvLayouts{0, 0}, kernels::ConvLayouts{16, 8}})
    for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
      SCOPED_TRACE(fmt("layouts ", layouts.data, " -> ", layouts.result, b ? ", bias" : ""));
      std::vector<float> in(x.size()), want(g.n * g.o * g.oh * g.ow), got(want.size());
      kernels::reorder_activations(g.n, g.c, g.h, g.w, x.data(), 0, in.data(), layouts.data);
      kernels::conv2d_forward_packed(g, in.data(), w.data(), packed.data(), b, want.data(), layouts);
      kernels::unary(kernels::UnaryFn::Relu, want.data(), want.data(), static_cast<int64_t>(want.size()));
      kernels::conv2d_forward_packed(g, in.data(), w.data(), packed.data(), b, got.data(), layouts,
                                     kernels::ConvActivation::Relu);
      size_t nans = 0;
      for (size_t i = 0; i < want.size(); ++i) {
        nans += std::isnan(want[i]);
        if (std::isnan(want[i])) ASSERT_TRUE(std::isnan(got[i])) << "at " << i;
        else ASSERT_NEAR(got[i], want[i], 1e-5f + 1e-5f * std::fabs(want[i])) << "at " << i;
      }
      EXPECT_GT(nans, 0u);
    }
}

// Counts the ops dispatched while it is active, by name.
class OpCounter : public TraceHook {
 public:
  std::map<std::string, int> counts;
  void record(const OpDef& op, std::span<const NDArray>, const OpAttrs&, const NDArray&) override {
    ++counts[std::string(op.name)];
  }
  void guard(const Array&, const Array*, float, std::string_view, bool, uint64_t) override {}
  void untraceable(const char*) override {}
  void host_access(const Array&, const char*) override {}
  void alias(const Array&, const Array&) override {}
  void begin_region(std::span<const NDArray>) override {}
  void end_region(std::span<const NDArray>) override {}
  void control(Control, std::span<const NDArray>, std::span<const NDArray>, int64_t) override {}
};

// A network's first layer has no use for the gradient of its data: backward computes only the
// products some input takes (eagerly, and so in every traced backward).
TEST_F(Conv, BackwardSkipsTheGradientsNoInputTakes) {
  for (bool data_grad : {false, true}) {
    SCOPED_TRACE(data_grad ? "the data takes a gradient" : "only the parameters take gradients");
    NDArray x = nd::random::uniform(-1, 1, {2, 3, 6, 6}), w = nd::random::uniform(-1, 1, {4, 3, 3, 3});
    NDArray b = nd::zeros({4}), fw = nd::random::uniform(-1, 1, {5, 3 * 6 * 6});
    if (data_grad) x.attach_grad();
    w.attach_grad();
    b.attach_grad();
    NDArray conv, dense;
    {
      auto rec = autograd::record();
      conv = nd::conv2d(x, w, b, {.padding = {1, 1}});
      dense = nd::fully_connected(nd::reshape(x, {2, -1}), fw);  // fw takes no gradient
    }
    OpCounter counter;
    {
      TraceScope scope(&counter);
      conv.backward();
      if (data_grad) dense.backward();
    }
    EXPECT_EQ(counter.counts["conv2d_backward_data"], data_grad ? 1 : 0);
    EXPECT_EQ(counter.counts["conv2d_backward_weights"], 1);
    EXPECT_EQ(counter.counts["dot"], data_grad ? 1 : 0);  // dense's data gradient; never its weight's
    if (data_grad) EXPECT_EQ(x.grad().shape(), x.shape());
    EXPECT_EQ(w.grad().shape(), w.shape());
  }
}

// The three passes of a stride-1 convolution by their definitions, in double, for the kernels'
// own arrays: y (with bias), dx from dy, dw from dy.
struct ConvByDefinition {
  std::vector<float> y, dx, dw;
};
ConvByDefinition conv_by_definition(const kernels::ConvGeometry& g, const std::vector<float>& x, const std::vector<float>& w,
                                    const std::vector<float>& b, const std::vector<float>& dy) {
  std::vector<double> y(g.n * g.o * g.oh * g.ow), dx(x.size()), dw(w.size());
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t o = 0; o < g.o; ++o)
      for (int64_t r = 0; r < g.oh; ++r)
        for (int64_t q = 0; q < g.ow; ++q) {
          int64_t out = ((n * g.o + o) * g.oh + r) * g.ow + q;
          double acc = b[o];
          for (int64_t c = 0; c < g.c; ++c)
            for (int64_t i = 0; i < g.kh; ++i)
              for (int64_t j = 0; j < g.kw; ++j) {
                int64_t yy = r - g.pad_h + i, zz = q - g.pad_w + j;
                if (yy < 0 || yy >= g.h || zz < 0 || zz >= g.w) continue;
                int64_t in = ((n * g.c + c) * g.h + yy) * g.w + zz, tap = ((o * g.c + c) * g.kh + i) * g.kw + j;
                acc += double(x[in]) * w[tap];
                dx[in] += double(dy[out]) * w[tap];
                dw[tap] += double(dy[out]) * x[in];
              }
          y[out] = acc;
        }
  auto f32 = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
  return {f32(y), f32(dx), f32(dw)};
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want, float atol, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], atol + 1e-4f * std::fabs(want[i])) << what << " at flat index " << i;
}

// kiln's direct kernels (few channels) and oneDNN's primitives give every pass's definition, on
// geometries with rows that fill no whole vector, padding, kernels from 1×1 to 7×7, and output
// channels in one vector, two, and two and a half (the weight gradient's two ways).
TEST_F(Conv, DirectKernelsAndOneDnnBothGiveTheDefinition) {
  struct Case {
    int64_t n, c, h, w, o, kh, kw, pad_h, pad_w;
  };
  for (const Case& k : {Case{3, 1, 12, 12, 6, 5, 5, 0, 0}, Case{2, 6, 12, 12, 16, 5, 5, 0, 0},
                        Case{2, 1, 9, 14, 6, 5, 5, 2, 2}, Case{3, 3, 7, 21, 5, 3, 3, 1, 1},
                        Case{2, 2, 5, 5, 3, 1, 1, 0, 0}, Case{1, 4, 10, 37, 2, 7, 7, 3, 3},
                        Case{2, 3, 6, 19, 7, 3, 2, 2, 1}, Case{1, 2, 3, 3, 1, 3, 3, 2, 2},
                        Case{2, 2, 9, 11, 20, 3, 3, 1, 1}}) {
    int64_t oh = k.h + 2 * k.pad_h - k.kh + 1, ow = k.w + 2 * k.pad_w - k.kw + 1;
    kernels::ConvGeometry g{k.n, k.c, k.h, k.w, k.o, k.kh, k.kw, oh, ow, 1, 1, k.pad_h, k.pad_w, 1, 1, 1};
    SCOPED_TRACE(fmt(g.n, "x", g.c, "x", g.h, "x", g.w, " * ", g.o, "x", g.c, "x", g.kh, "x", g.kw, " pad ", g.pad_h, ",",
                     g.pad_w));
    ASSERT_TRUE(kernels::direct::handles(g));
    auto uniform = [](int64_t size) { return nd::random::uniform(-1, 1, {size}).to_vector(); };
    std::vector<float> x = uniform(g.n * g.c * g.h * g.w), w = uniform(g.o * g.c * g.kh * g.kw), b = uniform(g.o),
                       dy = uniform(g.n * g.o * g.oh * g.ow);
    ConvByDefinition want = conv_by_definition(g, x, w, b, dy);
    std::vector<float> y(dy.size()), dx(x.size()), dw(w.size());
    kernels::direct::forward(g, x.data(), w.data(), b.data(), y.data());
    expect_near_all(y, want.y, 1e-5f, "direct forward");
    kernels::direct::backward_data(g, dy.data(), w.data(), dx.data());
    expect_near_all(dx, want.dx, 1e-5f, "direct backward data");
    kernels::direct::backward_weights(g, dy.data(), x.data(), dw.data());
    expect_near_all(dw, want.dw, 1e-4f, "direct backward weights");
    kernels::conv2d_forward_onednn(g, x.data(), w.data(), b.data(), y.data());
    expect_near_all(y, want.y, 1e-5f, "oneDNN forward");
    kernels::conv2d_backward_data_onednn(g, dy.data(), w.data(), dx.data());
    expect_near_all(dx, want.dx, 1e-5f, "oneDNN backward data");
    kernels::conv2d_backward_weights_onednn(g, dy.data(), x.data(), dw.data());
    expect_near_all(dw, want.dw, 1e-4f, "oneDNN backward weights");
  }
}

// Which kernels run which pass (docs/performance.md measures why): every pass of LeNet's two
// convolutions runs direct, so its compiled step reorders nothing; ResNet's 64-channel ones, and
// strided ones, stay with oneDNN.
TEST_F(Conv, LeNetsConvolutionsRunDirectAndWideOnesOnOneDnn) {
  if (const char* v = std::getenv("KILN_DIRECT_CONV"); v && std::string(v) == "off")
    GTEST_SKIP() << "KILN_DIRECT_CONV=off sends every convolution to oneDNN";
  using kernels::direct::ConvPass;
  kernels::ConvGeometry conv1{256, 1, 28, 28, 6, 5, 5, 24, 24, 1, 1, 0, 0, 1, 1, 1};
  kernels::ConvGeometry conv2{256, 6, 12, 12, 16, 5, 5, 8, 8, 1, 1, 0, 0, 1, 1, 1};
  kernels::ConvGeometry resnet{32, 64, 32, 32, 64, 3, 3, 32, 32, 1, 1, 1, 1, 1, 1, 1};
  kernels::ConvGeometry strided{8, 6, 12, 12, 16, 3, 3, 6, 6, 2, 2, 1, 1, 1, 1, 1};
  for (ConvPass pass : {ConvPass::Forward, ConvPass::BackwardData, ConvPass::BackwardWeights}) {
    SCOPED_TRACE(static_cast<int>(pass));
    EXPECT_TRUE(kernels::direct::runs_direct(conv1, pass));
    EXPECT_TRUE(kernels::direct::runs_direct(conv2, pass));
    EXPECT_FALSE(kernels::direct::runs_direct(resnet, pass));
    EXPECT_FALSE(kernels::direct::runs_direct(strided, pass));
  }
}

// The direct weight gradient reads whole vectors past a row's last output; those lanes must not
// count, even where the input there is infinite (0 · inf would be NaN). Here only the last kernel
// column ever multiplies the infinite last input column.
TEST_F(Conv, DirectWeightGradientIgnoresLanesPastTheRow) {
  kernels::ConvGeometry g{1, 1, 4, 14, 2, 3, 5, 2, 10, 1, 1, 0, 0, 1, 1, 1};  // 10 outputs a row: a partial vector
  ASSERT_TRUE(kernels::direct::handles(g));
  std::vector<float> x(g.h * g.w, 0.5f), dy(g.o * g.oh * g.ow, 1.f), dw(g.o * g.kh * g.kw);
  for (int64_t r = 0; r < g.h; ++r) x[r * g.w + g.w - 1] = std::numeric_limits<float>::infinity();
  kernels::direct::backward_weights(g, dy.data(), x.data(), dw.data());
  for (int64_t t = 0; t < g.o * g.kh; ++t)
    for (int64_t j = 0; j < g.kw; ++j) {
      float v = dw[t * g.kw + j];
      if (j == g.kw - 1) EXPECT_EQ(v, std::numeric_limits<float>::infinity()) << "kernel column " << j;
      else EXPECT_FLOAT_EQ(v, 0.5f * g.oh * g.ow) << "kernel column " << j;
    }
}

// A convolution without input or output channels is a shape error that names both shapes (oneDNN
// cannot build one, and the direct tiles need some).
TEST_F(Conv, ZeroChannelsAreAShapeError) {
  NDArray x = nd::random::uniform(-1, 1, {2, 1, 5, 5});
  EXPECT_THROW_WITH(nd::conv2d(x, nd::random::uniform(-1, 1, {0, 1, 3, 3})), ShapeError, "conv2d", "one output channel",
                    "weight 0x1x3x3");
  EXPECT_THROW_WITH(nd::conv2d(nd::random::uniform(-1, 1, {2, 0, 5, 5}), nd::random::uniform(-1, 1, {4, 0, 3, 3})),
                    ShapeError, "conv2d", "data 2x0x5x5");
}

// An empty batch has a zero weight gradient (and reads no image).
TEST_F(Conv, DirectWeightGradientOfAnEmptyBatchIsZero) {
  kernels::ConvGeometry g{0, 1, 6, 6, 2, 3, 3, 4, 4, 1, 1, 0, 0, 1, 1, 1};
  std::vector<float> dw(g.o * g.kh * g.kw, 7.f);
  kernels::direct::backward_weights(g, nullptr, nullptr, dw.data());
  EXPECT_EQ(dw, std::vector<float>(dw.size(), 0.f));
}

TEST_F(Conv, GradientsMatchFiniteDifferences) {
  nd::Conv2DOptions strided{{2, 1}, {1, 1}, {1, 1}, 1}, grouped{{1, 1}, {0, 1}, {1, 2}, 2};
  // A convolution is linear in each operand: a wide step (eps 0.05) has no truncation error and
  // keeps fp32 rounding of the loss out of the difference quotient.
  check_gradients([&](const Inputs& in) { return nd::conv2d(in[0], in[1], in[2], strided); },
                  {nd::random::uniform(-1, 1, {2, 2, 6, 5}), nd::random::uniform(-1, 1, {3, 2, 3, 3}),
                   nd::random::uniform(-1, 1, {3})},
                  testing::Hybrid::Compiles, 0.05f);
  check_gradients([&](const Inputs& in) { return nd::conv2d(in[0], in[1], NDArray(), grouped); },
                  {nd::random::uniform(-1, 1, {1, 4, 5, 6}), nd::random::uniform(-1, 1, {4, 2, 2, 2})},
                  testing::Hybrid::Compiles, 0.05f);
  // Max pooling: values far apart, so no two in a window sit within eps of each other.
  NDArray spread = nd::reshape(nd::random::uniform(0, 1, {1, 2, 5, 6}) * 0.01f, {1, 2, 5, 6});
  std::vector<float> v = spread.to_vector();
  for (size_t i = 0; i < v.size(); ++i) v[i] += static_cast<float>((i * 37) % 60) * 0.05f;
  check_gradients([](const Inputs& in) { return nd::max_pool2d(in[0], {3, 3}, {2, 2}, {1, 1}); },
                  {NDArray(Array::from_values({1, 2, 5, 6}, v))});
  check_gradients([](const Inputs& in) { return nd::max_pool2d(in[0], {2, 2}, {2, 2}); },  // the 2x2 fast path
                  {NDArray(Array::from_values({1, 2, 5, 6}, v))});
  check_gradients([](const Inputs& in) { return nd::avg_pool2d(in[0], {3, 2}, {2, 1}, {1, 1}, false); },
                  {nd::random::uniform(-1, 1, {2, 2, 5, 4})});
  check_gradients([](const Inputs& in) { return nd::avg_pool2d(in[0], {2, 2}, {2, 2}) * 2.f; },
                  {nd::random::uniform(-1, 1, {1, 3, 4, 4})});
}

// d2l's LeNet (sigmoid convolutions and max pools, then Dense layers), hybridized: the same
// output and the same parameter gradients as eagerly.
nn::Sequential lenet() {
  nn::Sequential net;
  net.add(nn::Conv2D(6, 5, 1, 2, 1, 1, "sigmoid"));
  net.add(nn::MaxPool2D(2, 2));
  net.add(nn::Conv2D({.channels = 16, .kernel_size = 5, .activation = "sigmoid"}));
  net.add(nn::MaxPool2D(2, 2));
  net.add(nn::Dense(120, "sigmoid"));
  net.add(nn::Dense(84, "sigmoid"));
  net.add(nn::Dense(10));
  return net;
}

TEST_F(Conv, LeNetHybridizedMatchesEagerForwardAndBackward) {
  nn::Sequential eager = lenet(), hybrid = lenet();
  NDArray x = nd::random::uniform({4, 1, 28, 28});
  eager.initialize(init::Xavier());
  hybrid.initialize(init::Xavier());
  eager(x);
  hybrid(x);
  testing::copy_parameters(eager, hybrid);
  hybrid.hybridize();
  auto grads = [&](nn::Sequential& net) {
    NDArray l;
    {
      auto rec = autograd::record();
      l = nd::sum(net(x) * net(x));
    }
    l.backward();
    std::vector<NDArray> out;
    for (const auto& [name, p] : net.collect_params()) out.push_back(p->grad().copy());
    return out;
  };
  std::vector<NDArray> want = grads(eager);
  for (int call = 0; call < 2; ++call) {  // traced, then compiled
    SCOPED_TRACE(call ? "compiled" : "traced");
    std::vector<NDArray> got = grads(hybrid);
    for (size_t i = 0; i < want.size(); ++i) expect_close(got[i], want[i], 1e-5f, 1e-3f);
  }
  expect_close(hybrid(x), eager(x), 1e-5f, 1e-4f);
  EXPECT_GE(hybrid.hybrid_stats().compiled, 3u) << "recorded calls ran compiled forward and backward";
  EXPECT_NE(hybrid.traced_ir().find("kiln.conv2d"), std::string::npos);
  EXPECT_NE(hybrid.traced_ir().find("kiln.max_pool2d"), std::string::npos);
}

// An Inception-style block: branches on the same input joined along the channels, hybridized.
TEST_F(Conv, ConcatenatedBranchesMatchEager) {
  auto make = [] {
    auto block = std::make_shared<nn::HybridSequential>();
    auto branches = std::make_shared<nn::Concatenate>(1);
    branches->add(nn::Conv2D(3, 1, 1, 0, 1, 1, "relu"));
    branches->add(nn::Conv2D({.channels = 2, .kernel_size = 3, .padding = 1}));
    branches->add(nn::MaxPool2D(3, 1, 1));
    block->add(branches);
    block->add(nn::GlobalAvgPool2D());
    block->initialize(init::Xavier());
    return block;
  };
  NDArray x = nd::random::uniform(-1, 1, {2, 4, 6, 6});
  auto eager = make(), hybrid = make();
  NDArray want = (*eager)(x);
  (*hybrid)(x);  // deferred shapes, then the eager net's values
  testing::copy_parameters(*eager, *hybrid);
  EXPECT_EQ(want.shape(), (Shape{2, 9, 1, 1}));
  hybrid->hybridize();
  for (int call = 0; call < 2; ++call) expect_close((*hybrid)(x), want, 1e-5f, 1e-4f);
  EXPECT_THROW_WITH(nn::Concatenate()(x), ValueError, "no blocks");
}

TEST_F(Conv, Conv2DTransposeIsTheTransposedConvolution) {
  struct Case {
    Shape x, w;
    nd::Conv2DOptions o;
    std::array<int64_t, 2> output_padding;
    Shape y;
  };
  for (const Case& c : {Case{{2, 3, 4, 5}, {3, 4, 3, 3}, {}, {0, 0}, {2, 4, 6, 7}},
                        Case{{1, 2, 3, 3}, {2, 3, 4, 4}, {{2, 2}, {1, 1}, {1, 1}, 1}, {0, 0}, {1, 3, 6, 6}},
                        Case{{1, 2, 3, 3}, {2, 3, 3, 3}, {{2, 2}, {1, 1}, {1, 1}, 1}, {1, 1}, {1, 3, 6, 6}},
                        Case{{1, 4, 3, 4}, {4, 1, 2, 3}, {{1, 2}, {0, 1}, {2, 1}, 2}, {0, 1}, {1, 2, 5, 8}}}) {
    SCOPED_TRACE(shape_str(c.x) + " *T " + shape_str(c.w));
    NDArray x = nd::random::uniform(-1, 1, c.x), w = nd::random::uniform(-1, 1, c.w);
    NDArray y = nd::conv2d_transpose(x, w, NDArray(), c.o, c.output_padding);
    ASSERT_EQ(y.shape(), c.y);
    expect_close(y, reference_conv_transpose(x, w, c.o, c.y), 1e-5f, 1e-4f);
  }
  // Linear in x, w and b: a wide step.
  check_gradients(
      [](const Inputs& in) { return nd::conv2d_transpose(in[0], in[1], in[2], {{2, 2}, {1, 1}, {1, 1}, 1}, {1, 1}); },
      {nd::random::uniform(-1, 1, {2, 2, 3, 3}), nd::random::uniform(-1, 1, {2, 3, 3, 3}), nd::random::uniform(-1, 1, {3})},
      testing::Hybrid::Compiles, 0.05f);
  // The layer: Gluon's weight layout (in_channels × channels × kh × kw), deferred, hybridized.
  nn::Conv2DTranspose up({.channels = 3, .kernel_size = 4, .strides = 2, .padding = 1, .activation = "relu"});
  up.initialize();
  NDArray x = nd::random::uniform(-1, 1, {2, 5, 4, 4});
  NDArray want = up(x);
  EXPECT_EQ(want.shape(), (Shape{2, 3, 8, 8}));
  EXPECT_EQ(up.weight->shape(), (Shape{5, 3, 4, 4}));
  up.hybridize();
  for (int call = 0; call < 2; ++call) expect_close(up(x), want, 1e-5f, 1e-4f);
  EXPECT_NE(up.traced_ir().find("kiln.conv2d_backward_data"), std::string::npos);
  EXPECT_THROW_WITH(up(nd::ones({2, 4, 4, 4})), ShapeError, "has 4 channels but the layer's weight 5x3x4x4 expects 5");
  EXPECT_THROW_WITH(nn::Conv2DTranspose(3, 3, 1, 0, 1), ValueError, "output_padding (1, 1) must be non-negative and below");
  EXPECT_THROW_WITH(nn::Conv2D({.channels = 3, .output_padding = 1}), ValueError, "Conv2DTranspose's option");
}

TEST_F(Conv, GlobalPoolsAndShapes) {
  NDArray x = nd::random::uniform(-1, 1, {2, 3, 5, 4});
  nn::GlobalAvgPool2D avg;
  nn::GlobalMaxPool2D max;
  expect_close(nd::reshape(avg(x), {2, 3}), nd::mean(nd::reshape(x, {2, 3, 20}), 2), 1e-6f, 1e-5f);
  expect_close(nd::reshape(max(x), {2, 3}), nd::max(nd::reshape(x, {2, 3, 20}), 2), 0, 0);
  nn::Conv2D same({.channels = 4, .kernel_size = 3, .padding = 1});
  same.initialize();
  EXPECT_EQ(same(x).shape(), (Shape{2, 4, 5, 4}));
  EXPECT_EQ(nn::AvgPool2D(2)(x).shape(), (Shape{2, 3, 2, 2}));
}

// Gluon's errors, named after the layer, with the shapes: eagerly and hybridized.
TEST_F(Conv, BadInputIsAClearError) {
  for (bool hybridize : {false, true}) {
    SCOPED_TRACE(hybridize ? "hybridized" : "eager");
    nn::Conv2D conv(6, 5, 1, 0, 1, 1, "", true, 3);
    conv.initialize();
    if (hybridize) conv.hybridize();
    EXPECT_THROW_WITH(conv(nd::zeros({1, 2, 8, 8})), ShapeError, "Conv2D", "1x2x8x8", "2 channels", "expects 3");
    EXPECT_THROW_WITH(conv(nd::zeros({1, 3, 4, 8})), ShapeError, "Conv2D", "larger than the padded input", "1x3x4x8");
    EXPECT_THROW_WITH(conv(nd::zeros({3, 8, 8})), ShapeError, "Conv2D", "4-D input", "3x8x8");
    nn::MaxPool2D pool(3);
    if (hybridize) pool.hybridize();
    EXPECT_THROW_WITH(pool(nd::zeros({1, 1, 2, 2})), ShapeError, "MaxPool2D", "larger than the padded input");
  }
  EXPECT_THROW_WITH(nn::Conv2D(6, 5, 0), ValueError, "strides must be positive", "(0, 0)");
  EXPECT_THROW_WITH(nn::Conv2D(6, 5, 1, 0, 1, 4), ValueError, "groups (4)", "channels (6)");
  EXPECT_THROW_WITH(nd::max_pool2d(nd::zeros({1, 1, 4, 4}), {2, 2}, {0, 1}), ValueError, "max_pool2d", "strides must be at least 1");
  EXPECT_THROW_WITH(nd::conv2d(nd::zeros({1, 2, 4, 4}), nd::zeros({2, 2, 3})), ShapeError, "conv2d", "4-D weight");
}

}  // namespace
}  // namespace kiln
