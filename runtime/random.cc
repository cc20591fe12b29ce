#include "runtime/random.h"

#include <mutex>
#include <random>

#include "runtime/error.h"
#include "runtime/shape_rules.h"

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

void fill_uniform(float* p, int64_t count, float low, float high) {
  shape_rules::random_uniform_range(low, high);
  std::lock_guard<std::mutex> lock(generator_mutex());
  std::uniform_real_distribution<float> dist(low, high);
  for (int64_t i = 0; i < count; ++i) p[i] = dist(generator());
}

void fill_normal(float* p, int64_t count, float mean, float stddev) {
  shape_rules::random_normal_scale(stddev);
  std::lock_guard<std::mutex> lock(generator_mutex());
  std::normal_distribution<float> dist(mean, stddev);
  for (int64_t i = 0; i < count; ++i) p[i] = dist(generator());
}

}  // namespace kiln::random
