#!/usr/bin/python3
"""Writes the good export in the current format (tests/data/good-symbol.mlir, good-0000.params)
from the format-1 export that export_mlp wrote (tests/data/format1), then the corpus of damaged
files (tests/data/damaged) from it. Each damaged file has one defect; tests/loaders_test.cc
expects the loader's error to name it. Kept for reproducibility: the files are committed, the
tests do not run this."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))
data_dir = os.path.join(here, "..")

FNV_BASIS = 14695981039346656037
FORMAT1_BASIS = 1469598103934665603  # format 1's checksum basis (a digit short of FNV's)

def fnv1a(data, basis=FNV_BASIS):
    h = basis
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h

# Format 1 -> 2: the version fields, and the checksum with FNV's own basis.
old_params = open(os.path.join(data_dir, "format1", "good-0000.params"), "rb").read()
assert struct.unpack_from("<Q", old_params, len(old_params) - 8)[0] == fnv1a(old_params[:-8], FORMAT1_BASIS)
old_body = old_params[:-8]
new_body = old_body[:8] + struct.pack("<II", 2, 0) + old_body[16:]
open(os.path.join(data_dir, "good-0000.params"), "wb").write(new_body + struct.pack("<Q", fnv1a(new_body)))
old_symbol = open(os.path.join(data_dir, "format1", "good-symbol.mlir")).read()
old_text = old_symbol[: old_symbol.rindex("// checksum ")]
assert old_text.startswith("// kiln-symbol 1.0\n")
new_text = "// kiln-symbol 2.0\n" + old_text[old_text.index("\n") + 1:]
open(os.path.join(data_dir, "good-symbol.mlir"), "w").write(new_text + "// checksum %016x\n" % fnv1a(new_text.encode()))

good_params = open(os.path.join(data_dir, "good-0000.params"), "rb").read()
good_symbol = open(os.path.join(data_dir, "good-symbol.mlir"), "r").read()

def reseal_params(body):  # body without the trailing checksum
    return body + struct.pack("<Q", fnv1a(body))

def reseal_symbol(text):  # text without the checksum line
    return text + "// checksum %016x\n" % fnv1a(text.encode())

def params_entries(data):
    count = struct.unpack_from("<Q", data, 16)[0]
    pos, entries = 24, []
    for _ in range(count):
        start = pos
        n = struct.unpack_from("<I", data, pos)[0]; pos += 4
        name = data[pos:pos + n].decode(); pos += n
        dtype, rank = struct.unpack_from("<II", data, pos); pos += 8
        dims = struct.unpack_from("<%dq" % rank, data, pos); pos += 8 * rank
        size = 4
        for d in dims: size *= d
        pos += size
        entries.append((name, start, pos, rank, dims))
    return entries

def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(here, name), mode) as f:
        f.write(data)

body = good_params[:-8]
entries = params_entries(good_params)
header = body[:16] + struct.pack("<Q", len(entries) - 1)

write("empty.params", b"")
write("truncated.params", good_params[: len(good_params) // 2])
write("bitflip.params", good_params[:300] + bytes([good_params[300] ^ 0x10]) + good_params[301:])
write("wrong_magic.params", b"NOTKILN!" + good_params[8:])
write("future_version.params", reseal_params(body[:8] + struct.pack("<II", 3, 0) + body[16:]))
write("huge_dimension.params", reseal_params(body[:entries[0][1] + 4 + len(entries[0][0]) + 8]
                                             + struct.pack("<q", 1 << 40) + body[entries[0][1] + 4 + len(entries[0][0]) + 16:]))
write("long_name.params", reseal_params(body[:entries[0][1]] + struct.pack("<I", 1 << 30) + body[entries[0][1] + 4:]))
# Well-formed files that do not fit good-symbol.mlir:
last = entries[-1]
write("missing_parameter.params", reseal_params(header + body[24:last[1]]))
extra = struct.pack("<I", 5) + b"extra" + struct.pack("<II", 0, 1) + struct.pack("<q", 1) + struct.pack("<f", 1.0)
write("extra_parameter.params", reseal_params(body[:16] + struct.pack("<Q", len(entries) + 1) + body[24:] + extra))
b = entries[-1]  # 1.bias, shape (10): write it as (11)
name_len = len(b[0])
dims_at = b[1] + 4 + name_len + 8
write("shape_mismatch.params", reseal_params(body[:dims_at] + struct.pack("<q", 11) + body[dims_at + 8:b[2]]
                                             + struct.pack("<f", 0.0) + body[b[2]:]))

text = good_symbol[: good_symbol.rindex("// checksum ")]
write("truncated-symbol.mlir", good_symbol[: len(good_symbol) // 2])
flip = good_symbol.index("kiln.relu")
write("bitflip-symbol.mlir", good_symbol[:flip] + "kiln.relv" + good_symbol[flip + 9:])
write("wrong_magic-symbol.mlir", "// not kiln 1.0\n" + good_symbol[good_symbol.index("\n") + 1:])
write("future_version-symbol.mlir", reseal_symbol("// kiln-symbol 3.0\n" + text[text.index("\n") + 1:]))
write("unknown_op-symbol.mlir", reseal_symbol(text.replace("kiln.relu", "kiln.frobnicate")))
write("foreign_op-symbol.mlir", reseal_symbol(text.replace(
    "%1 = kiln.relu %0 : tensor<2x256xf32> -> tensor<2x256xf32>",
    "%1 = tensor.empty() : tensor<2x256xf32>")))
write("unnamed_argument-symbol.mlir", reseal_symbol(text.replace('{kiln.name = "data"}', "")))
write("newer_minor-symbol.mlir", reseal_symbol("// kiln-symbol 2.7\n" + text[text.index("\n") + 1:]))

# Shapes that do not fit: each tensor type's element count must fit in 64 bits and stay within
# the per-tensor bound (ir::kMaxTensorElements), wherever the type stands.
def retype(old, new, count=-1):  # every use of a value must keep one type, so all by default
    assert old in text, old
    return reseal_symbol(text.replace(old, new, count))
wrapping = "tensor<4294967296x4294967296x2x20xf32>"  # 2^65 elements wrap to 0 in 64 bits
write("wrapping_result-symbol.mlir", retype("-> tensor<2x10xf32>\n    return %2 : tensor<2x10xf32>",
                                            "-> %s\n    return %%2 : %s" % (wrapping, wrapping)))
write("overflowing_argument-symbol.mlir", retype("tensor<2x20xf32>", "tensor<9223372036854775807x2xf32>"))
write("too_many_elements-symbol.mlir", retype("tensor<2x20xf32>", "tensor<4294967297xf32>"))
write("overflowing_function_type-symbol.mlir", retype(") -> tensor<2x10xf32> attributes",
                                                      ") -> tensor<4294967296x4294967296xf32> attributes"))
write("negative_dimension-symbol.mlir", retype("%arg0: tensor<2x20xf32>", "%arg0: tensor<-2x20xf32>"))
