#include "runtime/params_file.h"

#include <cstdio>
#include <cstring>
#include <map>

#include "runtime/error.h"
#include "runtime/file_io.h"

namespace kiln::params_file {
namespace {

constexpr uint32_t kMaxNameLength = 4096;
constexpr uint32_t kMaxRank = 32;
constexpr size_t kHeaderBytes = sizeof(kMagic) + 2 * sizeof(uint32_t) + sizeof(uint64_t);
constexpr size_t kTrailerBytes = sizeof(uint64_t);

template <class T>
void put(std::string& buf, T value) {
  buf.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Bounds-checked reading of the file's bytes; every overrun is a FileError.
class Reader {
 public:
  Reader(const std::string& path, const char* data, size_t size) : path_(path), data_(data), size_(size) {}
  template <class T>
  T get(const char* what) {
    T value;
    std::memcpy(&value, take(sizeof value, what), sizeof value);
    return value;
  }
  const char* take(size_t bytes, const char* what) {
    if (bytes > size_ - pos_)
      throw FileError(fmt("load_parameters: '", path_, "' is truncated or malformed: ", what, " needs ", bytes,
                          " bytes at offset ", pos_, " but only ", size_ - pos_, " remain"));
    const char* p = data_ + pos_;
    pos_ += bytes;
    return p;
  }
  size_t remaining() const { return size_ - pos_; }

 private:
  const std::string& path_;
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

uint64_t checksum(const void* data, size_t bytes, uint32_t major) {
  return file_io::fnv1a(data, bytes, major == 1 ? file_io::kFormat1Basis : file_io::kFnv1aBasis);
}

void write(const std::string& path, const NamedArrays& arrays) {
  file_io::write_atomically(path, encode(arrays), "save_parameters");
}

std::string encode(const NamedArrays& arrays) {
  std::string buf(kMagic, sizeof kMagic);
  put<uint32_t>(buf, kVersionMajor);
  put<uint32_t>(buf, kVersionMinor);
  put<uint64_t>(buf, arrays.size());
  for (const auto& [name, array] : arrays) {
    put<uint32_t>(buf, static_cast<uint32_t>(name.size()));
    buf += name;
    put<uint32_t>(buf, static_cast<uint32_t>(array.dtype()));
    put<uint32_t>(buf, static_cast<uint32_t>(array.ndim()));
    for (int64_t d : array.shape()) put<int64_t>(buf, d);
    buf.append(reinterpret_cast<const char*>(array.data()), array.size() * dtype_size(array.dtype()));
  }
  put<uint64_t>(buf, checksum(buf.data(), buf.size()));
  return buf;
}

std::vector<const Array*> match_parameters(const NamedArrays& arrays, const ParameterShapes& wanted,
                                           const std::string& file, const std::string& user) {
  std::map<std::string, const Array*> by_name;
  for (const auto& [name, array] : arrays) by_name[name] = &array;
  for (const auto& [name, array] : arrays) {
    bool used = false;
    for (const auto& w : wanted) used |= w.first == name;
    if (!used)
      throw FileError(fmt("'", file, "' has parameter '", name, "', which ", user, " does not use (extra parameter)"));
  }
  std::vector<const Array*> matched;
  for (const auto& [name, shape] : wanted) {
    auto it = by_name.find(name);
    if (it == by_name.end()) throw FileError(fmt("'", file, "' lacks parameter '", name, "' that ", user, " uses (missing parameter)"));
    if (it->second->shape() != shape || it->second->dtype() != DType::Float32)
      throw FileError(fmt("'", file, "' has parameter '", name, "' of shape ", shape_str(it->second->shape()), " where ",
                          user, " takes ", shape_str(shape), " (shape mismatch)"));
    matched.push_back(it->second);
  }
  return matched;
}

NamedArrays read(const std::string& path) { return decode(file_io::read(path, "load_parameters"), path); }

NamedArrays decode(const std::string& bytes, const std::string& path, std::pair<uint32_t, uint32_t>* version) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes)
    throw FileError(fmt("load_parameters: '", path, "' is truncated: ", bytes.size(),
                        " bytes is less than the smallest valid file (", kHeaderBytes + kTrailerBytes, " bytes)"));
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw FileError(fmt("load_parameters: '", path, "' is not a kiln parameters file (wrong magic bytes)"));
  Reader header(path, bytes.data() + sizeof kMagic, bytes.size() - sizeof kMagic);
  uint32_t major = header.get<uint32_t>("version");
  uint32_t minor = header.get<uint32_t>("version");
  if (version) *version = {major, minor};
  if (major < kOldestReadableMajor || major > kVersionMajor)
    throw FileError(fmt("load_parameters: '", path, "' has format version ", major, ".", minor, "; this kiln reads ",
                        kOldestReadableMajor, ".x to ", kVersionMajor, ".x"));
  size_t body = bytes.size() - kTrailerBytes;
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + body, sizeof stored);
  if (stored != checksum(bytes.data(), body, major))
    throw FileError(fmt("load_parameters: '", path, "' is corrupted or truncated (checksum mismatch)"));

  Reader r(path, bytes.data() + sizeof kMagic + 2 * sizeof(uint32_t), body - sizeof kMagic - 2 * sizeof(uint32_t));
  uint64_t count = r.get<uint64_t>("the entry count");
  NamedArrays arrays;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t name_len = r.get<uint32_t>("a name length");
    if (name_len > kMaxNameLength)
      throw FileError(fmt("load_parameters: '", path, "' is malformed: entry ", i, " has a name of ", name_len, " bytes"));
    std::string name(r.take(name_len, "a name"), name_len);
    uint32_t dtype = r.get<uint32_t>("a dtype");
    if (!is_valid_dtype(dtype))
      throw FileError(fmt("load_parameters: '", path, "': entry '", name, "' has unknown dtype code ", dtype));
    uint32_t rank = r.get<uint32_t>("a rank");
    if (rank > kMaxRank)
      throw FileError(fmt("load_parameters: '", path, "' is malformed: entry '", name, "' has rank ", rank));
    Shape shape(rank);
    uint64_t elements = 1;
    for (auto& d : shape) {
      d = r.get<int64_t>("a dimension");
      if (d < 0 || (d > 0 && elements > r.remaining() / static_cast<uint64_t>(d)))
        throw FileError(fmt("load_parameters: '", path, "' is malformed: entry '", name, "' has a bad dimension ", d));
      elements *= static_cast<uint64_t>(d);
    }
    Array array(shape, static_cast<DType>(dtype));
    size_t data_bytes = elements * dtype_size(array.dtype());
    std::memcpy(array.data(), r.take(data_bytes, "tensor data"), data_bytes);
    arrays.emplace_back(std::move(name), std::move(array));
  }
  if (r.remaining() != 0)
    throw FileError(fmt("load_parameters: '", path, "' is malformed: ", r.remaining(), " unexpected bytes after the last entry"));
  return arrays;
}

}  // namespace kiln::params_file
