// kiln's error family. Every message names the problem and the values involved, so a user can
// act on it without a debugger.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Operand shapes that do not fit an op (broadcasting, dot, concat, Dense's in_units).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A value is outside what an op accepts (bad axis, asscalar() on many elements, bad argument).
class ValueError : public Error {
 public:
  using Error::Error;
};

// A Parameter used before it has data (not initialised, or initialisation still deferred).
class InitError : public Error {
 public:
  using Error::Error;
};

// An allocation the system refused (the message names the array's shape and bytes).
class MemoryError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or written, or whose contents are damaged or do not match.
class FileError : public Error {
 public:
  using Error::Error;
};

// Builds a message from streamable pieces: fmt("shape ", a, " vs ", b).
template <class... Parts>
std::string fmt(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace kiln
