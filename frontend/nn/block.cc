#include "frontend/nn/block.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <ostream>

#include "frontend/autograd/autograd.h"
#include "frontend/hybridize/hybrid.h"
#include "runtime/file_io.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/error.h"
#include "runtime/params_file.h"
#include "runtime/version.h"

namespace kiln::nn {

Block::Block() = default;
Block::~Block() = default;
Block::Block(Block&&) noexcept = default;
Block& Block::operator=(Block&&) noexcept = default;

namespace {
// Compiled code serves a hybridized block unless it is being traced into a parent's graph. A call
// under autograd::record() runs compiled too, recording its compiled backward (and is counted).
bool use_compiled(const std::unique_ptr<HybridState>& hybrid) {
  if (!hybrid || active_trace()) return false;
  if (autograd::is_recording()) hybrid->count_recorded();
  return true;
}
}  // namespace

NDArray Block::operator()(const NDArray& x) {
  if (use_compiled(hybrid_)) return std::move(hybrid_->call(*this, std::span<const NDArray>(&x, 1), false).front());
  return forward(x);
}

std::vector<NDArray> Block::operator()(const std::vector<NDArray>& xs) {
  if (use_compiled(hybrid_)) return hybrid_->call(*this, xs, true);
  return forward_multi(xs);
}

void Block::hybridize(bool active, size_t cache_limit) {
  if (active) return hybridize(HybridizeOptions{.cache_limit = cache_limit});
  hybrid_ = nullptr;
  for (auto& [name, child] : children_) child->hybridize(false);
}

void Block::hybridize(const HybridizeOptions& options) {
  hybrid_ = std::make_unique<HybridState>(options);
  for (auto& [name, child] : children_) child->hybridize(options);
}

size_t Block::compile_count() const { return hybrid_ ? hybrid_->compile_count() : 0; }
HybridStats Block::hybrid_stats() const { return hybrid_ ? hybrid_->stats() : HybridStats{}; }
std::string Block::traced_ir() const { return hybrid_ ? hybrid_->last_traced_ir() : ""; }

NDArray Block::forward(const NDArray&) {
  throw Error(fmt(type_name(), ": the block defines no forward(const NDArray&); override forward (one input and ",
                  "output) or forward_multi (several)"));
}

std::vector<NDArray> Block::forward_multi(const std::vector<NDArray>& xs) {
  if (xs.size() != 1)
    throw ValueError(fmt(type_name(), ": called with ", xs.size(), " inputs but it takes one; override forward_multi ",
                         "for several"));
  return {forward(xs[0])};
}

void Block::adopt(const std::string& name, std::shared_ptr<Block> child) {
  if (!child) throw ValueError(fmt(display_name(), ": cannot register a null block as '", name, "'"));
  for (const auto& [n, c] : children_)
    if (n == name) throw ValueError(fmt(display_name(), ": a child named '", name, "' is already registered"));
  if (!child->has_parent_) {
    child->has_parent_ = true;
    child->set_prefix(prefix_ + name + ".");
  }
  children_.emplace_back(name, std::move(child));
  structure_version_->fetch_add(1, std::memory_order_relaxed);
  bump_structure_epoch();
}

void Block::set_prefix(const std::string& prefix) {
  std::string old = prefix_;
  prefix_ = prefix;
  for (auto& [name, p] : params_) p->set_prefix(prefix_);
  for (auto& [name, child] : children_)
    if (child->prefix_ == old + name + ".")  // named by this block, not by another parent
      child->set_prefix(prefix_ + name + ".");
}

std::string Block::path() const { return prefix_.empty() ? "" : prefix_.substr(0, prefix_.size() - 1); }

std::string Block::type_name() const {
  if (!type_name_.empty()) return type_name_;
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 ? demangled : mangled;
  std::free(demangled);
  // Drop namespaces and template arguments: "kiln::nn::Dense" -> "Dense".
  std::string plain = name.substr(0, name.find('<'));
  size_t colon = plain.rfind("::");
  return colon == std::string::npos ? plain : plain.substr(colon + 2);
}

void Block::throw_uninitialized(const InitError& e) const {
  std::string hint = has_parent_ ? "" : "; if this block is part of a larger network, it was never registered with it "
      "(register_block or Sequential::add in C++; in Python, assign it to an attribute or add it to an nn.Sequential): "
      "a child kept in a plain member, a std::vector or a Python list is not registered, so initialize() on its "
      "parent does not reach it";
  throw InitError(fmt(display_name(), ": ", e.what(), hint));
}

std::string Block::display_name() const { return prefix_.empty() ? type_name() : type_name() + " '" + path() + "'"; }

void Block::collect_into(const std::string& prefix, ParameterDict& out, std::vector<const Parameter*>& seen) const {
  for (const auto& [name, p] : params_) {
    if (std::find(seen.begin(), seen.end(), p.get()) != seen.end()) continue;
    seen.push_back(p.get());
    out.add(prefix + name, p);
  }
  for (const auto& [name, child] : children_) child->collect_into(prefix + name + ".", out, seen);
}

ParameterDict Block::collect_params(const std::string& select) const {
  ParameterDict all;
  std::vector<const Parameter*> seen;
  collect_into("", all, seen);
  return select.empty() ? all : all.select(select);
}

void Block::initialize(const init::Initializer& init, bool force_reinit) { collect_params().initialize(init, force_reinit); }

void Block::save_parameters(const std::string& path) const {
  params_file::NamedArrays arrays;
  for (const auto& [name, p] : collect_params()) arrays.emplace_back(name, p->data());
  params_file::write(path, arrays);
}

void Block::export_model(const std::string& path, int epoch) const {
  if (epoch < 0 || epoch > 9999) throw ValueError(fmt("export: epoch must be in [0, 9999]; got ", epoch));
  // The path is a prefix: "<path>-symbol.mlir" beside "<path>-NNNN.params".
  if (path.empty() || path.back() == '/' || file_io::is_directory(path))
    throw ValueError(fmt("export: '", path, "' is ", path.empty() ? "empty" : "a directory",
                         "; give a file prefix such as 'model' or 'dir/model' (it writes <prefix>-symbol.mlir and ",
                         "<prefix>-NNNN.params)"));
  params_file::NamedArrays parameters;
  std::vector<ir::ExportedGraph> graphs;
  if (hybrid_) graphs = hybrid_->exported_graphs(*this, parameters);
  if (graphs.empty())
    throw ValueError(fmt("export: ", display_name(), " has no traced graph; hybridize() it and call it once first"));
  std::string header = fmt("// exported by kiln ", kVersion, " from ", type_name(), "\n");
  for (const ir::ExportedGraph& g : graphs) {
    header += fmt("// signature ", g.signature, ":");
    for (const std::string& name : g.argument_names) header += " " + name;
    header += "\n";
  }
  char epoch_text[8];
  std::snprintf(epoch_text, sizeof epoch_text, "%04d", epoch);
  std::string params_path = fmt(path, "-", epoch_text, ".params");
  header += fmt("// parameters: ", params_path.substr(params_path.find_last_of('/') + 1), "\n");
  file_io::StagedWrites writes("export");
  writes.stage(path + "-symbol.mlir", ir::write_program(graphs, header));
  writes.stage(params_path, params_file::encode(parameters));
  writes.commit();
}

void Block::load_parameters(const std::string& path, bool allow_missing, bool ignore_extra) {
  params_file::NamedArrays loaded = params_file::read(path);
  ParameterDict params = collect_params();

  // Check everything before touching anything.
  std::map<std::string, const Array*> by_name;
  for (const auto& [name, array] : loaded) by_name[name] = &array;
  std::vector<std::string> missing, extra, mismatched;
  for (const auto& [name, p] : params) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      missing.push_back(name);
      continue;
    }
    const Shape& want = p->shape();
    const Shape& got = it->second->shape();
    bool fits = want.size() == got.size();
    for (size_t i = 0; fits && i < want.size(); ++i) fits = want[i] == 0 || want[i] == got[i];
    if (!fits) mismatched.push_back(fmt(name, " (file ", shape_str(got), ", block ", shape_str(want), ")"));
  }
  for (const auto& [name, array] : loaded)
    if (!params.contains(name)) extra.push_back(name);

  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  std::string problems;
  if (!missing.empty() && !allow_missing) problems += fmt("\n  missing from the file: ", list(missing));
  if (!extra.empty() && !ignore_extra) problems += fmt("\n  in the file but not in the block: ", list(extra));
  if (!mismatched.empty()) problems += fmt("\n  shape mismatch: ", list(mismatched));
  if (!problems.empty())
    throw FileError(fmt("load_parameters: '", path, "' does not match ", display_name(), "; no parameter was changed:",
                        problems));

  for (const auto& [name, p] : params) {
    auto it = by_name.find(name);
    if (it != by_name.end()) p->set_data(NDArray(*it->second));
  }
}

void Block::print_into(std::string& out, int indent) const {
  out += type_name() + "(";
  std::string extra = extra_repr();
  if (children_.empty()) {
    out += extra + ")";
    return;
  }
  if (!extra.empty()) out += extra;
  std::string pad(indent + 2, ' ');
  for (const auto& [name, child] : children_) {
    out += "\n" + pad + "(" + name + "): ";
    child->print_into(out, indent + 2);
  }
  out += "\n" + std::string(indent, ' ') + ")";
}

std::string Block::str() const {
  std::string out;
  print_into(out, 0);
  return out;
}

std::ostream& operator<<(std::ostream& out, const Block& block) { return out << block.str(); }

}  // namespace kiln::nn
