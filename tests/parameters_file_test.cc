// save_parameters / load_parameters: round trip, and every damaged or mismatched file.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/params_file.h"
#include "test_util.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using testing::expect_close;

class ParamsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln_params_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    nd::random::seed(5);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::shared_ptr<nn::Sequential> make_net(int64_t hidden = 8) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(nn::Dense(hidden, "relu", true, 4), nn::Dense(3, "", true, hidden));
    net->initialize(init::Normal(1.f));
    return net;
  }
  std::string saved_file() {
    std::string p = path("net.params");
    make_net()->save_parameters(p);
    return p;
  }
  static std::string read_bytes(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write_bytes(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  }
  // The load must fail and leave `net`'s parameters as they were.
  static void expect_untouched(nn::Block& net, const std::vector<NDArray>& before) {
    size_t i = 0;
    for (const auto& [name, p] : net.collect_params()) expect_close(p->data(), before[i++], 0, 0);
  }
  static std::vector<NDArray> snapshot(nn::Block& net) {
    std::vector<NDArray> out;
    for (const auto& [name, p] : net.collect_params()) out.push_back(p->data().copy());
    return out;
  }

  fs::path dir_;
};

TEST_F(ParamsFile, RoundTripRestoresEveryValue) {
  auto a = make_net(), b = make_net();
  std::string p = path("rt.params");
  a->save_parameters(p);
  b->load_parameters(p);
  NDArray x = nd::random::uniform({2, 4});
  expect_close((*a)(x), (*b)(x), 0, 0);
  // Deferred-shape parameters are created by the load.
  nn::Sequential fresh;
  fresh.add(nn::Dense(8, "relu"), nn::Dense(3));
  fresh.load_parameters(p);
  expect_close(fresh(x), (*a)(x), 0, 0);
  EXPECT_FALSE(fs::exists(p + ".tmp." + std::to_string(::getpid())));
}

TEST_F(ParamsFile, MissingFile) {
  auto net = make_net();
  EXPECT_THROW_WITH(net->load_parameters(path("nope.params")), FileError, "nope.params", "cannot open");
}

TEST_F(ParamsFile, ADirectoryIsAFileErrorNotAStreamFailure) {
  auto net = make_net();
  fs::create_directory(path("dir.params"));
  EXPECT_THROW_WITH(net->load_parameters(path("dir.params")), FileError, "dir.params", "is a directory");
  EXPECT_THROW_WITH(nn::SymbolBlock::imports(path("dir.params"), {"data"}, path("dir.params")), FileError,
                    "is a directory");
  EXPECT_THROW_WITH(net->save_parameters(path("dir.params")), FileError, "dir.params");
}

TEST_F(ParamsFile, TruncatedFile) {
  std::string p = saved_file(), bytes = read_bytes(p);
  auto net = make_net();
  auto before = snapshot(*net);
  for (size_t keep : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    write_bytes(p, bytes.substr(0, keep));
    EXPECT_THROW_WITH(net->load_parameters(p), FileError, "net.params");
  }
  write_bytes(p, bytes.substr(0, 5));
  EXPECT_THROW_WITH(net->load_parameters(p), FileError, "truncated");
  expect_untouched(*net, before);
}

TEST_F(ParamsFile, BitFlipIsCaughtByTheChecksum) {
  std::string p = saved_file(), bytes = read_bytes(p);
  auto net = make_net();
  auto before = snapshot(*net);
  for (size_t at : {size_t{30}, bytes.size() / 2, bytes.size() - 20}) {
    std::string damaged = bytes;
    damaged[at] ^= 0x10;
    write_bytes(p, damaged);
    EXPECT_THROW_WITH(net->load_parameters(p), FileError, "corrupted", "checksum");
  }
  expect_untouched(*net, before);
}

TEST_F(ParamsFile, WrongMagicAndFutureVersion) {
  std::string p = saved_file(), bytes = read_bytes(p);
  auto net = make_net();
  std::string wrong = bytes;
  wrong[0] = 'X';
  write_bytes(p, wrong);
  EXPECT_THROW_WITH(net->load_parameters(p), FileError, "not a kiln parameters file");
  std::string future = bytes;
  future[8] = 3;  // major version 3
  write_bytes(p, future);
  EXPECT_THROW_WITH(net->load_parameters(p), FileError, "version 3.0", "reads 1.x to 2.x");
}

// A file that passes the checksum but lies about its contents is still caught by the bounds.
TEST_F(ParamsFile, ValidChecksumOverMalformedContents) {
  std::string p = saved_file(), bytes = read_bytes(p);
  std::string body = bytes.substr(0, bytes.size() - 8);
  body[16] = 99;  // entry count 99
  uint64_t sum = params_file::checksum(body.data(), body.size());
  write_bytes(p, body + std::string(reinterpret_cast<const char*>(&sum), 8));
  auto net = make_net();
  EXPECT_THROW_WITH(net->load_parameters(p), FileError, "truncated or malformed");
}

TEST_F(ParamsFile, MissingExtraAndMismatchedParametersAreListed) {
  std::string p = saved_file();
  auto before_of = [](nn::Block& n) { return snapshot(n); };

  nn::Sequential bigger;  // one more layer: its parameters are missing from the file
  bigger.add(nn::Dense(8, "relu", true, 4), nn::Dense(3, "", true, 8), nn::Dense(2, "", true, 3));
  bigger.initialize();
  auto before = before_of(bigger);
  EXPECT_THROW_WITH(bigger.load_parameters(p), FileError, "missing from the file: 2.weight, 2.bias",
                    "no parameter was changed");
  expect_untouched(bigger, before);
  bigger.load_parameters(p, /*allow_missing=*/true);
  expect_close(bigger.collect_params()["2.weight"].data(), before[4], 0, 0);

  nn::Sequential smaller;
  smaller.add(nn::Dense(8, "relu", true, 4));
  smaller.initialize();
  before = before_of(smaller);
  EXPECT_THROW_WITH(smaller.load_parameters(p), FileError, "in the file but not in the block: 1.weight, 1.bias");
  expect_untouched(smaller, before);
  smaller.load_parameters(p, false, /*ignore_extra=*/true);

  auto wider = make_net(16);
  before = before_of(*wider);
  EXPECT_THROW_WITH(wider->load_parameters(p), FileError, "shape mismatch", "0.weight (file 8x4, block 16x4)");
  expect_untouched(*wider, before);
}

TEST_F(ParamsFile, FailedSaveLeavesTheOldFile) {
  std::string p = saved_file();
  std::string bytes = read_bytes(p);
  nn::Dense uninitialised(3);
  EXPECT_THROW(uninitialised.save_parameters(p), InitError);
  EXPECT_EQ(read_bytes(p), bytes);
  EXPECT_THROW_WITH(make_net()->save_parameters(path("no/such/dir/x.params")), FileError, "cannot write");
}

}  // namespace
}  // namespace kiln
