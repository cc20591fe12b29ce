// What an AOT model library (codegen/aot_compiler.h) needs from kiln's runtime besides the
// compiled graphs' C ABI (runtime/c_abi.h): loading its parameters. Plain C, so the generated C
// source declares these itself and needs no kiln header to compile.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Loads `count` named parameters from a .params file — `path`, or when `path` is null the file's
// `size` bytes at `bytes` (parameters embedded in the library) — into new 64-byte aligned
// buffers `out[i]` (free each with kiln_rt_free). The file must hold exactly these names with
// these shapes. Returns 0, or -1 with a message naming the file and the problem in `error`.
int kiln_aot_load_parameters(const char* path, const void* bytes, size_t size, int count, const char* const* names,
                             const int* ranks, const int64_t* const* shapes, float** out, char* error,
                             size_t error_size);

#ifdef __cplusplus
}
#endif
