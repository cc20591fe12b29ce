#include "runtime/array.h"

#include <algorithm>
#include <cstring>

#include "runtime/error.h"

namespace kiln {

namespace {
// A new array's Impl with its Storage: one allocation per array instead of two.
template <class Impl>
struct ImplWithStorage : Impl {
  explicit ImplWithStorage(size_t bytes) : own(bytes) {
    this->storage = &own;
    this->data = static_cast<float*>(own.data());
  }
  Storage own;
};
}  // namespace

Array::Array(Shape shape, DType dtype) {
  size_t bytes = storage_bytes(shape, dtype_size(dtype));
  try {
    impl_ = std::make_shared<ImplWithStorage<Impl>>(bytes);
  } catch (const std::bad_alloc&) {
    throw MemoryError(fmt("array: out of memory: the system refused ", bytes, " bytes for an array of shape ",
                          shape_str(shape)));
  }
  impl_->shape = std::move(shape);
  impl_->dtype = dtype;
}

Array Array::zeros(Shape shape) { return full(std::move(shape), 0.f); }

Array Array::full(Shape shape, float value) {
  Array a(std::move(shape));
  std::fill_n(a.data(), a.size(), value);
  return a;
}

Array Array::from_values(Shape shape, const std::vector<float>& values) {
  if (num_elements(shape) != static_cast<int64_t>(values.size()))
    throw ShapeError(fmt("array: ", values.size(), " values do not fill shape ", shape_str(shape), " (",
                         num_elements(shape), " elements)"));
  Array a(std::move(shape));
  std::copy(values.begin(), values.end(), a.data());
  return a;
}

void Array::throw_undefined(const char* what) {
  throw ValueError(fmt(what, ": the array is undefined (default-constructed, never assigned)"));
}

std::vector<float> Array::to_vector() const { return std::vector<float>(data(), data() + size()); }

float Array::asscalar() const {
  if (size() != 1)
    throw ValueError(fmt("asscalar: the array has shape ", shape_str(shape()), " (", size(),
                         " elements); asscalar() needs exactly one element"));
  return data()[0];
}

Array Array::copy() const {
  Array out(shape(), dtype());
  std::memcpy(out.data(), data(), static_cast<size_t>(size()) * dtype_size(dtype()));
  return out;
}

void Array::assign(const Array& src) {
  if (src.shape() != shape())
    throw ShapeError(fmt("assign: source shape ", shape_str(src.shape()), " differs from target shape ",
                         shape_str(shape())));
  if (src.data() != data()) std::memmove(data(), src.data(), static_cast<size_t>(size()) * dtype_size(dtype()));
}

Array Array::view_as(Shape shape) const {
  require_defined("reshape");
  if (num_elements(shape) != size())
    throw ShapeError(fmt("reshape: cannot view shape ", shape_str(impl_->shape), " (", size(),
                         " elements) as ", shape_str(shape), " (", num_elements(shape), " elements)"));
  Array out;
  // The view keeps the storage's owner alive: this array's owner if it is a view itself.
  std::shared_ptr<const void> owner = impl_->storage_owner ? impl_->storage_owner : impl_;
  out.impl_ = std::make_shared<Impl>(Impl{impl_->storage, std::move(owner), impl_->data, std::move(shape), impl_->dtype, nullptr});
  return out;
}

bool Array::shares_storage(const Array& other) const {
  return impl_ && other.impl_ && impl_->storage == other.impl_->storage;
}

const std::shared_ptr<AutogradMeta>& Array::autograd_meta() const {
  require_defined("autograd");
  return impl_->autograd;
}

void Array::set_autograd_meta(std::shared_ptr<AutogradMeta> meta) {
  require_defined("autograd");
  impl_->autograd = std::move(meta);
}

}  // namespace kiln
