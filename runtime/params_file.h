// The binary parameters file (".params"): named arrays with a header, a version and a checksum.
// Byte layout and version rule: docs/architecture.md ("Parameter files").
//
// Reading validates everything before returning: a missing, truncated, corrupted or
// future-version file throws FileError naming the file and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/array.h"

namespace kiln::params_file {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'P', 'R', 'M', 'S'};
// 2.0: the checksum is standard FNV-1a. Readers still read 1.x files (their checksum had
// another offset basis, file_io::kFormat1Basis).
inline constexpr uint32_t kVersionMajor = 2;
inline constexpr uint32_t kOldestReadableMajor = 1;
inline constexpr uint32_t kVersionMinor = 0;

using NamedArrays = std::vector<std::pair<std::string, Array>>;

// Writes to a temporary file beside `path` and renames it into place, so an existing file is
// replaced whole or not at all.
void write(const std::string& path, const NamedArrays& arrays);
// The file's bytes, for writers that stage several files (file_io::StagedWrites).
std::string encode(const NamedArrays& arrays);

NamedArrays read(const std::string& path);
// The arrays in a file's bytes; `path` names the file in errors. `version`, if given, receives
// the file's format version (major, minor).
NamedArrays decode(const std::string& bytes, const std::string& path, std::pair<uint32_t, uint32_t>* version = nullptr);

// The arrays of `file` that a graph takes, in the order of `wanted` (name, shape): FileError naming
// `file`, `user` (who takes them, for the message) and the first extra, missing or mis-shaped
// parameter. The one check SymbolBlock, kiln-compile --embed-params and AOT loading share.
using ParameterShapes = std::vector<std::pair<std::string, Shape>>;
std::vector<const Array*> match_parameters(const NamedArrays& arrays, const ParameterShapes& wanted,
                                           const std::string& file, const std::string& user);

// The checksum of a file of format `major`: 64-bit FNV-1a (with format 1's basis for 1.x).
uint64_t checksum(const void* data, size_t bytes, uint32_t major = kVersionMajor);

}  // namespace kiln::params_file
