# Third-party packages, all from Debian 12 (see scripts/setup.sh and docs/architecture.md).

find_package(dnnl CONFIG REQUIRED)          # oneDNN 2.6 -> DNNL::dnnl
find_package(OpenMP REQUIRED COMPONENTS CXX)  # oneDNN's threading; kiln sets its thread count
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(ZLIB REQUIRED)                   # gzip-compressed IDX files (gluon::data::vision)

# LLVM/MLIR 19 are pinned: the 22 packages conflict and change the C++ API.
find_package(MLIR REQUIRED CONFIG PATHS /usr/lib/llvm-19/lib/cmake/mlir NO_DEFAULT_PATH)
list(APPEND CMAKE_MODULE_PATH ${MLIR_CMAKE_DIR} ${LLVM_CMAKE_DIR})
include(TableGen)
include(AddLLVM)
include(AddMLIR)
# Not HandleLLVMOptions: it would force -fno-exceptions on the whole project.

# MLIR users link this interface target: headers as SYSTEM (their warnings are not ours) and
# Debian's shared libMLIR/libLLVM, which link faster than the static archives.
add_library(kiln_mlir_deps INTERFACE)
target_include_directories(kiln_mlir_deps SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
separate_arguments(KILN_LLVM_DEFINITIONS NATIVE_COMMAND "${LLVM_DEFINITIONS}")
target_compile_definitions(kiln_mlir_deps INTERFACE ${KILN_LLVM_DEFINITIONS})
target_link_libraries(kiln_mlir_deps INTERFACE MLIR LLVM)

message(STATUS "kiln: MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}, oneDNN ${dnnl_VERSION}")
