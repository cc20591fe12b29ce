// Helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "frontend/kiln.h"

namespace kiln::testing {

// Every element of `a` equals `expected` within atol + rtol·|expected|.
inline void expect_values(const NDArray& a, const std::vector<float>& expected, float atol = 1e-6f, float rtol = 1e-5f) {
  ASSERT_EQ(a.size(), static_cast<int64_t>(expected.size())) << "shape " << shape_str(a.shape());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(a.data()[i], expected[i], atol + rtol * std::fabs(expected[i])) << "at flat index " << i;
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

// Checks autograd's gradients of `f` against central finite differences. The scalar loss is
// sum(f(inputs) · w) with fixed random weights w, so every output element matters.
inline void check_gradients(const std::function<NDArray(const std::vector<NDArray>&)>& f, std::vector<NDArray> inputs,
                            float eps = 1e-3f, float atol = 2e-3f, float rtol = 2e-2f) {
  NDArray probe = f(inputs);
  NDArray weights = nd::random::uniform(0.5f, 1.5f, probe.shape());
  auto loss = [&](const std::vector<NDArray>& xs) { return nd::sum(f(xs) * weights).asscalar(); };

  for (NDArray& x : inputs) x.attach_grad();
  NDArray l;
  {
    auto rec = autograd::record();
    l = nd::sum(f(inputs) * weights);
  }
  l.backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    NDArray analytic = inputs[i].grad();
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
      EXPECT_NEAR(analytic.data()[k], numeric, atol + rtol * std::fabs(numeric))
          << "input " << i << ", flat index " << k;
    }
  }
}

}  // namespace kiln::testing
