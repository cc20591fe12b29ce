// The process-wide random generator behind nd::random and the initialisers. Seeded runs are
// reproducible: the same seed gives the same values in the same order.
#pragma once

#include <cstdint>

#include "runtime/array.h"

namespace kiln::random {

void seed(uint64_t value);
void fill_uniform(Array& out, float low, float high);
void fill_normal(Array& out, float mean, float stddev);
// 64 random bits (seeds for generators of their own: a DataLoader's shuffle).
uint64_t next_u64();

}  // namespace kiln::random
