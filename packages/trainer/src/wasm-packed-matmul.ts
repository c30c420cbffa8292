import * as tf from "@tensorflow/tfjs-core";
import { cKernels } from "./c-kernels.ts";
import { heapOffset, type WasmBackend } from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";

/** The custom kernel's name (wasm backend only; see `installWasmPackedMatMul`). */
export const PACKED_MATMUL = "HpoPackedMatMul";

interface PackedMatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: { k: number; m: number; s: number; n: number; transposeA: boolean };
  backend: WasmBackend;
}

let installed = false;

/**
 * Registers `HpoPackedMatMul` on the wasm backend: a [K, m, s] · b [K, s, n] → [K, m, n], model by
 * model, each through hpo's C product (kernels/matmul.c) on the operands where they lie in the
 * heap; with `transposeA`, a is stored [K, s, m] and read transposed (the weight gradient xᵀ·dy
 * without transposing x first). Where `tf.split` + K `tf.matMul` + `tf.concat` copy both operands
 * into K new tensors and the K results into one, this is one tfjs op and copies nothing; and where
 * tfjs's `BatchMatMul` (XNNPACK) packs b anew at every call (it changes every step), the C product
 * reads it as it is: about 2.4× faster on the LeNet dense layer's products. It sums over s in
 * order as XNNPACK's does (the same floats, measured). Idempotent; returns false when the wasm
 * backend is not registered.
 */
export function installWasmPackedMatMul(): boolean {
  if (installed) return true;
  if (!tf.findBackendFactory("wasm") || !tf.getKernel("BatchMatMul", "wasm")) return false;
  installed = true;
  const kernelFunc = ({ inputs, attrs, backend }: PackedMatMulArgs): tf.TensorInfo => {
    const { a, b } = inputs;
    const { k: K, m, s, n, transposeA } = attrs;
    if (a.dtype !== "float32" || b.dtype !== "float32") throw new Error(`${PACKED_MATMUL}: float32 operands only`);
    const out = backend.makeOutput([K, m, n], "float32");
    // Offsets are read after makeOutput: allocating may grow (and move views of) the heap, never tensors.
    const aBase = heapOffset(backend, a);
    const bBase = heapOffset(backend, b);
    const oBase = heapOffset(backend, out);
    const { matmul } = cKernels(backend);
    for (let k = 0; k < K; k++) {
      const ak = aBase + 4 * k * m * s;
      const [rowStride, kStride] = transposeA ? [1, m] : [s, 1];
      matmul(ak, rowStride, kStride, bBase + 4 * k * s * n, oBase + 4 * k * m * n, m, s, n);
    }
    return out;
  };
  setWasmKernel(PACKED_MATMUL, kernelFunc);
  return true;
}

/**
 * a [K, m, s] · b [K, s, n] → [K, m, n] by `HpoPackedMatMul` (wasm backend, after
 * `installWasmPackedMatMul`); with `transposeA`, aᵀ · b for a [K, s, m]. No gradient: for
 * hand-derived gradients (manual-grads.ts, packed-matmul.ts).
 */
export function wasmPackedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false): tf.Tensor3D {
  const [K, ...rest] = a.shape;
  const [m, s] = transposeA ? [rest[1], rest[0]] : rest;
  const [Kb, sb, n] = b.shape;
  if (K !== Kb || s !== sb)
    throw new Error(
      `${PACKED_MATMUL}: shapes [${a.shape}]${transposeA ? " (transposed)" : ""} and [${b.shape}] do not multiply`,
    );
  return tf.engine().runKernel(
    PACKED_MATMUL,
    { a, b } as unknown as tf.NamedTensorMap,
    {
      k: K,
      m,
      s,
      n,
      transposeA,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor3D;
}
