#include "frontend/optimizer/trainer.h"

#include <algorithm>

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "runtime/error.h"
#include "runtime/params_file.h"

namespace kiln::gluon {

Trainer::Trainer(const ParameterDict& params, const std::string& optimizer, const optimizer::Options& options)
    : Trainer(params, optimizer::create(optimizer, options)) {}

Trainer::Trainer(const ParameterDict& params, std::unique_ptr<optimizer::Optimizer> optimizer)
    : optimizer_(std::move(optimizer)) {
  if (!optimizer_) throw ValueError("Trainer: needs an optimizer");
  scale_ = optimizer_->rescale_grad();
  for (const auto& [name, p] : params)
    if (p->grad_req() != GradReq::Null && !p->is_constant()) slots_.push_back({p, {}, 0, 0});
}

void Trainer::step(int64_t batch_size, bool ignore_stale_grad) {
  allreduce_grads();
  update(batch_size, ignore_stale_grad);
}

void Trainer::update(int64_t batch_size, bool ignore_stale_grad) {
  if (batch_size <= 0) throw ValueError(fmt("Trainer.step: batch_size must be positive; got ", batch_size));
  // Every check before any update: a stale gradient leaves every parameter as it was.
  std::vector<bool> fresh(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Parameter& p = *slots_[i].parameter;
    if (!p.is_initialized())
      throw InitError(fmt("Trainer.step: Parameter '", p.name(), "' has not been initialized (call initialize() and run a "
                          "forward pass first)"));
    fresh[i] = autograd::gradient_writes(p.data()) != slots_[i].gradient_writes;
    if (!fresh[i] && !ignore_stale_grad)
      throw ValueError(fmt("Trainer.step: the gradient of Parameter '", p.name(), "' has not been updated by backward "
                           "since the last step; if the model uses only some of its parameters on purpose, call "
                           "step(batch_size, /*ignore_stale_grad=*/true) to skip the stale ones"));
  }
  optimizer_->set_rescale_grad(scale_ / static_cast<float>(batch_size));
  int64_t num_update = 0;  // MXNet's: the largest update count once this step's are counted
  for (size_t i = 0; i < slots_.size(); ++i) num_update = std::max(num_update, slots_[i].updates + (fresh[i] ? 1 : 0));
  optimizer_->begin_step(num_update);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!fresh[i]) continue;
    Slot& slot = slots_[i];
    NDArray weight = slot.parameter->data();
    optimizer_->update(weight, slot.parameter->grad(), states_of(slot), ++slot.updates);
    slot.gradient_writes = autograd::gradient_writes(weight);
  }
}

std::vector<NDArray>& Trainer::states_of(Slot& slot) {
  if (slot.states.size() != optimizer_->num_states()) {
    slot.states.clear();
    for (size_t k = 0; k < optimizer_->num_states(); ++k) slot.states.push_back(nd::zeros(slot.parameter->data().shape()));
  }
  return slot.states;
}

namespace {
// The entry that names the optimizer, and those of one parameter.
std::string optimizer_entry(const optimizer::Optimizer& o) { return "__optimizer__." + o.name(); }
std::string count_entry(const Parameter& p) { return p.name() + ".update_count"; }
std::string state_entry(const Parameter& p, size_t k) { return fmt(p.name(), ".state", k); }
}  // namespace

void Trainer::save_states(const std::string& path) const {
  params_file::NamedArrays arrays;
  arrays.emplace_back(optimizer_entry(*optimizer_), Array::from_values({1}, {static_cast<float>(optimizer_->num_states())}));
  for (const Slot& slot : slots_) {
    const Parameter& p = *slot.parameter;
    arrays.emplace_back(count_entry(p), Array::from_values({1}, {static_cast<float>(slot.updates)}));
    for (size_t k = 0; k < slot.states.size(); ++k) arrays.emplace_back(state_entry(p, k), slot.states[k]);
  }
  params_file::write(path, arrays);
}

void Trainer::load_states(const std::string& path) {
  params_file::NamedArrays arrays = params_file::read(path);
  auto find = [&](const std::string& name) -> const Array* {
    for (const auto& [n, a] : arrays)
      if (n == name) return &a;
    return nullptr;
  };
  auto fail = [&](const std::string& why) { throw FileError(fmt("load_states: '", path, "' ", why, "; nothing was loaded")); };
  if (!find(optimizer_entry(*optimizer_))) {
    for (const auto& [n, a] : arrays)
      if (n.rfind("__optimizer__.", 0) == 0)
        fail(fmt("holds the states of optimizer ", n.substr(14), ", not of this Trainer's ", optimizer_->name()));
    fail("holds no optimizer states");
  }
  // Every check first; then the copies.
  size_t expected = 1;
  std::vector<std::pair<const Array*, std::vector<const Array*>>> loaded;
  for (const Slot& slot : slots_) {
    const Parameter& p = *slot.parameter;
    const Array* count = find(count_entry(p));
    if (!count) fail(fmt("has no states for Parameter '", p.name(), "'"));
    std::vector<const Array*> states;
    bool saved_any = find(state_entry(p, 0)) != nullptr;
    for (size_t k = 0; saved_any && k < optimizer_->num_states(); ++k) {
      const Array* s = find(state_entry(p, k));
      if (!s) fail(fmt("lacks state ", k, " of Parameter '", p.name(), "'"));
      if (!p.is_initialized() || s->shape() != p.data().shape())
        fail(fmt("holds state ", k, " of Parameter '", p.name(), "' with shape ", shape_str(s->shape()), " for a parameter of shape ",
                 p.is_initialized() ? shape_str(p.data().shape()) : std::string("(not initialized)")));
      states.push_back(s);
    }
    expected += 1 + states.size();
    loaded.emplace_back(count, std::move(states));
  }
  if (arrays.size() != expected) fail(fmt("holds ", arrays.size() - std::min(expected, arrays.size()), " entries this Trainer's parameters do not have (another model's states?)"));
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    slot.updates = static_cast<int64_t>(loaded[i].first->data()[0]);
    slot.states.clear();
    for (const Array* s : loaded[i].second) slot.states.push_back(NDArray(s->copy()));
  }
}

}  // namespace kiln::gluon
