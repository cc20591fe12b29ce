// kiln::autograd: recording ops and computing gradients, as Gluon's mxnet.autograd.
//
//   x.attach_grad();
//   {
//     auto rec = autograd::record();
//     y = net(x);
//   }
//   y.backward();
//   x.grad();
// Threads: the recording and training flags are per thread; one recorded graph is differentiated
// (backward, grad) by one thread at a time, while other threads record graphs of their own.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/ndarray.h"

namespace kiln::autograd {

bool is_recording();
bool is_training();

// True if gradients flow to `a`: a leaf with attach_grad() or the output of a recorded op.
bool requires_grad(const Array& a);

// Sets the recording and training flags of this thread for its lifetime, then restores them.
class [[nodiscard]] Scope {
 public:
  Scope(bool recording, bool training);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  bool saved_recording_, saved_training_;
};

// Records ops for backward; training mode by default (as autograd.record()).
inline Scope record(bool train_mode = true) { return Scope(true, train_mode); }
// Stops recording inside a record() scope.
inline Scope pause(bool train_mode = false) { return Scope(false, train_mode); }
// Training / prediction mode without changing recording.
inline Scope train_mode() { return Scope(is_recording(), true); }
inline Scope predict_mode() { return Scope(is_recording(), false); }

// Computes gradients of `heads` (each seeded with the matching head gradient, or ones) and writes
// them into every attached leaf reached, following each leaf's GradReq.
void backward(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads = {});

// How many times backward() has written the gradient of the leaf `a` (0 for any other array):
// a Trainer compares it between steps to find gradients no backward refreshed.
uint64_t gradient_writes(const Array& a);

// The gradients of `heads` with respect to `variables`, returned rather than stored.
std::vector<NDArray> grad(const std::vector<NDArray>& heads, const std::vector<NDArray>& variables,
                          const std::vector<NDArray>& head_grads = {});

}  // namespace kiln::autograd
