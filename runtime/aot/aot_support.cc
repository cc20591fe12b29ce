#include "runtime/aot/aot_support.h"

#include <cstring>
#include <map>
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
    std::map<std::string, const Array*> by_name;
    for (const auto& [name, array] : arrays) by_name[name] = &array;
    if (by_name.size() != static_cast<size_t>(count)) {
      for (const auto& [name, array] : by_name) {
        bool wanted = false;
        for (int i = 0; i < count; ++i) wanted |= name == names[i];
        if (!wanted) throw FileError(fmt("'", file, "' has parameter '", name, "', which the model does not use (extra parameter)"));
      }
    }
    for (int i = 0; i < count; ++i) {
      auto it = by_name.find(names[i]);
      if (it == by_name.end()) throw FileError(fmt("'", file, "' lacks parameter '", names[i], "' (missing parameter)"));
      Shape expected(shapes[i], shapes[i] + ranks[i]);
      if (it->second->shape() != expected)
        throw FileError(fmt("'", file, "' has parameter '", names[i], "' of shape ", shape_str(it->second->shape()),
                            " where the model takes ", shape_str(expected), " (shape mismatch)"));
      size_t bytes_needed = static_cast<size_t>(it->second->size()) * sizeof(float);
      out[i] = static_cast<float*>(kiln_rt_aligned_alloc(64, bytes_needed));
      std::memcpy(out[i], it->second->data(), bytes_needed);
    }
    return 0;
  } catch (const std::exception& e) {
    for (int i = 0; i < count; ++i)
      if (out[i]) kiln_rt_free(out[i]), out[i] = nullptr;
    std::snprintf(error, error_size, "%s", e.what());
    return -1;
  }
}
