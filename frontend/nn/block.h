// nn::Block, Gluon's building block: a forward computation with child blocks and parameters
// registered under hierarchical names ("net.0.weight").
//
//   class MLP : public nn::Block {
//    public:
//     nn::Child<nn::Dense> hidden = register_block("hidden", nn::Dense(256, "relu"));
//     nn::Child<nn::Dense> output = register_block("output", nn::Dense(10));
//     NDArray forward(const NDArray& x) override { return output(hidden(x)); }
//   };
//
// Children and parameters are held through shared pointers, so a Block can be moved (into a
// Sequential, say) without invalidating them, and one child can be shared by several parents.
// Threads: calls (eager or hybridized) may run on several threads at once; the first calls of a
// fresh block complete deferred initialisation once. hybridize(), initialize(), load_parameters(),
// registering children and updating parameters must not race with calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "frontend/hybridize/hybridize_options.h"
#include "frontend/ndarray.h"
#include "frontend/nn/parameter.h"
#include "runtime/error.h"

namespace kiln::nn {

class Block;
class HybridState;
struct TreeSnapshot;


// A handle to a registered child block: `hidden(x)` calls it, `hidden->weight` reaches inside.
template <class B>
class Child {
 public:
  Child() = default;
  explicit Child(std::shared_ptr<B> block) : block_(std::move(block)) {}
  template <class D, class = std::enable_if_t<std::is_base_of_v<B, D>>>
  Child(const Child<D>& other) : block_(other.ptr()) {}  // NOLINT: upcast like a pointer

  B* operator->() const { return block_.get(); }
  B& operator*() const { return *block_; }
  const std::shared_ptr<B>& ptr() const { return block_; }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return (*block_)(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<B> block_;
};

// Makes a shared block from a block value, a shared_ptr or a Child (what register_block and
// Sequential::add accept).
template <class B>
auto share_block(B&& block) {
  using T = std::decay_t<B>;
  if constexpr (std::is_base_of_v<Block, T>) return std::make_shared<T>(std::forward<B>(block));
  else if constexpr (requires { block.ptr(); }) return block.ptr();
  else return std::shared_ptr<typename T::element_type>(block);
}

class Block {
 public:
  Block();
  virtual ~Block();
  Block(Block&&) noexcept;
  Block& operator=(Block&&) noexcept;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Runs the block on one input (forward) or several (forward_multi).
  NDArray operator()(const NDArray& x);
  std::vector<NDArray> operator()(const std::vector<NDArray>& xs);

  // This block's own parameters, by local name (Gluon's self.params).
  ParameterDict& params() { return params_; }
  const ParameterDict& params() const { return params_; }
  // Every parameter of this block and its descendants under its full name, each once even when
  // shared; `select` keeps the names fully matching a regular expression (".*weight|.*bias").
  ParameterDict collect_params(const std::string& select = "") const;
  void initialize(const init::Initializer& init = init::Uniform(), bool force_reinit = false);

  // Binary parameter files (format in docs/export.md). Loading checks the whole file
  // against the block first: on any error (missing, extra or mismatched parameters, a damaged
  // file) it throws and leaves every parameter untouched.
  void save_parameters(const std::string& path) const;
  void load_parameters(const std::string& path, bool allow_missing = false, bool ignore_extra = false);

  // Gluon's export (`export` is a C++ keyword): after a hybridized call, writes
  // <path>-symbol.mlir (every compiled signature's traced graph as kiln-dialect MLIR text, with a
  // versioned, checksummed header naming the inputs and shapes) and <path>-<epoch, 4 digits>.params
  // (the parameters the graphs take, in save_parameters' format; constants stay in the graph).
  // Both files are written before either replaces an older one. SymbolBlock::imports reads them
  // back; docs/export.md has the formats.
  void export_model(const std::string& path, int epoch = 0) const;

  // Gluon's hybridize: later calls run natively compiled code. On the first call for an input
  // signature (input shapes and training mode) forward runs eagerly — the caller gets its results
  // — while its ops are traced into one graph (children inlined), which is then compiled.
  // Parameters are arguments of the graph (updates are seen without recompiling); get_constant
  // values and other arrays the forward reads are baked in, and a write to one recompiles (with a
  // one-time warning). A one-array call runs forward, a list call forward_multi, each with its own
  // graphs. A forward that reads graph values on the host other than through asscalar() or a
  // comparison (data(), to_vector()) runs eagerly, with a warning. At most `cache_limit` signatures are compiled; past that, calls run
  // eagerly. Calls under autograd::record() are signatures of their own: they run compiled and
  // record one tape node whose backward is a compiled graph derived from the ops' gradient rules
  // (frontend/hybridize/compiled_backward.h); gradients equal the eager ones.
  // A forward may branch and loop on values it reads on the host (x.norm().asscalar() > 1): each
  // comparison becomes a guard, every path seen is compiled, a recurring guard compiles as a
  // loop, and a call that takes a new path is completed eagerly and adds it
  // (docs/control_flow.md says what this asks of a forward).
  // Registering a child or changing a parameter's shape invalidates the compiled graphs.
  // hybridize(false) goes back to eager. Children are hybridized too.
  void hybridize(bool active = true, size_t cache_limit = 8);
  // hybridize({.static_params = true}): an inference mode that bakes the parameters' current
  // values into the graph as constants, so everything computed from them (weight transposes,
  // scalings) is folded at compile time. Changing a parameter afterwards recompiles, with a
  // one-time warning: for training, hybridize without it.
  void hybridize(const HybridizeOptions& options);
  bool is_hybridized() const { return hybrid_ != nullptr; }
  // How many graphs this block has compiled (a counter for tests and KILN_LOG).
  size_t compile_count() const;
  // How its calls ran since hybridize(): compiled, side exits, traced, eager.
  HybridStats hybrid_stats() const;
  // The MLIR (kiln dialect) of the most recently traced graph; empty before the first.
  std::string traced_ir() const;

  const std::vector<std::pair<std::string, std::shared_ptr<Block>>>& children() const { return children_; }
  // The path of this block in the tree that first registered it ("net.0"), empty at the root.
  std::string path() const;
  // The class name ("Dense", "MLP").
  std::string type_name() const;
  // Gluon's print(net): the block tree with each layer's configuration.
  std::string str() const;

 protected:
  friend class HybridState;
  friend struct TreeSnapshot;
  virtual NDArray forward(const NDArray& x);
  // Override for blocks with several inputs or outputs; by default runs forward on one input.
  virtual std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs);
  // The configuration shown by str(), e.g. "20 -> 256, relu".
  virtual std::string extra_repr() const { return ""; }

  // Registers `block` (a value, shared_ptr or Child) as a child named `name`.
  template <class B>
  auto register_block(const std::string& name, B&& block) {
    auto shared = share_block(std::forward<B>(block));
    adopt(name, shared);
    return Child<typename decltype(shared)::element_type>(shared);
  }
  // "hidden" for a block registered as hidden, "Dense" for an unregistered one, for messages.
  std::string display_name() const;
  // The class name type_name() reports, for blocks whose class C++ cannot name (a Python
  // subclass: "MLP", not the binding's class).
  void set_type_name(std::string name) { type_name_ = std::move(name); }
  // Rethrows a parameter's InitError naming this block; for a block no parent registered, with
  // the likely cause (a child kept in a plain member or a std::vector is not part of its parent).
  [[noreturn]] void throw_uninitialized(const InitError& e) const;

 private:
  void adopt(const std::string& name, std::shared_ptr<Block> child);
  void set_prefix(const std::string& prefix);
  void collect_into(const std::string& prefix, ParameterDict& out, std::vector<const Parameter*>& seen) const;
  void print_into(std::string& out, int indent) const;

  ParameterDict params_;
  std::string type_name_;  // set_type_name's; empty: the C++ class
  std::vector<std::pair<std::string, std::shared_ptr<Block>>> children_;
  // Counts the children registered here; compiled graphs of the trees holding this block keep
  // the counter (shared, so a moved block keeps it) and the count they were built with.
  std::shared_ptr<std::atomic<uint64_t>> structure_version_ = std::make_shared<std::atomic<uint64_t>>(0);
  std::string prefix_;        // "net.0." once registered under a parent
  bool has_parent_ = false;   // the first registration names a shared block
  std::unique_ptr<HybridState> hybrid_;  // set by hybridize()
};

std::ostream& operator<<(std::ostream& out, const Block& block);

// Gluon's name for a block that can be hybridized. Every kiln Block can (the tracer records ops,
// not symbols), so this is the same class.
using HybridBlock = Block;

}  // namespace kiln::nn
