// libFuzzer target: the symbol-file loader (version, checksum, MLIR parse, verification, the
// program reader) on arbitrary text must return a program or throw FileError. Inputs whose first
// byte is odd get a valid checksum line appended, so mutations reach the parser and the reader
// rather than stopping at the checksum.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ir/program.h"
#include "runtime/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (size > 0 && (data[0] & 1)) text = kiln::ir::seal_symbol_text(text.substr(1));
  try {
    kiln::ir::read_program(text, "fuzz-symbol.mlir");
  } catch (const kiln::FileError&) {
  }
  return 0;
}
