#!/usr/bin/python3
"""Writes the corpus of damaged export files (tests/data/damaged) from the good export in
tests/data (good-symbol.mlir, good-0000.params, as export_mlp writes them). Each file has one
defect; tests/loaders_test.cc expects the loader's error to name it. Kept for reproducibility:
the files are committed, the tests do not run this."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))
good_params = open(os.path.join(here, "..", "good-0000.params"), "rb").read()
good_symbol = open(os.path.join(here, "..", "good-symbol.mlir"), "r").read()

def fnv1a(data):
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h

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
write("future_version.params", reseal_params(body[:8] + struct.pack("<II", 2, 0) + body[16:]))
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
write("future_version-symbol.mlir", reseal_symbol("// kiln-symbol 2.0\n" + text[text.index("\n") + 1:]))
write("unknown_op-symbol.mlir", reseal_symbol(text.replace("kiln.relu", "kiln.frobnicate")))
write("foreign_op-symbol.mlir", reseal_symbol(text.replace(
    "%1 = kiln.relu %0 : tensor<2x256xf32> -> tensor<2x256xf32>",
    "%1 = tensor.empty() : tensor<2x256xf32>")))
write("unnamed_argument-symbol.mlir", reseal_symbol(text.replace('{kiln.name = "data"}', "")))
write("newer_minor-symbol.mlir", reseal_symbol("// kiln-symbol 1.7\n" + text[text.index("\n") + 1:]))
