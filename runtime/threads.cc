#include "runtime/threads.h"

#include <omp.h>

#include "runtime/error.h"

namespace kiln {

void set_num_threads(int threads) {
  if (threads < 1) throw ValueError(fmt("set_num_threads: ", threads, " threads; at least 1 is needed"));
  omp_set_num_threads(threads);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace kiln
