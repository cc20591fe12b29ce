// Without libFuzzer: runs a fuzz target once on each file named on the command line (the
// committed corpus, under ctest). Any exception other than FileError, or a crash, fails.
#include <cstdint>
#include <cstdio>
#include <string>

#include "runtime/file_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string bytes = kiln::file_io::read(argv[i], "replay");
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    // Every prefix too: truncation at each length is the commonest damage.
    for (size_t n = 0; n < bytes.size(); n += 1 + bytes.size() / 64)
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), n);
  }
  std::printf("replayed %d files\n", argc - 1);
  return 0;
}
