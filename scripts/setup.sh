#!/usr/bin/env bash
# Sets up kiln on Debian 12: installs every package the project needs, configures and builds.
# Idempotent: a second run with nothing changed only re-checks packages and lets Ninja/ccache
# confirm that the build is current.
#   scripts/setup.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

packages=(
  build-essential cmake ninja-build ccache pkg-config
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools   # MLIR/LLVM 19 (pinned, see docs)
  libdnnl-dev ocl-icd-opencl-dev                           # oneDNN 2.6; its CMake config needs OpenCL
  libgtest-dev libgmock-dev libbenchmark-dev               # tests and benchmarks
  clang-19 libclang-rt-19-dev                              # libFuzzer for the loaders (scripts/fuzz.sh)
  zlib1g-dev libzstd-dev                                   # LLVM's CMake config; zlib reads gzip datasets
  dataset-fashion-mnist                                    # Fashion-MNIST, for the d2l training recipe
  pybind11-dev python3-dev python3-numpy python3-pytest    # the Python package (python/) and its tests
)
source "$root/scripts/install_packages.sh"
install_packages setup "${packages[@]}"

# ccache keeps its cache in $HOME, so a fresh clone in another folder still hits it.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$build"
echo "setup: kiln is built in $build (executables in $build/bin)"
