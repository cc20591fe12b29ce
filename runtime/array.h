// Array: the runtime's n-dimensional array. A cheap, reference-counted handle: copies share the
// same array (as MXNet's NDArray handles do), views such as reshape share the same storage.
// Contiguous and row-major always; the data starts 64-byte aligned.
//
// This is the storage-level half. The user-facing kiln::NDArray (frontend/ndarray.h) derives
// from it and adds the ops, which are dispatched through autograd and the tracer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/dtype.h"
#include "runtime/shape.h"
#include "runtime/storage.h"

namespace kiln {

// Autograd's per-array record; defined by the frontend. The runtime only carries the pointer.
struct AutogradMeta;

class Array {
 public:
  Array() = default;  // an undefined handle: no shape, no data
  // A new array with uninitialised contents.
  explicit Array(Shape shape, DType dtype = DType::Float32);

  static Array zeros(Shape shape);
  static Array full(Shape shape, float value);
  // Copies `values`; throws ShapeError if their count does not match `shape`.
  static Array from_values(Shape shape, const std::vector<float>& values);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const {
    require_defined("shape");
    return impl_->shape;
  }
  size_t ndim() const { return shape().size(); }
  int64_t size() const { return num_elements(shape()); }
  DType dtype() const {
    require_defined("dtype");
    return impl_->dtype;
  }

  // Write access: counts as a write to the storage (see version()). Read through a const Array
  // to avoid that; writes through the pointer must be done before the next op reads the array.
  float* data() {
    require_defined("data");
    impl_->storage->mark_written();
    return impl_->data;
  }
  const float* data() const {
    require_defined("data");
    return impl_->data;
  }
  // Changes whenever data() hands out write access to this array's storage (or a view of it).
  DataVersion version() const {
    require_defined("version");
    return impl_->storage->version();
  }
  // Makes writes to this array's storage move watched_write_count() (see Storage::watch).
  void watch_writes() const {
    require_defined("watch_writes");
    impl_->storage->watch();
  }
  std::vector<float> to_vector() const;

  // The one value of a one-element array; ValueError otherwise.
  float asscalar() const;

  // A new array with the same shape and a copy of the values (no autograd history).
  Array copy() const;
  // Copies `src`'s values into this array's storage; shapes must match.
  void assign(const Array& src);

  // A storage-level view (no autograd): same storage, new shape.
  Array view_as(Shape shape) const;

  // Identifies the array (shared by every handle to it, distinct from its views).
  const void* identity() const { return impl_.get(); }

  // Whether two handles are the same array.
  bool same_as(const Array& other) const { return impl_ == other.impl_; }
  bool shares_storage(const Array& other) const;

  // MXNet's text form: the values, then "<NDArray 2x10 @cpu(0)>".
  std::string str() const;

  // Autograd's record for this array, created by the frontend (null when none).
  const std::shared_ptr<AutogradMeta>& autograd_meta() const;
  void set_autograd_meta(std::shared_ptr<AutogradMeta> meta);

 protected:
  // A new array's Impl and Storage share one allocation (see array.cc); a view's Impl points at
  // the storage and keeps whatever owns it alive.
  struct Impl {
    Storage* storage = nullptr;
    std::shared_ptr<const void> storage_owner;  // views only: the array whose storage this is
    float* data = nullptr;
    Shape shape;
    DType dtype = DType::Float32;
    std::shared_ptr<AutogradMeta> autograd;
  };
  // Called by every accessor: inline and cheap, with the throw out of line.
  void require_defined(const char* what) const {
    if (!impl_) [[unlikely]]
      throw_undefined(what);
  }
  [[noreturn]] static void throw_undefined(const char* what);

  std::shared_ptr<Impl> impl_;
};

std::ostream& operator<<(std::ostream& out, const Array& a);

}  // namespace kiln
