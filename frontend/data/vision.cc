#include "frontend/data/vision.h"

#include <filesystem>

#include "frontend/data/idx_file.h"
#include "runtime/error.h"

namespace kiln::gluon::data::vision {

namespace {
// `<root>/<name>` or, if only that exists, `<root>/<name>.gz`.
std::string find_file(const std::string& what, const std::string& root, const std::string& name, const std::string& package) {
  for (const std::string& candidate : {root + "/" + name + ".gz", root + "/" + name})
    if (std::filesystem::is_regular_file(candidate)) return candidate;
  std::string hint = package.empty() ? "" : fmt(" (install Debian's ", package, " package: apt-get install ", package, ")");
  throw FileError(fmt(what, ": '", root, "/", name, ".gz' does not exist", hint));
}
}  // namespace

ImageFolderIdx::ImageFolderIdx(const std::string& what, const std::string& root, bool train, const std::string& package) {
  std::string prefix = train ? "train" : "t10k";
  std::string images_path = find_file(what, root, prefix + "-images-idx3-ubyte", package);
  std::string labels_path = find_file(what, root, prefix + "-labels-idx1-ubyte", package);
  IdxFile images = read_idx(images_path), labels = read_idx(labels_path);
  if (images.shape.size() != 3)
    throw FileError(fmt(what, ": '", images_path, "' holds shape ", shape_str(images.shape), "; images are N×H×W"));
  if (labels.shape.size() != 1 || labels.shape[0] != images.shape[0])
    throw FileError(fmt(what, ": '", labels_path, "' holds shape ", shape_str(labels.shape), " for ", images.shape[0],
                        " images in '", images_path, "'"));
  for (size_t i = 0; i < labels.bytes.size(); ++i)
    if (labels.bytes[i] > 9) throw FileError(fmt(what, ": '", labels_path, "' has label ", int{labels.bytes[i]}, " at ", i, "; classes are 0..9"));
  height_ = images.shape[1];
  width_ = images.shape[2];
  images_ = std::move(images.bytes);
  labels_ = std::move(labels.bytes);
}

Sample ImageFolderIdx::get(size_t i) const {
  Sample batch = get_batch(std::span<const size_t>(&i, 1));
  return {batch.data.reshape({height_, width_, 1}), batch.label.reshape({})};
}

Sample ImageFolderIdx::get_batch(std::span<const size_t> indices) const {
  if (indices.empty()) throw ValueError("dataset: a batch needs at least one index");
  int64_t n = static_cast<int64_t>(indices.size()), pixels = height_ * width_;
  Array data({n, height_, width_, 1}), label({n});
  float* d = data.data();
  float* l = label.data();
  for (int64_t k = 0; k < n; ++k) {
    size_t i = indices[k];
    check_index(i);
    const uint8_t* src = images_.data() + i * pixels;
    for (int64_t p = 0; p < pixels; ++p) d[k * pixels + p] = src[p];
    l[k] = labels_[i];
  }
  return {data, label};
}

FashionMNIST::FashionMNIST(const std::string& root, bool train)
    : ImageFolderIdx("FashionMNIST", root, train, root == kFashionMnistRoot ? "dataset-fashion-mnist" : "") {}

MNIST::MNIST(const std::string& root, bool train) : ImageFolderIdx("MNIST", root, train, "") {}

}  // namespace kiln::gluon::data::vision
