import * as tf from "@tensorflow/tfjs-core";
import { heapMatMul, heapOffset, type WasmBackend } from "./wasm-heap.ts";
import { setWasmKernel } from "./wasm-register.ts";

/** The custom kernel's name (wasm backend only; see `installWasmPackedMatMul`). */
export const PACKED_MATMUL = "HpoPackedMatMul";

interface PackedMatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  attrs: { k: number; m: number; s: number; n: number };
  backend: WasmBackend;
}

let installed = false;

/**
 * Registers `HpoPackedMatMul` on the wasm backend: a [K, m, s] · b [K, s, n] → [K, m, n], model by
 * model, each a batch-of-one untransposed product through tfjs's own `BatchMatMul` wasm function
 * (XNNPACK). Where `tf.split` + K `tf.matMul` + `tf.concat` copy both operands into K new tensors
 * and the K results into one, this kernel registers *views* — tensor ids over the operands' and
 * the output's heap memory at model k's offset — so nothing is copied and a product is one tfjs
 * op instead of 2K + 2. The views are disposed right after each product, which also drops the
 * XNNPACK operator tfjs caches per right operand (its packed weights: they change every step).
 * Same arithmetic as the split path, so the same results to the bit. Idempotent; returns false
 * when the wasm backend is not registered.
 */
export function installWasmPackedMatMul(): boolean {
  if (installed) return true;
  if (!tf.findBackendFactory("wasm") || !tf.getKernel("BatchMatMul", "wasm")) return false;
  installed = true;
  const kernelFunc = ({ inputs, attrs, backend }: PackedMatMulArgs): tf.TensorInfo => {
    const { a, b } = inputs;
    const { k: K, m, s, n } = attrs;
    if (a.dtype !== "float32" || b.dtype !== "float32") throw new Error(`${PACKED_MATMUL}: float32 operands only`);
    const out = backend.makeOutput([K, m, n], "float32");
    // Offsets are read after makeOutput: allocating may grow (and move views of) the heap, never tensors.
    const aBase = heapOffset(backend, a);
    const bBase = heapOffset(backend, b);
    const oBase = heapOffset(backend, out);
    for (let k = 0; k < K; k++)
      heapMatMul(backend, aBase + 4 * k * m * s, bBase + 4 * k * s * n, oBase + 4 * k * m * n, m, s, n);
    return out;
  };
  setWasmKernel(PACKED_MATMUL, kernelFunc);
  return true;
}

/**
 * a [K, m, s] · b [K, s, n] → [K, m, n] by `HpoPackedMatMul` (wasm backend, after
 * `installWasmPackedMatMul`). No gradient: for hand-derived gradients (manual-grads.ts).
 */
export function wasmPackedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [K, m, s] = a.shape;
  const [Kb, sb, n] = b.shape;
  if (K !== Kb || s !== sb) throw new Error(`${PACKED_MATMUL}: shapes [${a.shape}] and [${b.shape}] do not multiply`);
  return tf.engine().runKernel(
    PACKED_MATMUL,
    { a, b } as unknown as tf.NamedTensorMap,
    {
      k: K,
      m,
      s,
      n,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor3D;
}
