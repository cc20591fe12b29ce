// Parameter and ParameterDict, as Gluon's: a named array with a gradient and an initialiser, and
// an ordered collection of them.
// Threads: infer_shape() may be called from several threads at once (the first eager calls of a
// fresh block): one of them creates the data, the others wait for it. data() and shape() are safe
// from any thread once infer_shape() has returned on it; initialize(), set_data() and set_grad_req()
// must not race with other calls on the same parameter.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "frontend/nn/initializer.h"
#include "frontend/ndarray.h"

namespace kiln {

namespace nn {
class Block;
}

class Parameter {
 public:
  // An extent of 0 in `shape` is unknown until the first forward pass (deferred initialisation).
  Parameter(std::string name, Shape shape, GradReq grad_req = GradReq::Write,
            std::shared_ptr<const init::Initializer> init = nullptr);
  // Shared through shared_ptr, never copied: a parameter's array is replaced only where the
  // structure epoch is bumped (frontend/hybridize/hybrid.h), which compiled graphs that bound it rely on.
  Parameter(const Parameter&) = delete;
  Parameter& operator=(const Parameter&) = delete;

  // The name within the model ("hidden.weight"); the block tree sets the prefix.
  const std::string& name() const { return name_; }
  const Shape& shape() const { return shape_; }
  GradReq grad_req() const { return grad_req_; }
  void set_grad_req(GradReq req);
  bool is_initialized() const { return data_.defined(); }
  bool is_constant() const { return constant_; }

  // Creates the data with the parameter's own initialiser, else `fallback`. If the shape is not
  // yet known, initialisation is deferred until infer_shape() learns it. An initialised
  // parameter is left alone unless `force_reinit`.
  void initialize(const init::Initializer& fallback, bool force_reinit = false);
  // Learns unknown extents from the first input (a layer calls this) and completes a deferred
  // initialisation. Known extents must agree: ShapeError otherwise.
  void infer_shape(const Shape& shape);

  // The values (InitError before initialisation); the same handle on every call, so an update
  // to it is seen by every user.
  const NDArray& data() const {
    if (!data_.defined()) [[unlikely]]
      throw_uninitialized();
    return data_;
  }
  NDArray grad() const;
  // Copies `value` in (shapes must agree); initialises a parameter that has no data yet.
  void set_data(const NDArray& value);
  void zero_grad();

 private:
  friend class nn::Block;        // sets the name prefix when the block joins a tree
  friend class ParameterDict;    // marks constants
  void set_prefix(const std::string& prefix) { name_ = prefix + local_name_; }
  void create_data(const init::Initializer& init);
  [[noreturn]] void throw_uninitialized() const;
  // ShapeError unless `shape` fills in (or equals) the declared shape.
  void check_compatible(const Shape& shape) const;

  std::string local_name_, name_;
  Shape shape_;
  GradReq grad_req_;
  std::shared_ptr<const init::Initializer> init_;           // the parameter's own, if any
  std::shared_ptr<const init::Initializer> deferred_init_;  // set while waiting for a shape
  NDArray data_;
  bool constant_ = false;
  // Deferred initialisation completes once: the first infer_shape() creates the data under the
  // lock; later calls see `complete_` and only check the shape, which no longer changes.
  std::mutex infer_mutex_;
  std::atomic<bool> complete_{false};
};

// Ordered name -> Parameter map (Gluon's ParameterDict). Copies share the Parameters.
class ParameterDict {
 public:
  using Entry = std::pair<std::string, std::shared_ptr<Parameter>>;

  // Gets the parameter `name`, creating it with `shape` if it does not exist (Gluon's params.get).
  std::shared_ptr<Parameter> get(const std::string& name, const Shape& shape, GradReq grad_req = GradReq::Write,
                                 std::shared_ptr<const init::Initializer> init = nullptr);
  // A constant: a copy of `value` that initialize() never changes and that never gets a
  // gradient (grad_req null).
  std::shared_ptr<Parameter> get_constant(const std::string& name, const NDArray& value);
  void add(const std::string& name, std::shared_ptr<Parameter> param);

  // The parameters whose names fully match the regular expression (Gluon's select).
  ParameterDict select(const std::string& regex) const;
  void initialize(const init::Initializer& init = init::Uniform(), bool force_reinit = false);
  void zero_grad();

  bool contains(const std::string& name) const;
  Parameter& operator[](const std::string& name) const;  // ValueError listing the names if absent
  size_t size() const { return entries_.size(); }
  std::vector<std::string> names() const;
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace kiln
