// libFuzzer target: the .params loader on arbitrary bytes must return arrays or throw
// FileError — never crash, hang or read out of bounds (scripts/fuzz.sh runs it with clang-19).
#include <cstddef>
#include <cstdint>
#include <string>

#include "runtime/error.h"
#include "runtime/params_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    kiln::params_file::decode(std::string(reinterpret_cast<const char*>(data), size), "fuzz.params");
  } catch (const kiln::FileError&) {
  }
  return 0;
}
