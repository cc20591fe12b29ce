#include "frontend/nn/parameter.h"

#include <algorithm>
#include <regex>

#include "frontend/hybridize/hybrid.h"
#include "runtime/error.h"

namespace kiln {

Parameter::Parameter(std::string name, Shape shape, GradReq grad_req, std::shared_ptr<const init::Initializer> init)
    : local_name_(name), name_(std::move(name)), shape_(std::move(shape)), grad_req_(grad_req), init_(std::move(init)) {}

void Parameter::set_grad_req(GradReq req) {
  grad_req_ = req;
  if (data_.defined()) {
    if (req == GradReq::Null) data_.set_autograd_meta(nullptr);
    else data_.attach_grad(req);
  }
}

void Parameter::create_data(const init::Initializer& init) {
  NDArray fresh(shape_);
  init.fill(name_, fresh);
  if (data_.defined() && data_.shape() == shape_) {
    data_.assign(fresh);  // keep the handle that users and graphs hold
  } else {
    data_ = fresh;
    if (grad_req_ != GradReq::Null) data_.attach_grad(grad_req_);
    nn::bump_structure_epoch();  // compiled graphs that read this parameter are stale
  }
  deferred_init_ = nullptr;
}

void Parameter::initialize(const init::Initializer& fallback, bool force_reinit) {
  if (constant_ || (data_.defined() && !force_reinit)) return;
  const init::Initializer& init = init_ ? *init_ : fallback;
  if (std::find(shape_.begin(), shape_.end(), 0) != shape_.end()) {
    deferred_init_ = init.clone();  // the shape comes with the first input
    return;
  }
  create_data(init);
}

void Parameter::check_compatible(const Shape& shape) const {
  bool compatible = shape.size() == shape_.size();
  for (size_t i = 0; compatible && i < shape.size(); ++i) compatible = shape_[i] == 0 || shape_[i] == shape[i];
  if (!compatible)
    throw ShapeError(fmt("Parameter '", name_, "': shape ", shape_str(shape), " does not match its declared shape ",
                         shape_str(shape_), " (0 = unknown)"));
}

void Parameter::infer_shape(const Shape& shape) {
  if (complete_.load(std::memory_order_acquire)) return check_compatible(shape);
  std::lock_guard lock(infer_mutex_);
  check_compatible(shape);
  if (data_.defined()) {
    complete_.store(true, std::memory_order_release);
    return;
  }
  shape_ = shape;
  if (!deferred_init_)
    throw InitError(fmt("Parameter '", name_, "' has not been initialized: call initialize() on its block (or on ",
                        "collect_params()) before the first forward pass"));
  create_data(*deferred_init_);
  complete_.store(true, std::memory_order_release);
}

void Parameter::throw_uninitialized() const {
  if (deferred_init_)
    throw InitError(fmt("Parameter '", name_, "' has not been initialized yet because initialization was deferred: ",
                        "its shape ", shape_str(shape_), " is completed by the first forward pass. Pass one batch of ",
                        "data through the network before accessing its parameters"));
  throw InitError(fmt("Parameter '", name_, "' has not been initialized: call initialize() on its block (or on ",
                      "collect_params()) first"));
}

NDArray Parameter::grad() const {
  if (grad_req_ == GradReq::Null)
    throw ValueError(fmt("Parameter '", name_, "' has no gradient: its grad_req is null (constants never have one)"));
  return data().grad();
}

void Parameter::set_data(const NDArray& value) {
  if (!data_.defined()) {
    check_compatible(value.shape());
    shape_ = value.shape();
    data_ = value.copy();
    if (grad_req_ != GradReq::Null) data_.attach_grad(grad_req_);
    deferred_init_ = nullptr;
    nn::bump_structure_epoch();
    return;
  }
  if (value.shape() != data_.shape())
    throw ShapeError(fmt("Parameter '", name_, "': set_data with shape ", shape_str(value.shape()),
                         " but the parameter has shape ", shape_str(data_.shape())));
  data_.assign(value);
}

void Parameter::zero_grad() {
  if (data_.defined() && grad_req_ != GradReq::Null) data_.grad().assign(NDArray(Array::zeros(shape_)));
}

std::shared_ptr<Parameter> ParameterDict::get(const std::string& name, const Shape& shape, GradReq grad_req,
                                              std::shared_ptr<const init::Initializer> init) {
  for (auto& [n, p] : entries_)
    if (n == name) return p;
  auto p = std::make_shared<Parameter>(name, shape, grad_req, std::move(init));
  entries_.emplace_back(name, p);
  return p;
}

std::shared_ptr<Parameter> ParameterDict::get_constant(const std::string& name, const NDArray& value) {
  if (contains(name)) throw ValueError(fmt("get_constant: a parameter named '", name, "' already exists"));
  auto p = std::make_shared<Parameter>(name, value.shape(), GradReq::Null);
  p->set_data(value);
  p->constant_ = true;
  entries_.emplace_back(name, p);
  return p;
}

void ParameterDict::add(const std::string& name, std::shared_ptr<Parameter> param) {
  entries_.emplace_back(name, std::move(param));
}

ParameterDict ParameterDict::select(const std::string& regex) const {
  std::regex re;
  try {
    re = std::regex(regex);
  } catch (const std::regex_error& e) {
    throw ValueError(fmt("collect_params: '", regex, "' is not a valid regular expression: ", e.what()));
  }
  ParameterDict out;
  for (const auto& e : entries_)
    if (std::regex_match(e.first, re)) out.entries_.push_back(e);
  return out;
}

void ParameterDict::initialize(const init::Initializer& init, bool force_reinit) {
  for (auto& [n, p] : entries_) p->initialize(init, force_reinit);
}

void ParameterDict::zero_grad() {
  for (auto& [n, p] : entries_) p->zero_grad();
}

bool ParameterDict::contains(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.first == name) return true;
  return false;
}

Parameter& ParameterDict::operator[](const std::string& name) const {
  for (const auto& e : entries_)
    if (e.first == name) return *e.second;
  std::string known;
  for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.first;
  throw ValueError(fmt("no parameter named '", name, "'; the parameters are: ", known.empty() ? "(none)" : known));
}

std::vector<std::string> ParameterDict::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

}  // namespace kiln
