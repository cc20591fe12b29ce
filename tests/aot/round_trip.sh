#!/bin/sh
# AOT round trip: export_mlp exports the seed MLP, kiln-compile builds libmlp.so (host CPU, and
# x86-64-v3 with the parameters embedded), aot_mlp runs it with no kiln library linked; the
# outputs must match export_mlp's within 1e-5, and neither aot_mlp nor the library may load LLVM
# or MLIR.
set -eu
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

same() {  # two output files, number by number
  paste -d' ' "$1" "$2" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) { d = $i - $(i + n); if (d < 0) d = -d;
    if (d > 1e-5) { print "differs: " $i " vs " $(i + n); exit 1 } } }'
  [ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] && [ -s "$1" ]
}

"$bin/export_mlp" "$dir" > "$dir/exported.txt"
"$bin/kiln-compile" "$dir/mlp-symbol.mlir" -o "$dir" > /dev/null
"$bin/aot_mlp" "$dir" > "$dir/aot.txt"
same "$dir/exported.txt" "$dir/aot.txt"

if ldd "$dir/libmlp.so" "$bin/aot_mlp" | grep -Ei 'llvm|mlir'; then
  echo "an AOT artifact loads LLVM or MLIR"; exit 1
fi

"$bin/kiln-compile" "$dir/mlp-symbol.mlir" -o "$dir/portable" --cpu x86-64-v3 --embed-params "$dir/mlp-0000.params" > /dev/null
"$bin/aot_mlp" "$dir/portable" --embedded > "$dir/portable.txt"
same "$dir/exported.txt" "$dir/portable.txt"
echo "aot round trip: outputs match, no LLVM/MLIR loaded"
