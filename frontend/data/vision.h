// gluon::data::vision: MNIST and Fashion-MNIST from their IDX files. Items are (image, label):
// the image H×W×1 with the byte values as floats (0..255, as Gluon's uint8 images), the label a
// 0-d class index; vision::transforms::ToTensor makes the image CHW in [0, 1].
#pragma once

#include <string>
#include <vector>

#include "frontend/data/dataset.h"

namespace kiln::gluon::data::vision {

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistRoot = "/usr/share/datasets/fashion-mnist";

// Images and labels of the IDX files `<prefix>-images-idx3-ubyte[.gz]` and
// `<prefix>-labels-idx1-ubyte[.gz]` in `root`, prefix "train" or "t10k".
class ImageFolderIdx : public Dataset {
 public:
  size_t size() const override { return labels_.size(); }
  Sample get(size_t i) const override;
  Sample get_batch(std::span<const size_t> indices) const override;
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }

 protected:
  // `what` names the dataset in errors; `package`, when the root is the default, the Debian
  // package that provides it.
  ImageFolderIdx(const std::string& what, const std::string& root, bool train, const std::string& package);

 private:
  std::vector<uint8_t> images_;
  std::vector<uint8_t> labels_;
  int64_t height_ = 0, width_ = 0;
};

class FashionMNIST : public ImageFolderIdx {
 public:
  explicit FashionMNIST(const std::string& root = kFashionMnistRoot, bool train = true);
};

// No Debian package ships MNIST: `root` is the folder that holds its IDX files.
class MNIST : public ImageFolderIdx {
 public:
  MNIST(const std::string& root, bool train = true);
};

}  // namespace kiln::gluon::data::vision
