// Pooling through oneDNN on nchw arrays. Max pooling's backward needs the forward's workspace
// (where each maximum was): it runs the training forward into a scratch output first.
#include "runtime/kernels/pooling.h"

#include <array>
#include <map>

#include "runtime/onednn.h"

namespace kiln::kernels {
namespace {

using dnnl::memory;

enum class Pass { Forward, Backward };

struct Pools {
  onednn::BoundPrimitive forward;                // forward_inference, or forward_training for Backward
  onednn::BoundPrimitive backward;               // Backward only
};

dnnl::algorithm algorithm(PoolKind kind) {
  switch (kind) {
    case PoolKind::Max: return dnnl::algorithm::pooling_max;
    case PoolKind::AvgIncludePad: return dnnl::algorithm::pooling_avg_include_padding;
    case PoolKind::AvgExcludePad: return dnnl::algorithm::pooling_avg_exclude_padding;
  }
  return dnnl::algorithm::pooling_max;
}

Pools make(const PoolGeometry& g, Pass pass) {
  auto f32 = memory::data_type::f32;
  memory::desc src({g.n, g.c, g.h, g.w}, f32, memory::format_tag::nchw);
  memory::desc dst({g.n, g.c, g.oh, g.ow}, f32, memory::format_tag::nchw);
  memory::dims strides{g.stride_h, g.stride_w}, kernel{g.kernel_h, g.kernel_w}, padding{g.pad_h, g.pad_w};
  dnnl::algorithm algo = algorithm(g.kind);
  auto prop = pass == Pass::Forward ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
  dnnl::pooling_forward::primitive_desc fpd({prop, algo, src, dst, strides, kernel, padding, padding}, onednn::engine());
  Pools p;
  p.forward.primitive = dnnl::pooling_forward(fpd);
  if (pass == Pass::Forward) {
    p.forward.bind({{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    return p;
  }
  p.forward.bind({{DNNL_ARG_SRC, src}});
  p.forward.own(DNNL_ARG_DST, dst);  // a scratch output: only the workspace is wanted
  bool workspace = g.kind == PoolKind::Max;
  if (workspace) p.forward.own(DNNL_ARG_WORKSPACE, fpd.workspace_desc());
  dnnl::pooling_backward::primitive_desc bpd({algo, src, dst, strides, kernel, padding, padding}, onednn::engine(), fpd);
  p.backward.primitive = dnnl::pooling_backward(bpd);
  p.backward.bind({{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_SRC, src}});
  if (workspace) p.backward.args.emplace(DNNL_ARG_WORKSPACE, p.forward.args.at(DNNL_ARG_WORKSPACE));
  return p;
}

Pools& pools(const PoolGeometry& g, Pass pass) {
  using Key = std::array<int64_t, 14>;
  Key key{g.n, g.c, g.h, g.w, g.oh, g.ow, g.kernel_h, g.kernel_w, g.stride_h, g.stride_w, g.pad_h, g.pad_w,
          static_cast<int64_t>(g.kind), static_cast<int64_t>(pass)};
  thread_local std::map<Key, Pools> cache;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make(g, pass)).first;
  return it->second;
}

}  // namespace

void pool2d_forward(const PoolGeometry& g, const float* x, float* y) {
  pools(g, Pass::Forward).forward.execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
}

void pool2d_backward(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  Pools& p = pools(g, Pass::Backward);
  if (g.kind == PoolKind::Max) p.forward.execute({{DNNL_ARG_SRC, x}});  // fills the workspace
  p.backward.execute({{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}});
}

}  // namespace kiln::kernels
