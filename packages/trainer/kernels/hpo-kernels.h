/*
 * Shared by hpo's C kernels for the wasm backend (built into hpo-kernels.wasm by
 * tools/build-kernels.ts). The module imports the wasm backend's own memory: every pointer is a
 * byte offset into tfjs's heap, and a kernel writes only where its caller says (outputs and scratch
 * tensors the caller allocated through tfjs). No static data, no libc.
 */
#ifndef HPO_KERNELS_H
#define HPO_KERNELS_H
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

#endif
