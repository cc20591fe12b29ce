// Helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "frontend/kiln.h"

namespace kiln::testing {

// Every element of `a` equals `expected` within atol + rtol·|expected|; a NaN expected is a NaN.
inline void expect_values(const NDArray& a, const std::vector<float>& expected, float atol = 1e-6f, float rtol = 1e-5f) {
  ASSERT_EQ(a.size(), static_cast<int64_t>(expected.size())) << "shape " << shape_str(a.shape());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(a.data()[i])) << "at flat index " << i << ": " << a.data()[i];
    else EXPECT_NEAR(a.data()[i], expected[i], atol + rtol * std::fabs(expected[i])) << "at flat index " << i;
  }
}

inline void expect_close(const NDArray& a, const NDArray& b, float atol = 1e-5f, float rtol = 1e-4f) {
  ASSERT_EQ(a.shape(), b.shape());
  expect_values(a, b.to_vector(), atol, rtol);
}

// `statement` throws `Type` whose message contains every one of `parts`.
#define EXPECT_THROW_WITH(statement, Type, ...)                                             \
  do {                                                                                      \
    try {                                                                                   \
      statement;                                                                            \
      ADD_FAILURE() << "expected " #Type " from: " #statement;                              \
    } catch (const Type& e) {                                                               \
      for (const std::string& part : std::vector<std::string>{__VA_ARGS__})                 \
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)                     \
            << "message \"" << e.what() << "\" lacks \"" << part << "\"";                   \
    }                                                                                       \
  } while (0)

// The IR of the compile stage whose dump ends in `suffix` ("1-optimized.mlir"), for the graphs
// `compile` compiles (KILN_DUMP_IR, set around it); empty if no graph was compiled.
inline std::string dumped_stage(const std::function<void()>& compile, const std::string& suffix) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kiln_dump_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ::setenv("KILN_DUMP_IR", dir.c_str(), 1);
  compile();
  ::unsetenv("KILN_DUMP_IR");
  std::string text;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().string().ends_with(suffix)) {
      std::ifstream in(f.path());
      text.append(std::istreambuf_iterator<char>(in), {});
    }
  fs::remove_all(dir);
  return text;
}

// `fn` applied to the block's inputs in a forward: any array function as a hybridizable Block.
// Gives `to` copies of `from`'s parameter values (both initialised, with the same names): two
// nets built alike start equal, whatever their deferred initialisation drew.
inline void copy_parameters(const nn::Block& from, nn::Block& to) {
  ParameterDict source = from.collect_params();
  for (const auto& [name, p] : to.collect_params()) p->set_data(source[name].data().copy());
}

class FunctionBlock : public nn::Block {
 public:
  using Fn = std::function<NDArray(const std::vector<NDArray>&)>;
  explicit FunctionBlock(Fn fn) : fn_(std::move(fn)) {}

 protected:
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override { return {fn_(xs)}; }
  Fn fn_;
};

// Whether a hybridized block's recorded calls are expected to run compiled code, or eagerly
// (forwards whose compiled backward kiln does not derive: their gradients must still be right).
enum class Hybrid { Compiles, RunsEagerly };

// Checks the gradients of `f` against central finite differences: eagerly (autograd's tape), and
// through `f` as a hybridized block called under record() twice — the traced first call, and
// the second, which runs the compiled forward and backward. The scalar loss is sum(f(inputs) · w)
// with fixed random weights w, so every output element matters.
inline void check_gradients(const std::function<NDArray(const std::vector<NDArray>&)>& f, std::vector<NDArray> inputs,
                            Hybrid mode = Hybrid::Compiles, float eps = 1e-3f, float atol = 2e-3f, float rtol = 2e-2f) {
  NDArray probe = f(inputs);
  NDArray weights = nd::random::uniform(0.5f, 1.5f, probe.shape());
  auto loss = [&](const std::vector<NDArray>& xs) { return nd::sum(f(xs) * weights).asscalar(); };
  auto gradients_of = [&](const FunctionBlock::Fn& g) {
    for (NDArray& x : inputs) x.attach_grad();
    NDArray l;
    {
      auto rec = autograd::record();
      l = nd::sum(g(inputs) * weights);
    }
    l.backward();
    std::vector<NDArray> grads;
    for (NDArray& x : inputs) grads.push_back(x.grad().copy());
    return grads;
  };

  std::vector<NDArray> eager = gradients_of(f);
  FunctionBlock block(f);
  block.hybridize();
  auto hybrid_f = [&](const std::vector<NDArray>& xs) { return block(xs)[0]; };
  std::vector<NDArray> traced = gradients_of(hybrid_f);
  std::vector<NDArray> compiled = gradients_of(hybrid_f);
  if (mode == Hybrid::Compiles) {
    EXPECT_EQ(block.hybrid_stats().compiled, 1u) << "the recorded call did not run compiled";
  }
  std::pair<const char*, const std::vector<NDArray>*> checked[] = {
      {"eager", &eager}, {"traced", &traced}, {"second hybridized call", &compiled}};

  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<NDArray> plain;
    for (const NDArray& x : inputs) plain.push_back(x.copy());
    float* p = plain[i].data();
    for (int64_t k = 0; k < plain[i].size(); ++k) {
      float saved = p[k];
      p[k] = saved + eps;
      double up = loss(plain);
      p[k] = saved - eps;
      double down = loss(plain);
      p[k] = saved;
      double numeric = (up - down) / (2.0 * eps);
      for (auto [how, grads] : checked)
        EXPECT_NEAR((*grads)[i].data()[k], numeric, atol + rtol * std::fabs(numeric))
            << how << ": input " << i << ", flat index " << k;
    }
  }
}

}  // namespace kiln::testing
