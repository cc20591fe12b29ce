// kiln's release version, named in exported files (a symbol file's header).
#pragma once

namespace kiln {
inline constexpr const char* kVersion = "0.6.0";
}  // namespace kiln
