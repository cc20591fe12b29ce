// Safe loading (docs/export.md): every file of the damaged corpus (tests/data/damaged, made by
// make_corpus.py from the good export beside it) gives an error naming the file and its problem.
#include <string>

#include "frontend/kiln.h"
#include "ir/program.h"
#include "runtime/file_io.h"
#include "runtime/params_file.h"
#include "tests/test_util.h"

namespace kiln {
namespace {

std::string data(const std::string& name) { return std::string(KILN_TEST_DATA_DIR) + "/" + name; }
std::string damaged(const std::string& name) { return data("damaged/" + name); }

// Each {file, problem...}: `load(file)` throws an Error of type E naming the file and each problem.
using Case = std::vector<std::string>;
template <class E, class Load>
void expect_each(const std::vector<Case>& cases, Load load) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c[0]);
    try {
      load(c[0].c_str());
      ADD_FAILURE() << "expected an error from " << c[0];
    } catch (const E& e) {
      for (const std::string& part : c)
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "message \"" << e.what() << "\" lacks \"" << part << "\"";
    }
  }
}

TEST(Loaders, TheGoodExportLoads) {
  auto block = nn::SymbolBlock::imports(data("good-symbol.mlir"), {"data"}, data("good-0000.params"));
  EXPECT_EQ((*block)(nd::zeros({2, 20})).shape(), (Shape{2, 10}));
}

TEST(Loaders, DamagedParameterFilesNameTheProblem) {
  expect_each<FileError>({{"empty.params", "is truncated: 0 bytes"},
                          {"truncated.params", "checksum mismatch"},
                          {"bitflip.params", "checksum mismatch"},
                          {"wrong_magic.params", "wrong magic bytes"},
                          {"future_version.params", "format version 3.0; this kiln reads 1.x to 2.x"},
                          {"huge_dimension.params", "bad dimension 1099511627776"},
                          {"long_name.params", "has a name of 1073741824 bytes"}},
                         [](const char* file) { return params_file::read(damaged(file)); });
}

TEST(Loaders, DamagedSymbolFilesNameTheProblem) {
  std::vector<Case> cases = {{"truncated-symbol.mlir", "is truncated (its checksum line is missing)"},
                {"bitflip-symbol.mlir", "checksum mismatch"},
                {"wrong_magic-symbol.mlir", "is not a kiln symbol file"},
                {"future_version-symbol.mlir", "format version 3.0; this kiln reads 1.x to 2.x"},
                {"unknown_op-symbol.mlir", "custom op 'kiln.frobnicate' is unknown"},
                {"foreign_op-symbol.mlir", "does not parse as a kiln graph"},
                {"unnamed_argument-symbol.mlir", "argument 0 has no kiln.name"},
                {"wrapping_result-symbol.mlir", "4294967296x4294967296x2x20", "does not fit in 64 bits"},
                {"overflowing_argument-symbol.mlir", "9223372036854775807x2", "does not fit in 64 bits"},
                {"too_many_elements-symbol.mlir", "4294967297 elements; at most 4294967296"},
                {"overflowing_function_type-symbol.mlir", "4294967296x4294967296", "does not fit in 64 bits"},
                {"negative_dimension-symbol.mlir", "does not parse"}};
  expect_each<FileError>(cases, [](const char* file) { return ir::read_program(file_io::read(damaged(file), "test"), damaged(file)); });
  expect_each<FileError>(cases, [](const char* file) {
    return nn::SymbolBlock::imports(damaged(file), {"data"}, data("good-0000.params"));
  });
}

TEST(Loaders, FormatOneFilesStillLoad) {
  // Format 1 sealed its checksums with another FNV offset basis; format 2 readers accept both.
  std::pair<uint32_t, uint32_t> version;
  params_file::decode(file_io::read(data("format1/good-0000.params"), "test"), "format1", &version);
  EXPECT_EQ(version, (std::pair<uint32_t, uint32_t>{1, 0}));
  auto block = nn::SymbolBlock::imports(data("format1/good-symbol.mlir"), {"data"}, data("format1/good-0000.params"));
  auto current = nn::SymbolBlock::imports(data("good-symbol.mlir"), {"data"}, data("good-0000.params"));
  NDArray x = nd::random::uniform({2, 20});
  testing::expect_close((*block)(x), (*current)(x), 0.f, 0.f);
}

TEST(Loaders, WritersUseTheCurrentFormatAndStandardFnv1a) {
  EXPECT_EQ(file_io::fnv1a("", 0), 14695981039346656037ull);  // FNV-1a's offset basis
  EXPECT_EQ(file_io::fnv1a("a", 1), 0xaf63dc4c8601ec8cull);   // FNV's published test vector
  std::string bytes = params_file::encode({{"w", Array::zeros({2})}});
  std::pair<uint32_t, uint32_t> version;
  params_file::decode(bytes, "encoded", &version);
  EXPECT_EQ(version, (std::pair<uint32_t, uint32_t>{params_file::kVersionMajor, params_file::kVersionMinor}));
  EXPECT_EQ(params_file::kVersionMajor, 2u);
}

TEST(Loaders, ANewerMinorVersionLoads) {
  // The version rule: minor versions only add what older readers may ignore.
  auto block = nn::SymbolBlock::imports(damaged("newer_minor-symbol.mlir"), {"data"}, data("good-0000.params"));
  EXPECT_EQ((*block)(nd::zeros({2, 20})).shape(), (Shape{2, 10}));
}

TEST(Loaders, ParametersThatDoNotFitTheGraphAreNamed) {
  expect_each<FileError>({{"missing_parameter.params", "lacks parameter '1.bias'"},
                          {"extra_parameter.params", "has parameter 'extra'"},
                          {"shape_mismatch.params", "parameter '1.bias' of shape 11 where", "good-symbol.mlir' takes 10 (shape mismatch)"}},
                         [](const char* file) { return nn::SymbolBlock::imports(data("good-symbol.mlir"), {"data"}, damaged(file)); });
  EXPECT_THROW_WITH(nn::SymbolBlock::imports(data("good-symbol.mlir"), {"x"}, data("good-0000.params")), ValueError,
                    "takes inputs (data)");
}

}  // namespace
}  // namespace kiln
