// How many threads kiln's parallel kernels (oneDNN's, through OpenMP) may use. Generated code
// and the small kernels run on the calling thread; only large products fan out.
#pragma once

namespace kiln {

void set_num_threads(int threads);  // at least 1
int num_threads();

}  // namespace kiln
