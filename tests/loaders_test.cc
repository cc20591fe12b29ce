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

// Each (file, problem): `load(file)` throws an Error of type E naming the file and the problem.
template <class E, class Load>
void expect_each(std::initializer_list<std::pair<const char*, const char*>> cases, Load load) {
  for (auto [file, problem] : cases) {
    SCOPED_TRACE(file);
    EXPECT_THROW_WITH(load(file), E, file, problem);
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
                          {"future_version.params", "format version 2.0; this kiln reads 1.x"},
                          {"huge_dimension.params", "bad dimension 1099511627776"},
                          {"long_name.params", "has a name of 1073741824 bytes"}},
                         [](const char* file) { return params_file::read(damaged(file)); });
}

TEST(Loaders, DamagedSymbolFilesNameTheProblem) {
  auto cases = {std::pair<const char*, const char*>{"truncated-symbol.mlir", "is truncated (its checksum line is missing)"},
                {"bitflip-symbol.mlir", "checksum mismatch"},
                {"wrong_magic-symbol.mlir", "is not a kiln symbol file"},
                {"future_version-symbol.mlir", "format version 2.0; this kiln reads 1.x"},
                {"unknown_op-symbol.mlir", "custom op 'kiln.frobnicate' is unknown"},
                {"foreign_op-symbol.mlir", "does not parse as a kiln graph"},
                {"unnamed_argument-symbol.mlir", "argument 0 has no kiln.name"}};
  expect_each<FileError>(cases, [](const char* file) { return ir::read_program(file_io::read(damaged(file), "test"), damaged(file)); });
  expect_each<FileError>(cases, [](const char* file) {
    return nn::SymbolBlock::imports(damaged(file), {"data"}, data("good-0000.params"));
  });
}

TEST(Loaders, ANewerMinorVersionLoads) {
  // The version rule: minor versions only add what older readers may ignore.
  auto block = nn::SymbolBlock::imports(damaged("newer_minor-symbol.mlir"), {"data"}, data("good-0000.params"));
  EXPECT_EQ((*block)(nd::zeros({2, 20})).shape(), (Shape{2, 10}));
}

TEST(Loaders, ParametersThatDoNotFitTheGraphAreNamed) {
  expect_each<FileError>({{"missing_parameter.params", "lacks parameter '1.bias'"},
                          {"extra_parameter.params", "has parameter 'extra'"},
                          {"shape_mismatch.params", "parameter '1.bias' of shape 11 where the graph takes 10 (shape mismatch)"}},
                         [](const char* file) { return nn::SymbolBlock::imports(data("good-symbol.mlir"), {"data"}, damaged(file)); });
  EXPECT_THROW_WITH(nn::SymbolBlock::imports(data("good-symbol.mlir"), {"x"}, data("good-0000.params")), ValueError,
                    "takes inputs (data)");
}

}  // namespace
}  // namespace kiln
