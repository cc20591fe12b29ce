#include "runtime/random.h"

#include <mutex>
#include <random>

#include "runtime/error.h"

namespace kiln::random {
namespace {

std::mutex& generator_mutex() {
  static std::mutex m;
  return m;
}
std::mt19937& generator() {
  static std::mt19937 gen(0);  // MXNet also starts from a fixed seed
  return gen;
}

}  // namespace

void seed(uint64_t value) {
  std::lock_guard<std::mutex> lock(generator_mutex());
  generator().seed(static_cast<std::mt19937::result_type>(value));
}

uint64_t next_u64() {
  std::lock_guard<std::mutex> lock(generator_mutex());
  uint64_t high = generator()();
  return (high << 32) | generator()();
}

void fill_uniform(Array& out, float low, float high) {
  if (!(low <= high)) throw ValueError(fmt("random.uniform: low (", low, ") must not exceed high (", high, ")"));
  std::lock_guard<std::mutex> lock(generator_mutex());
  std::uniform_real_distribution<float> dist(low, high);
  float* p = out.data();
  for (int64_t i = 0; i < out.size(); ++i) p[i] = dist(generator());
}

void fill_normal(Array& out, float mean, float stddev) {
  if (!(stddev >= 0)) throw ValueError(fmt("random.normal: scale (", stddev, ") must be non-negative"));
  std::lock_guard<std::mutex> lock(generator_mutex());
  std::normal_distribution<float> dist(mean, stddev);
  float* p = out.data();
  for (int64_t i = 0; i < out.size(); ++i) p[i] = dist(generator());
}

}  // namespace kiln::random
