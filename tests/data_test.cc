// gluon::data: IDX files (plain and gzip) written here, their errors, ArrayDataset, transforms,
// the DataLoader's batching, shuffling and last-batch modes, metrics, and Fashion-MNIST as
// Debian installs it.
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "test_util.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
namespace data = gluon::data;
using data::vision::transforms::Normalize;
using data::vision::transforms::ToTensor;

// An IDX file of unsigned bytes: magic, dimensions (big-endian), values.
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::string out{0, 0, 0x08, static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((d >> shift) & 0xff));
  out.append(values.begin(), values.end());
  return out;
}

void write_plain(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }
void write_gzip(const fs::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

class IdxData : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / fmt("kiln_data_test_", ::getpid());
    fs::create_directories(root);
    // Three 2x3 images whose pixels are 10·i + p, labels 7, 0, 9; the training set gzipped,
    // the test set plain.
    std::vector<uint8_t> pixels;
    for (uint8_t i = 0; i < 3; ++i)
      for (uint8_t p = 0; p < 6; ++p) pixels.push_back(static_cast<uint8_t>(10 * i + p));
    write_gzip(root / "train-images-idx3-ubyte.gz", idx_bytes({3, 2, 3}, pixels));
    write_gzip(root / "train-labels-idx1-ubyte.gz", idx_bytes({3}, {7, 0, 9}));
    write_plain(root / "t10k-images-idx3-ubyte", idx_bytes({1, 2, 3}, std::vector<uint8_t>(pixels.begin(), pixels.begin() + 6)));
    write_plain(root / "t10k-labels-idx1-ubyte", idx_bytes({1}, {4}));
  }
  void TearDown() override { fs::remove_all(root); }
  fs::path root;
};

TEST_F(IdxData, ReadsGzippedAndPlainIdxFiles) {
  data::vision::MNIST train(root.string(), true), test(root.string(), false);
  ASSERT_EQ(train.size(), 3u);
  ASSERT_EQ(test.size(), 1u);
  data::Sample s = train.get(1);
  EXPECT_EQ(s.data.shape(), (Shape{2, 3, 1}));
  testing::expect_values(s.data, {10, 11, 12, 13, 14, 15});
  EXPECT_EQ(s.label.shape(), Shape{});
  testing::expect_values(s.label, {0});
  std::vector<size_t> picks{2, 0};
  data::Sample b = train.get_batch(picks);
  EXPECT_EQ(b.data.shape(), (Shape{2, 2, 3, 1}));
  testing::expect_values(b.label, {9, 7});
  testing::expect_values(test.get(0).label, {4});
  EXPECT_THROW_WITH(train.get(3), ValueError, "index 3", "3 items");
}

TEST_F(IdxData, MissingOrDamagedFilesAreErrorsNamingThePath) {
  EXPECT_THROW_WITH(data::vision::MNIST((root / "nowhere").string()), FileError, "MNIST", "nowhere/train-images-idx3-ubyte");
  EXPECT_THROW_WITH(data::vision::FashionMNIST((root / "nowhere").string()), FileError, "FashionMNIST");
  write_gzip(root / "train-labels-idx1-ubyte.gz", idx_bytes({2}, {7, 0}));
  EXPECT_THROW_WITH(data::vision::MNIST(root.string()), FileError, "train-labels-idx1-ubyte.gz", "for 3 images");
  write_gzip(root / "train-labels-idx1-ubyte.gz", idx_bytes({3}, {7, 0, 12}));
  EXPECT_THROW_WITH(data::vision::MNIST(root.string()), FileError, "label 12");
  write_gzip(root / "train-images-idx3-ubyte.gz", idx_bytes({3, 2, 3}, {1, 2, 3}));
  EXPECT_THROW_WITH(data::vision::MNIST(root.string()), FileError, "truncated", "3x2x3");
  write_plain(root / "train-images-idx3-ubyte.gz", "not an idx file at all");
  EXPECT_THROW_WITH(data::vision::MNIST(root.string()), FileError, "train-images-idx3-ubyte.gz", "magic");
}

TEST(Datasets, ArrayDatasetAndTransforms) {
  NDArray images = nd::array({0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 255}, {2, 2, 3, 1});
  EXPECT_THROW_WITH(data::ArrayDataset(images, nd::array({1, 2, 3})), ShapeError, "same length");
  auto set = std::make_shared<data::ArrayDataset>(images, nd::array({1, 0}));
  auto tensors = set->transform_first(std::make_shared<ToTensor>());
  data::Sample one = tensors->get(0);
  EXPECT_EQ(one.data.shape(), (Shape{1, 2, 3}));
  testing::expect_values(one.data, {0, 0.2f, 0.4f, 0.6f, 0.8f, 1});
  std::vector<size_t> both{0, 1};
  data::Sample batch = tensors->get_batch(both);
  EXPECT_EQ(batch.data.shape(), (Shape{2, 1, 2, 3}));
  testing::expect_values(nd::slice_axis(batch.data, 0, 0, 1), one.data.to_vector());
  // Three channels move to the front; Normalize works per channel, batched or not.
  NDArray rgb = nd::array({0, 255, 51, 102, 153, 204}, {1, 2, 3});
  NDArray chw = ToTensor()(rgb);
  EXPECT_EQ(chw.shape(), (Shape{3, 1, 2}));
  testing::expect_values(chw, {0, 0.4f, 1, 0.6f, 0.2f, 0.8f});
  Normalize normalize({0.5f, 0.f, 1.f}, {0.5f, 1.f, 2.f});
  testing::expect_values(normalize(chw), {-1, -0.2f, 1, 0.6f, -0.4f, -0.1f});
  testing::expect_values(normalize.batch(chw.reshape({1, 3, 1, 2})), normalize(chw).to_vector());
  EXPECT_THROW_WITH(Normalize({0.5f}, {0.f}), ValueError, "positive");
  EXPECT_THROW_WITH(Normalize({0.5f, 0.5f}, {1.f, 1.f})(chw), ShapeError, "2 means", "3 channels");
  data::ArrayDataset on_stack(images, nd::array({1, 0}));
  EXPECT_THROW_WITH(on_stack.transform_first(std::make_shared<ToTensor>()), ValueError, "std::shared_ptr");
}

std::shared_ptr<data::ArrayDataset> ten_items() {
  std::vector<float> v(10);
  for (int i = 0; i < 10; ++i) v[i] = static_cast<float>(i);
  return std::make_shared<data::ArrayDataset>(nd::array(v, {10, 1}), nd::array(v));
}

// The labels of each batch of one epoch.
std::vector<std::vector<float>> epoch(data::DataLoader& loader) {
  std::vector<std::vector<float>> batches;
  for (auto [X, y] : loader) {
    EXPECT_EQ(X.to_vector(), y.to_vector());
    batches.push_back(y.to_vector());
  }
  return batches;
}

TEST(DataLoader, BatchesInOrderWithEachLastBatchMode) {
  data::DataLoader keep(ten_items(), 4);
  EXPECT_EQ(keep.size(), 3u);
  EXPECT_EQ(epoch(keep), (std::vector<std::vector<float>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  EXPECT_EQ(epoch(keep).size(), 3u) << "a second epoch";
  data::DataLoader discard(ten_items(), 4, {.last_batch = data::LastBatch::Discard});
  EXPECT_EQ(epoch(discard), (std::vector<std::vector<float>>{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  data::DataLoader rollover(ten_items(), 4, {.last_batch = data::LastBatch::Rollover});
  EXPECT_EQ(epoch(rollover), (std::vector<std::vector<float>>{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  EXPECT_EQ(epoch(rollover), (std::vector<std::vector<float>>{{8, 9, 0, 1}, {2, 3, 4, 5}, {6, 7, 8, 9}}));
  EXPECT_THROW_WITH(data::DataLoader(ten_items(), 0), ValueError, "batch_size must be positive");
}

TEST(DataLoader, ShufflesEveryEpochReproduciblyOnPrefetchThreadsOrNot) {
  auto order = [](bool prefetch, uint64_t seed) {
    data::DataLoader loader(ten_items(), 3, {.shuffle = true, .seed = seed, .prefetch = prefetch});
    std::vector<std::vector<float>> epochs;
    for (int e = 0; e < 3; ++e) {
      std::vector<float> all;
      for (const auto& b : epoch(loader)) all.insert(all.end(), b.begin(), b.end());
      epochs.push_back(all);
    }
    return epochs;
  };
  auto first = order(true, 7);
  for (const auto& e : first) {
    std::vector<float> sorted = e;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << "each epoch is a permutation";
  }
  EXPECT_NE(first[0], first[1]) << "a new order each epoch";
  EXPECT_EQ(order(false, 7), first) << "the same seed gives the same orders, prefetched or not";
  EXPECT_NE(order(true, 8), first);
}

TEST(Metrics, AccuracyTopKAndLoss) {
  NDArray scores = nd::array({0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.2f, 0.3f, 0.5f}, {3, 3});
  metric::Accuracy acc;
  EXPECT_TRUE(std::isnan(acc.get().second));
  acc.update(nd::array({1, 0, 0}), scores);
  EXPECT_EQ(acc.get().first, "accuracy");
  EXPECT_NEAR(acc.get().second, 2.0 / 3, 1e-9);
  acc.update(nd::array({2}), nd::array({2}));  // class indices
  EXPECT_NEAR(acc.get().second, 3.0 / 4, 1e-9);
  acc.reset();
  EXPECT_TRUE(std::isnan(acc.get().second));
  metric::TopKAccuracy top2(2);
  top2.update(nd::array({2, 2, 1}), scores);  // in the top two, not, in
  EXPECT_NEAR(top2.get().second, 2.0 / 3, 1e-9);
  metric::Loss loss;
  loss.update(nd::array({1, 2, 3}));
  loss.update(nd::array({6}));
  EXPECT_NEAR(loss.get().second, 3.0, 1e-9);
  EXPECT_THROW_WITH(acc.update(nd::array({1, 0}), scores), ShapeError, "2 labels", "3 predictions");
  EXPECT_THROW_WITH(acc.update(nd::array({1, 0, 3}), scores), ValueError, "label 3", "[0, 3)");
  EXPECT_THROW_WITH(acc.update(nd::array({1, 0, 0.5f}), scores), ValueError, "label 0.5");
  EXPECT_THROW_WITH(metric::TopKAccuracy(0), ValueError, "k must be positive");
}

// Debian's dataset-fashion-mnist, which scripts/setup.sh installs.
TEST(FashionMNIST, ReadsTheInstalledDataset) {
  data::vision::FashionMNIST train, test(data::vision::kFashionMnistRoot, false);
  EXPECT_EQ(train.size(), 60000u);
  EXPECT_EQ(test.size(), 10000u);
  data::Sample s = train.get(0);
  EXPECT_EQ(s.data.shape(), (Shape{28, 28, 1}));
  std::set<float> classes;
  std::vector<size_t> first(1000);
  for (size_t i = 0; i < first.size(); ++i) first[i] = i;
  for (float c : train.get_batch(first).label.to_vector()) classes.insert(c);
  EXPECT_EQ(classes.size(), 10u);
  std::vector<float> pixels = s.data.to_vector();
  EXPECT_LE(*std::max_element(pixels.begin(), pixels.end()), 255.f);
}

}  // namespace
}  // namespace kiln
