#include "frontend/nn/initializer.h"

#include <algorithm>
#include <cmath>

#include "runtime/error.h"
#include "runtime/random.h"

namespace kiln::init {

void Uniform::fill(const std::string&, NDArray& data) const { random::fill_uniform(data, -scale_, scale_); }
std::string Uniform::str() const { return kiln::fmt("Uniform(", scale_, ")"); }

void Normal::fill(const std::string&, NDArray& data) const { random::fill_normal(data, 0.f, sigma_); }
std::string Normal::str() const { return kiln::fmt("Normal(", sigma_, ")"); }

void Constant::fill(const std::string&, NDArray& data) const { std::fill_n(data.data(), data.size(), value_); }
std::string Constant::str() const { return kiln::fmt("Constant(", value_, ")"); }

Xavier::Xavier(std::string rnd_type, std::string factor_type, float magnitude)
    : rnd_type_(std::move(rnd_type)), factor_type_(std::move(factor_type)), magnitude_(magnitude) {
  if (rnd_type_ != "uniform" && rnd_type_ != "gaussian")
    throw ValueError(kiln::fmt("Xavier: rnd_type must be 'uniform' or 'gaussian', not '", rnd_type_, "'"));
  if (factor_type_ != "avg" && factor_type_ != "in" && factor_type_ != "out")
    throw ValueError(kiln::fmt("Xavier: factor_type must be 'avg', 'in' or 'out', not '", factor_type_, "'"));
}

void Xavier::fill(const std::string& name, NDArray& data) const {
  const Shape& s = data.shape();
  if (s.size() < 2)
    throw ValueError(kiln::fmt("Xavier: parameter '", name, "' has shape ", shape_str(s),
                               "; Xavier needs at least 2 axes (use it for weights, not biases)"));
  double receptive = static_cast<double>(num_elements(s)) / (s[0] * s[1]);
  double fan_in = s[1] * receptive, fan_out = s[0] * receptive;
  double factor = factor_type_ == "avg" ? (fan_in + fan_out) / 2 : factor_type_ == "in" ? fan_in : fan_out;
  float scale = static_cast<float>(std::sqrt(magnitude_ / factor));
  if (rnd_type_ == "uniform") random::fill_uniform(data, -scale, scale);
  else random::fill_normal(data, 0.f, scale);
}
std::string Xavier::str() const { return kiln::fmt("Xavier(", rnd_type_, ", ", factor_type_, ", ", magnitude_, ")"); }

}  // namespace kiln::init
