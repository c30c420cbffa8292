import * as tf from "@tensorflow/tfjs-core";
import { PACKED_MATMUL, wasmPackedMatMul } from "./wasm-packed-matmul.ts";

function splitBatch(t: tf.Tensor3D): tf.Tensor3D[] {
  const k = t.shape[0];
  return k === 1 ? [t] : (tf.split(t, k, 0) as tf.Tensor3D[]);
}

function joinBatch(parts: readonly tf.Tensor3D[]): tf.Tensor3D {
  return parts.length === 1 ? (parts[0] as tf.Tensor3D) : (tf.concat([...parts], 0) as tf.Tensor3D);
}

const packedKernel = () => tf.getKernel(PACKED_MATMUL, tf.getBackend()) !== undefined;

/**
 * x [K, n, a] · w [K, a, b] → [K, n, b], one batch-of-one product per model: one copy-free
 * `HpoPackedMatMul` op on wasm once `installWasmPackedMatMul` ran, else split + K matMul + concat.
 */
export function perModelMatMul(x: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
  if (packedKernel()) return wasmPackedMatMul(x, w);
  const xs = splitBatch(x);
  const ws = splitBatch(w);
  return joinBatch(xs.map((xk, k) => tf.matMul(xk, ws[k] as tf.Tensor3D)));
}

function make(inputGrad: boolean): (x: tf.Tensor3D, w: tf.Tensor3D) => tf.Tensor3D {
  return tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const x3 = x as tf.Tensor3D;
    const w3 = w as tf.Tensor3D;
    save([x3, w3]);
    return {
      value: perModelMatMul(x3, w3),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor3D, tf.Tensor3D];
        const dy3 = dy as tf.Tensor3D;
        // xᵀ · dy: read transposed by the wasm kernel, else transposed first
        const dw = packedKernel() ? wasmPackedMatMul(xs, dy3, true) : perModelMatMul(tf.transpose(xs, [0, 2, 1]), dy3);
        return [inputGrad ? perModelMatMul(dy3, tf.transpose(ws, [0, 2, 1])) : tf.zerosLike(xs), dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor3D, w: tf.Tensor3D) => tf.Tensor3D;
}

/**
 * Batched matrix product x [K, n, in] · w [K, in, out] → [K, n, out] for a pack of K models, with
 * the same value as `tf.matMul` but fast on the wasm backend: there tfjs runs only a batch-of-one
 * product without transposes through XNNPACK (a batched or transposed product falls back to a
 * naive loop, 5–30× slower), so the forward pass and both gradients (dx = dy·wᵀ, dw = xᵀ·dy) are
 * computed model by model by `HpoPackedMatMul` (C), wᵀ transposed first, x read transposed.
 */
export const packedMatMul = make(true);

/** `packedMatMul` for a first layer, whose input (the data) needs no gradient: dx is left at zero. */
export const packedMatMulFirst = make(false);

/**
 * x [K, n, a] · w [K, a, b] → [K, n, b] without gradient bookkeeping: model by model on wasm
 * (XNNPACK, see `packedMatMul`), one batched `matMul` on other backends.
 */
export function plainPackedMatMul(x: tf.Tensor3D, w: tf.Tensor3D): tf.Tensor3D {
  return tf.getBackend() === "wasm" ? perModelMatMul(x, w) : (tf.matMul(x, w) as tf.Tensor3D);
}
