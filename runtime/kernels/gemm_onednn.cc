// gemm through oneDNN's matmul primitive. Primitives are built once per shape and kept: building
// one costs tens of microseconds, executing a small one well under a microsecond.
#include <dnnl.hpp>
#include <map>
#include <tuple>

#include "runtime/kernels/gemm.h"
#include "runtime/onednn.h"

namespace kiln::kernels {
namespace {

using dnnl::memory;

memory::desc matrix_desc(int64_t rows, int64_t cols, bool transposed) {
  // A transposed operand is the stored matrix read with swapped strides: no copy.
  memory::dims strides = transposed ? memory::dims{1, rows} : memory::dims{cols, 1};
  return memory::desc({rows, cols}, memory::data_type::f32, strides);
}

// What a primitive is built for: the shape, a bias, and for an accumulating product the
// weight of c's old value (a sum post-op's scale is fixed when the primitive is built; the
// product's scale, alpha, is a runtime argument).
struct Key {
  GemmDims dims;
  bool bias = false, accumulate = false;
  float beta = 0.f;
  bool operator<(const Key& o) const {
    return std::tie(dims.m, dims.n, dims.k, dims.trans_a, dims.trans_b, bias, accumulate, beta) <
           std::tie(o.dims.m, o.dims.n, o.dims.k, o.dims.trans_a, o.dims.trans_b, o.bias, o.accumulate, o.beta);
  }
};

// A primitive with its memory objects and argument map, built once per shape and thread; a call
// only points the memories at the caller's buffers. Per thread, so calls need no lock (oneDNN's
// own primitive cache shares the compiled kernel between threads).
struct Bound {
  dnnl::matmul primitive;
  memory a, b, bias, c, alpha;
  std::unordered_map<int, memory> args;
};

Bound make_bound(const Key& key) {
  const GemmDims& d = key.dims;
  bool with_bias = key.bias;
  dnnl::engine& eng = onednn::engine();
  memory::desc a = matrix_desc(d.m, d.k, d.trans_a), b = matrix_desc(d.k, d.n, d.trans_b);
  memory::desc c({d.m, d.n}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc bias = with_bias ? memory::desc({1, d.n}, memory::data_type::f32, memory::format_tag::ab) : memory::desc();
  dnnl::matmul::desc desc = with_bias ? dnnl::matmul::desc(a, b, bias, c) : dnnl::matmul::desc(a, b, c);
  // No relu post-op: oneDNN's turns NaN into 0, and kiln's relu is IEEE maximum(x, 0)
  // (kernels::ieee_maximum), which keeps it.
  dnnl::primitive_attr attr;
  if (key.accumulate) {
    attr.set_output_scales(0, {DNNL_RUNTIME_F32_VAL});
    dnnl::post_ops sum;
    sum.append_sum(key.beta);
    attr.set_post_ops(sum);
  }
  Bound bound{dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, eng)), memory(a, eng, nullptr),
              memory(b, eng, nullptr), memory(), memory(c, eng, nullptr), memory(), {}};
  bound.args = {{DNNL_ARG_SRC, bound.a}, {DNNL_ARG_WEIGHTS, bound.b}, {DNNL_ARG_DST, bound.c}};
  if (with_bias) {
    bound.bias = memory(bias, eng, nullptr);
    bound.args.emplace(DNNL_ARG_BIAS, bound.bias);
  }
  if (key.accumulate) {
    bound.alpha = memory(memory::desc({1}, memory::data_type::f32, memory::format_tag::x), eng, nullptr);
    bound.args.emplace(DNNL_ARG_ATTR_OUTPUT_SCALES, bound.alpha);
  }
  return bound;
}

// The thread's primitive for `key`, its memories pointed at the operands.
Bound& bound_for(const Key& key, const float* a, const float* b, float* c) {
  thread_local std::map<Key, Bound> cache;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make_bound(key)).first;
  Bound& bound = it->second;
  bound.a.set_data_handle(const_cast<float*>(a));
  bound.b.set_data_handle(const_cast<float*>(b));
  bound.c.set_data_handle(c);
  return bound;
}

void execute(Bound& bound) {
  dnnl::stream& s = onednn::stream();
  bound.primitive.execute(s, bound.args);
  s.wait();
}

}  // namespace

void gemm_onednn(const GemmDims& d, const float* a, const float* b, const float* bias, float* c) {
  Bound& bound = bound_for(Key{d, bias != nullptr}, a, b, c);
  if (bias) bound.bias.set_data_handle(const_cast<float*>(bias));
  execute(bound);
}

void gemm_onednn_accumulate(const GemmDims& d, const float* a, const float* b, float alpha, float beta, float* c) {
  Bound& bound = bound_for(Key{d, false, true, beta}, a, b, c);
  bound.alpha.set_data_handle(&alpha);
  execute(bound);
}

}  // namespace kiln::kernels
