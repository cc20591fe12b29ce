#!/bin/sh
# Installs the build in $1 into a fresh prefix, checks that no installed header includes MLIR or
# LLVM, then builds tests/install (find_package(kiln), kiln::kiln) out of tree and runs it.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/kiln/frontend/kiln.h"
test -f "$work/prefix/lib/cmake/kiln/kilnConfig.cmake"
if grep -rlE '#include [<"](mlir|llvm)/' "$work/prefix/include"; then
  echo "installed headers include MLIR or LLVM (above)" >&2
  exit 1
fi
generator=
command -v ninja >/dev/null && generator="-G Ninja"
cmake -S "$here" -B "$work/build" $generator -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
KILN_CACHE_DIR=off "$work/build/app"
