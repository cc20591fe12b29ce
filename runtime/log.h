// Diagnostics controlled by the environment, for every layer of kiln (internal).
//   KILN_LOG=recompiles   each compile, why, and where its time went (frontend/hybridize/hybrid.cc)
//   KILN_LOG=passes       what each optimisation pass did (codegen/pass_log.h)
//   KILN_LOG=recompiles,passes   both
#pragma once

#include <string_view>

namespace kiln::log {

// Whether `topic` is listed in KILN_LOG (read once).
bool enabled(std::string_view topic);
// Prints "kiln: <message>" to stderr.
void print(std::string_view message);

}  // namespace kiln::log
