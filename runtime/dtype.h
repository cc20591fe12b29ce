// Element types. float32 is the only one with kernels today; the enum and the size table are
// where bf16 and integer types slot in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kiln {

enum class DType : uint32_t { Float32 = 0 };

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
  }
  return 0;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
  }
  return "unknown";
}

constexpr bool is_valid_dtype(uint32_t code) { return code == static_cast<uint32_t>(DType::Float32); }

}  // namespace kiln
