// The process-wide random generator behind nd::random and the initialisers. Seeded runs are
// reproducible: the same seed gives the same values in the same order.
#pragma once

#include <cstdint>

#include "runtime/array.h"

namespace kiln::random {

void seed(uint64_t value);
// ValueError for an empty range (low > high) or a negative stddev.
void fill_uniform(float* out, int64_t count, float low, float high);
void fill_normal(float* out, int64_t count, float mean, float stddev);
inline void fill_uniform(Array& out, float low, float high) { fill_uniform(out.data(), out.size(), low, high); }
inline void fill_normal(Array& out, float mean, float stddev) { fill_normal(out.data(), out.size(), mean, stddev); }
// 64 random bits (seeds for generators of their own: a DataLoader's shuffle).
uint64_t next_u64();

}  // namespace kiln::random
