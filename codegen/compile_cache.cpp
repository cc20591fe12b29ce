#include "codegen/compile_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "runtime/error.h"
#include "runtime/file_io.h"
#include "runtime/log.h"

namespace kiln::codegen::compile_cache {
namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'O', 'B', 'J', '1'};

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
void put_blob(std::string& out, const std::string& blob) {
  put_u64(out, blob.size());
  out += blob;
}

// Reads the fields of an entry in order, refusing to run past its end.
struct Reader {
  const std::string& bytes;
  size_t at = 0;
  bool ok = true;
  uint64_t u64() {
    uint64_t v = 0;
    if (bytes.size() - at < sizeof v) return ok = false, 0;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    at += sizeof v;
    return v;
  }
  std::string blob() {
    uint64_t n = u64();
    if (!ok || n > bytes.size() - at) return ok = false, std::string();
    at += n;
    return bytes.substr(at - n, n);
  }
};

std::string path_of(const std::string& key) { return directory() + "/" + key + ".kilnobj"; }

void complain(const std::string& what) {
  if (log::enabled("recompiles")) log::print("compile cache: " + what);
}

}  // namespace

const std::string& directory() {
  static const std::string dir = [] {
    const char* set = std::getenv("KILN_CACHE_DIR");
    if (set) return std::string(set) == "off" ? std::string() : std::string(set);
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/kiln";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/kiln";
    return std::string();
  }();
  return dir;
}

std::string key(const std::string& module_text, const std::string& configuration) {
  std::string all = configuration + '\0' + module_text;
  uint64_t a = file_io::fnv1a(all.data(), all.size());
  std::string reversed(all.rbegin(), all.rend());  // a second, independent 64 bits
  uint64_t b = file_io::fnv1a(reversed.data(), reversed.size());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return hex;
}

std::optional<Entry> load(const std::string& key) {
  if (directory().empty()) return std::nullopt;
  std::string path = path_of(key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::string bytes;
  try {
    bytes = file_io::read(path, "compile cache");
  } catch (const FileError& e) {
    complain(e.what());
    return std::nullopt;
  }
  constexpr size_t kTrailer = sizeof(uint64_t);
  if (bytes.size() < sizeof kMagic + kTrailer || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    complain(fmt("'", path, "' is not a kiln cache entry; rebuilding it"));
    return std::nullopt;
  }
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - kTrailer, kTrailer);
  if (stored != file_io::fnv1a(bytes.data(), bytes.size() - kTrailer)) {
    complain(fmt("'", path, "' is damaged (checksum mismatch); rebuilding it"));
    return std::nullopt;
  }
  std::string body = bytes.substr(sizeof kMagic, bytes.size() - sizeof kMagic - kTrailer);
  Reader r{body};
  std::string stored_key = r.blob();
  Entry entry{r.blob(), r.blob()};
  if (!r.ok || r.at != body.size() || stored_key != key) {
    complain(fmt("'", path, "' has a malformed body; rebuilding it"));
    return std::nullopt;
  }
  std::error_code ignored;  // recently used: the last to be evicted
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), ignored);
  return entry;
}

size_t evict(uintmax_t max_bytes) {
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  uintmax_t total = 0;
  std::error_code error;
  for (const auto& file : fs::directory_iterator(directory(), error)) {
    if (file.path().extension() != ".kilnobj") continue;
    total += file.file_size(error);
    entries.emplace_back(file.last_write_time(error), file.path());
  }
  std::sort(entries.begin(), entries.end());
  size_t removed = 0;
  for (const auto& [time, path] : entries) {
    if (total <= max_bytes) break;
    uintmax_t size = fs::file_size(path, error);
    if (fs::remove(path, error)) {
      total -= size;
      ++removed;
    }
  }
  return removed;
}

namespace {
uintmax_t max_bytes() {
  static const uintmax_t bound = [] {
    const char* mb = std::getenv("KILN_CACHE_MAX_MB");
    return static_cast<uintmax_t>(mb && std::atoll(mb) > 0 ? std::atoll(mb) : 1024) << 20;
  }();
  return bound;
}
}  // namespace

void store(const std::string& key, const Entry& entry) {
  if (directory().empty()) return;
  std::string bytes(kMagic, sizeof kMagic);
  put_blob(bytes, key);
  put_blob(bytes, entry.interface);
  put_blob(bytes, entry.object);
  put_u64(bytes, file_io::fnv1a(bytes.data(), bytes.size()));
  try {
    std::filesystem::create_directories(directory());
    file_io::write_atomically(path_of(key), bytes, "compile cache");
    if (size_t removed = evict(max_bytes()); removed && log::enabled("recompiles"))
      log::print(fmt("compile cache: removed ", removed, " least recently used entries (KILN_CACHE_MAX_MB)"));
  } catch (const std::exception& e) {
    complain(fmt("not stored: ", e.what()));
  }
}

}  // namespace kiln::codegen::compile_cache
