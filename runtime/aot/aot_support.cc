#include "runtime/aot/aot_support.h"

#include <cstring>
#include <string>

#include "runtime/c_abi.h"
#include "runtime/error.h"
#include "runtime/params_file.h"

extern "C" int kiln_aot_load_parameters(const char* path, const void* bytes, size_t size, int count,
                                        const char* const* names, const int* ranks, const int64_t* const* shapes,
                                        float** out, char* error, size_t error_size) {
  using namespace kiln;
  for (int i = 0; i < count; ++i) out[i] = nullptr;
  try {
    std::string file = path ? path : "(parameters embedded in the library)";
    params_file::NamedArrays arrays =
        path ? params_file::read(path) : params_file::decode(std::string(static_cast<const char*>(bytes), size), file);
    params_file::ParameterShapes wanted;
    for (int i = 0; i < count; ++i) wanted.emplace_back(names[i], Shape(shapes[i], shapes[i] + ranks[i]));
    std::vector<const Array*> matched = params_file::match_parameters(arrays, wanted, file, "the model");
    for (int i = 0; i < count; ++i) {
      size_t bytes_needed = static_cast<size_t>(matched[i]->size()) * sizeof(float);
      out[i] = static_cast<float*>(kiln_rt_aligned_alloc(64, bytes_needed));
      std::memcpy(out[i], matched[i]->data(), bytes_needed);
    }
    return 0;
  } catch (const std::exception& e) {
    for (int i = 0; i < count; ++i)
      if (out[i]) kiln_rt_free(out[i]), out[i] = nullptr;
    std::snprintf(error, error_size, "%s", e.what());
    return -1;
  }
}
