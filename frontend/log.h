// Diagnostics controlled by the environment (frontend internal).
//   KILN_LOG=recompiles[,other]   prints each compile and why
#pragma once

#include <string_view>

namespace kiln::log {

// Whether `topic` is listed in KILN_LOG (read once).
bool enabled(std::string_view topic);
// Prints "kiln: <message>" to stderr.
void print(std::string_view message);

}  // namespace kiln::log
