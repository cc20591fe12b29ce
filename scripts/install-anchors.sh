#!/usr/bin/env bash
# Installs what the comparison baselines in ../shared/anchors need (PyTorch, LibTorch, OpenBLAS,
# Fashion-MNIST). Only for measuring: the build and the tests never need these. Without
# libopenblas0-openmp, Debian's torch multiplies with the reference BLAS and PyTorch's figures
# come out ~2× slower than they are (docs/performance.md, 2026-12-03).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/install_packages.sh"
packages=(python3-torch libtorch-dev libopenblas0-openmp dataset-fashion-mnist)
install_packages install-anchors "${packages[@]}"
echo "install-anchors: ${packages[*]} present"
