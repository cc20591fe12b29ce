#!/usr/bin/env bash
# Fuzzes kiln's file loaders with libFuzzer (clang-19): the .params loader and the symbol-file
# loader, each seeded with the committed corpus (tests/data).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]     (default 60 s, build)
# The loaders' own sources are compiled with coverage instrumentation and AddressSanitizer; the
# rest of kiln comes from the build's libraries.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${2:-$root/build}
out=$build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address -I"$root" -I"$build")

clang++-19 "${flags[@]}" "$root/tests/fuzz/params_fuzzer.cc" "$root/runtime/params_file.cc" "$root/runtime/file_io.cc" \
  -L"$build/lib" -lkiln_rt -Wl,-rpath,"$build/lib" -o "$out/params_fuzzer"

mlir_flags=(-isystem /usr/lib/llvm-19/include -D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_FORMAT_MACROS
            -D__STDC_LIMIT_MACROS -fno-rtti)
clang++-19 "${flags[@]}" "${mlir_flags[@]}" -c "$root/ir/program.cpp" -o "$out/program.o"
clang++-19 "${flags[@]}" -c "$root/tests/fuzz/symbol_fuzzer.cc" -o "$out/symbol_fuzzer.o"
clang++-19 -fsanitize=fuzzer,address "$out/symbol_fuzzer.o" "$out/program.o" "$build/lib/libkiln_ir.a" \
  "$build/lib/libkiln_runtime.a" -L/usr/lib/llvm-19/lib -lMLIR -lLLVM -ldnnl -lgomp -Wl,-rpath,/usr/lib/llvm-19/lib \
  -o "$out/symbol_fuzzer"

for target in params symbol; do
  corpus=$out/corpus-$target
  mkdir -p "$corpus"
  cp "$root"/tests/data/*.params "$root"/tests/data/*.mlir "$root"/tests/data/damaged/*.params \
     "$root"/tests/data/damaged/*.mlir "$corpus"/ 2>/dev/null || true
  echo "fuzz: $target loader for $seconds s"
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")  # tokens of shapes and ops
  "$out/${target}_fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 "${dict[@]}" "$corpus"
done
echo "fuzz: no crash"
